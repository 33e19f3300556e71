import { describe, expect, it } from 'vitest';
import { checkId, idSuffix, makeId, sameId, toId18 } from './ids.js';
import { fromBillingAddress, toDecimalString, toIsoTimestamp } from './map.js';

describe('toDecimalString', () => {
  it.each([
    [40, '40'],
    [49.99, '49.99'],
    [0.1, '0.1'],
    [2.5, '2.5'],
    [1234567890123.45, '1234567890123.45'],
    [1e-7, '0.0000001'],
    [1e21, '1000000000000000000000'],
    [-12.5, '-12.5'],
    ['3200.50', '3200.50'],
  ])('%s → %s', (input, expected) => {
    expect(toDecimalString(input)).toBe(expected);
  });

  it.each([[null], [undefined], [Number.NaN], [Number.POSITIVE_INFINITY], ['12,50'], ['1e3'], [true]])(
    'refuses %s',
    (input) => {
      expect(toDecimalString(input)).toBeNull();
    },
  );
});

describe('Salesforce ids', () => {
  it('computes the documented 18-character suffix', () => {
    // Each 5-character chunk sets one bit per uppercase letter; the bits index A-Z0-5.
    expect(idSuffix('001000000000000')).toBe('AAA');
    expect(idSuffix('AAAAA00000aaaaa')).toBe('5AA');
    expect(toId18('0065g00000KxYzQ')).toBe('0065g00000KxYzQAAV');
  });

  it('checks prefix, shape and checksum', () => {
    expect(checkId('0065g00000KxYzQAAV', '006')).toBeNull();
    expect(checkId('0065g00000KxYzQaav', '006')).toBeNull(); // the suffix is case-insensitive
    expect(checkId('0065g00000KxYzQ', '006')).toBeNull();
    expect(checkId('0065g00000KxYzQAAB', '006')).toMatch(/checksum/);
    expect(checkId('0015g00000AbCdEAAV', '006')).toMatch(/prefix/);
    expect(checkId('0065g00000KxYz-AAV', '006')).toMatch(/letters and digits/);
  });

  it('makes distinct valid ids and compares 15 with 18 characters', () => {
    const ids = [1, 2, 61, 62, 3844].map((n) => makeId('006', n));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(checkId(id, '006')).toBeNull();
    expect(sameId(ids[0], ids[0].slice(0, 15))).toBe(true);
    expect(sameId(ids[0], ids[1])).toBe(false);
  });
});

describe('toIsoTimestamp', () => {
  it('turns Salesforce datetimes into ISO 8601 UTC', () => {
    expect(toIsoTimestamp('2026-01-14T16:02:11.000+0000')).toBe('2026-01-14T16:02:11.000Z');
    expect(toIsoTimestamp('2026-01-14T18:02:11.000+0200')).toBe('2026-01-14T16:02:11.000Z');
    expect(toIsoTimestamp('not a date')).toBe('not a date');
  });
});

describe('fromBillingAddress', () => {
  it('joins street lines and keeps missing parts empty', () => {
    expect(
      fromBillingAddress({ Id: 'x', Name: 'x', BillingStreet: ' 1 Main St \r\n\r\nSuite 4 ', BillingCountry: 'US' }),
    ).toEqual({ line1: '1 Main St, Suite 4', city: '', region: '', postalCode: '', country: 'US' });
  });

  it('is null when the account has no address at all', () => {
    expect(fromBillingAddress({ Id: 'x', Name: 'x', BillingStreet: null, BillingCity: '  ' })).toBeNull();
  });
});
