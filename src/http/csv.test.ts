import { describe, expect, it } from 'vitest';
import { toCsv, wantsCsv } from './csv.js';

describe('toCsv', () => {
  it('quotes commas, quotes, CR and LF (quotes doubled), leaves plain fields and writes null as empty', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['plain', 'x,y'],
          ['say "hi"', 'two\nlines'],
          ['cr\r', null],
          [12.5, -3],
        ],
      ),
    ).toBe('a,b\r\nplain,"x,y"\r\n"say ""hi""","two\nlines"\r\n"cr\r",\r\n12.5,-3\r\n');
  });
});

describe('wantsCsv', () => {
  it.each([
    ['text/csv', true],
    ['application/json, text/csv;q=0.9', true],
    ['TEXT/CSV; charset=utf-8', true],
    ['application/json', false],
    ['*/*', false],
    [undefined, false],
  ])('%s → %s', (accept, expected) => {
    expect(wantsCsv(accept)).toBe(expected);
  });
});
