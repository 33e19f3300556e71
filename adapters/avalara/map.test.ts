import { describe, expect, it } from 'vitest';
import { amountToDecimalString, decimalToJsonNumber, decodeTransactionCode, encodeTransactionCode } from './map.js';

describe('decimalToJsonNumber', () => {
  it.each([
    ['1200.00', 1200],
    ['99.99', 99.99],
    ['0.1', 0.1],
    ['-3.50', -3.5],
    ['1234567890123.45', 1234567890123.45],
  ])('%s → %d, printing back as the same decimal', (input, expected) => {
    const n = decimalToJsonNumber(input);
    expect(n).toBe(expected);
    expect(JSON.stringify({ amount: n })).toBe(`{"amount":${expected}}`);
  });

  it.each(['12345678901234567.89', '0.12345678901234567891', '1e3', '12,5', ' 1', 'abc'])('refuses %s', (input) => {
    expect(decimalToJsonNumber(input)).toBeNull();
  });
});

describe('amountToDecimalString', () => {
  it('pads to the currency exponent and keeps extra vendor precision', () => {
    expect(amountToDecimalString(97.5, 'USD')).toBe('97.50');
    expect(amountToDecimalString(0, 'USD')).toBe('0.00');
    expect(amountToDecimalString(1500, 'JPY')).toBe('1500');
    expect(amountToDecimalString(1.2345, 'KWD')).toBe('1.2345');
    expect(amountToDecimalString(undefined, 'USD')).toBe('0.00');
    expect(amountToDecimalString(12.5, 'XXX')).toBe('12.5');
  });
});

describe('transaction code escaping', () => {
  it('uses AvaTax tokens for / + ? % # and %20 for a space, and reverses them', () => {
    const code = 'INV/2026+1?a%b#c d';
    const encoded = encodeTransactionCode(code);
    expect(encoded).toBe('INV_-ava2f-_2026_-ava2b-_1_-ava3f-_a_-ava25-_b_-ava23-_c%20d');
    expect(decodeTransactionCode(decodeURIComponent(encoded))).toBe(code);
  });
});
