import { describe, expect, it } from 'vitest';
import { defaultMappings } from '../../../mappings/index.js';
import { errorSlotId, FIELD_PREFIX, placeEngineErrors, readDefinitionForm } from './mapping-form.js';

function formOf(fields: Record<string, string>, extra: Record<string, string> = {}) {
  const { description, defaults, lookups } = defaultMappings.salesforce;
  return {
    crm: 'salesforce',
    description,
    defaults: JSON.stringify(defaults),
    lookups: JSON.stringify(lookups),
    ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [`${FIELD_PREFIX}${k}`, v])),
    ...extra,
  };
}

describe('the mapping editor form', () => {
  it('reads the default back unchanged', () => {
    const read = readDefinitionForm(formOf(defaultMappings.salesforce.fields));
    expect(read.errors).toEqual([]);
    expect(read.definition?.fields).toEqual(defaultMappings.salesforce.fields);
    expect(read.definition?.lookups).toEqual(defaultMappings.salesforce.lookups);
  });

  it('puts a compile error at its field and bad JSON at its table', () => {
    const read = readDefinitionForm(
      formOf({ ...defaultMappings.salesforce.fields, currency: '$substring(' }, { lookups: '{"products": ' }),
    );
    expect(read.definition).toBeUndefined();
    expect(read.errors.map((e) => e.field).sort()).toEqual(['fields.currency', 'lookups']);
    const compiled = readDefinitionForm(formOf({ ...defaultMappings.salesforce.fields, currency: '$substring(' }));
    expect(compiled.errors.map((e) => e.field)).toEqual(['fields.currency']);
  });

  it('names a required field left empty', () => {
    const { startDate: _, ...rest } = defaultMappings.salesforce.fields;
    const read = readDefinitionForm(formOf(rest));
    expect(read.errors.map((e) => e.field)).toContain('fields.startDate');
  });

  it('places engine errors at the target field that owns their path', () => {
    const placed = placeEngineErrors([
      { path: 'currency', message: 'unknown currency "XYZ"' },
      { path: 'lines.0.quantity', message: 'must be a decimal' },
      { path: 'somethingElse', message: 'odd' },
    ]);
    expect(placed.byField).toEqual([
      { field: 'fields.currency', message: 'unknown currency "XYZ"' },
      { field: 'fields.lines', message: 'lines.0.quantity: must be a decimal' },
    ]);
    expect(placed.general).toEqual(['somethingElse: odd']);
  });

  it('makes element ids from paths', () => {
    expect(errorSlotId('fields.customer.sourceId')).toBe('error-fields-customer-sourceId');
  });
});
