import { describe, expect, it } from 'vitest';
import {
  erpAccountFor,
  erpPostingConfig,
  erpPostingSettings,
  isMissingMappingReason,
  missingMappingReason,
} from './erp-settings.js';

describe('ERP posting settings', () => {
  it('default to documents mode with no mapping', () => {
    expect(erpPostingSettings({})).toEqual({ mode: 'documents', accountMap: {} });
    expect(erpPostingSettings({ erpMode: 'bogus', accountMap: 'not json' })).toEqual({
      mode: 'documents',
      accountMap: {},
    });
  });

  it('round-trip through the connection config', () => {
    const settings = { mode: 'journals' as const, accountMap: { cash: '35', revenue: '79' } };
    expect(erpPostingSettings(erpPostingConfig(settings))).toEqual(settings);
  });

  it('a sub-account falls back to its parent; an unmapped one is undefined', () => {
    const map = { revenue: '79', 'revenue:hardware': '80' };
    expect(erpAccountFor(map, 'revenue:hardware')).toBe('80');
    expect(erpAccountFor(map, 'revenue:services')).toBe('79');
    expect(erpAccountFor(map, 'deferred_revenue')).toBeUndefined();
  });

  it('the missing-mapping reason names each code once and is recognised', () => {
    const reason = missingMappingReason(['tax_payable', 'deferred_revenue', 'tax_payable']);
    expect(reason).toContain('deferred_revenue, tax_payable');
    expect(isMissingMappingReason(`post-journal-to-erp › post: ${reason}`)).toBe(true);
    expect(isMissingMappingReason('access token expired')).toBe(false);
  });
});
