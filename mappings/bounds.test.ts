import { describe, expect, it } from 'vitest';
import { evaluateBounded, MAPPING_LIMITS, sourcePaths } from './bounds.js';
import { defaultMappings } from './index.js';

describe('bounded mapping expressions', () => {
  it('stops a non-terminating recursive expression', async () => {
    await expect(evaluateBounded('($f := function($n) { $f($n + 1) }; $f(0))', {}, {})).rejects.toMatchObject({
      code: expect.stringMatching(/D1011|D1012/),
    });
  });

  it('stops an expression that runs too long', async () => {
    const started = performance.now();
    await expect(
      evaluateBounded('($loop := function($n) { $n > 0 ? $loop($n - 1) : 0 }; [1..100000].$loop(100))', {}, {}),
    ).rejects.toBeDefined();
    // Bounded by the timeout (with slack for a loaded CI machine), never hanging.
    expect(performance.now() - started).toBeLessThan(MAPPING_LIMITS.timeoutMs * 40);
  });

  it('refuses an over-long expression and an over-large result', async () => {
    await expect(evaluateBounded(`'${'x'.repeat(MAPPING_LIMITS.maxExpressionLength)}'`, {}, {})).rejects.toThrow(
      /longer than/,
    );
    // One cheap call that yields a result over the size bound (no risk of the time bound firing first).
    await expect(evaluateBounded("$pad('', 1100000, 'y')", {}, {})).rejects.toThrow(/larger than/);
  });

  it('names the source fields each default expression reads (provenance)', () => {
    const fields = defaultMappings.salesforce.fields;
    expect(sourcePaths(fields['customer.name']!)).toEqual(['account.name']);
    expect(sourcePaths(fields.currency!)).toEqual(['deal.currency']);
    expect(sourcePaths(fields['customer.email']!)).toEqual([
      'account.email',
      'contacts',
      'contacts.email',
      'contacts.isPrimary',
      'contacts.role',
    ]);
    expect(sourcePaths(fields.lines!)).toEqual(
      expect.arrayContaining([
        'lineItems',
        'lineItems.productCode',
        'lineItems.productId',
        'lineItems.quantity',
        'lineItems.unitPrice',
        'lineItems.attributes.Product2.Family',
      ]),
    );
  });
});
