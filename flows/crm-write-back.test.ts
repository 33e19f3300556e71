import { describe, expect, it } from 'vitest';
import {
  contractUrl,
  DEFAULT_ACCOUNT_WRITE_BACK_FIELDS,
  DEFAULT_WRITE_BACK_FIELDS,
  writeBackAccountFields,
  writeBackFields,
} from './crm-write-back.js';

describe('write-back field names', () => {
  it('defaults per CRM without config', () => {
    expect(writeBackFields('salesforce')).toEqual({ ok: true, value: DEFAULT_WRITE_BACK_FIELDS.salesforce });
    expect(writeBackFields('hubspot', {})).toEqual({ ok: true, value: DEFAULT_WRITE_BACK_FIELDS.hubspot });
  });

  it('overrides key by key from the writeBackFields JSON; "" leaves a value out', () => {
    const result = writeBackFields('salesforce', {
      writeBackFields: JSON.stringify({ status: 'Billing_Status__c', contractUrl: '' }),
    });
    expect(result).toEqual({
      ok: true,
      value: { ...DEFAULT_WRITE_BACK_FIELDS.salesforce, status: 'Billing_Status__c', contractUrl: '' },
    });
  });

  it.each([
    ['not JSON', '{', 'writeBackFields'],
    ['an array', '[]', 'writeBackFields'],
    ['an unknown key', '{"colour":"x"}', 'writeBackFields.colour'],
    ['a non-string name', '{"status":1}', 'writeBackFields.status'],
  ])('refuses %s as a permanent failure naming the field', (_name, json, field) => {
    expect(writeBackFields('hubspot', { writeBackFields: json })).toMatchObject({
      ok: false,
      kind: 'permanent',
      field,
    });
  });
});

describe('contract link', () => {
  it('is relative without a publicUrl, absolute with one', () => {
    expect(contractUrl('hubspot', '123')).toBe('/api/v1/deals/hubspot/123/trace');
    expect(contractUrl('salesforce', '006A', 'https://hub.example.com/')).toBe(
      'https://hub.example.com/api/v1/deals/salesforce/006A/trace',
    );
  });
});

describe('account write-back field names', () => {
  it('defaults per CRM, overridden by writeBackAccountFields ("" skips a value)', () => {
    expect(writeBackAccountFields('hubspot')).toEqual({ ok: true, value: DEFAULT_ACCOUNT_WRITE_BACK_FIELDS.hubspot });
    expect(
      writeBackAccountFields('salesforce', { writeBackAccountFields: JSON.stringify({ outstanding: '' }) }),
    ).toEqual({ ok: true, value: { amountPaid: 'Hub_Amount_Paid__c', outstanding: '' } });
  });

  it('refuses a key the account does not take', () => {
    expect(writeBackAccountFields('salesforce', { writeBackAccountFields: '{"status":"X"}' })).toMatchObject({
      ok: false,
      kind: 'permanent',
      field: 'writeBackAccountFields.status',
    });
  });
});
