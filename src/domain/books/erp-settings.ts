/**
 * How an org's ERP connection is posted to (issue #13, "two modes per connection"):
 *
 *   documents  invoices, payments, credit memos and refunds as the ERP's own documents; the ERP
 *              recognizes revenue itself (the hub's behaviour before journals existed);
 *   journals   the hub's ledger entries, each as one journal entry, revenue recognition included;
 *              the document flows then stop at their first step and say why.
 *
 * Both live in the ERP connection's config (string values): `erpMode` and `accountMap`, a JSON
 * object of hub account code → ERP account id. A sub-account (`revenue:hardware`) without its
 * own mapping uses its parent's (`revenue`).
 */
import { parentCode } from './chart-of-accounts.js';

export const ERP_MODES = ['documents', 'journals'] as const;
export type ErpMode = (typeof ERP_MODES)[number];

export interface ErpPostingSettings {
  mode: ErpMode;
  accountMap: Readonly<Record<string, string>>;
}

/** The connection config keys (adapters' config schemas are loose: the keys ride along). */
export const ERP_MODE_KEY = 'erpMode';
export const ERP_ACCOUNT_MAP_KEY = 'accountMap';

/** Reads the settings from a connection config; a missing or unreadable value is the default. */
export function erpPostingSettings(config: Readonly<Record<string, string | undefined>>): ErpPostingSettings {
  const mode: ErpMode = config[ERP_MODE_KEY] === 'journals' ? 'journals' : 'documents';
  let accountMap: Record<string, string> = {};
  try {
    const parsed: unknown = JSON.parse(config[ERP_ACCOUNT_MAP_KEY] ?? '{}');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      accountMap = Object.fromEntries(
        Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''),
      );
    }
  } catch {
    // A hand-edited value that is not JSON maps nothing; the API never writes one.
  }
  return { mode, accountMap };
}

/** The settings as connection config values. */
export function erpPostingConfig(settings: ErpPostingSettings): Record<string, string> {
  return { [ERP_MODE_KEY]: settings.mode, [ERP_ACCOUNT_MAP_KEY]: JSON.stringify(settings.accountMap) };
}

/** The ERP account of a hub account code: its own mapping, else its parent's; undefined when neither. */
export function erpAccountFor(accountMap: Readonly<Record<string, string>>, code: string): string | undefined {
  return accountMap[code] ?? accountMap[parentCode(code)];
}

/** What a job that met an unmapped account says; the prefix tells PUT /erp/settings the pause is its to lift. */
export const MISSING_MAPPING_PREFIX = 'ERP account mapping missing';

export function missingMappingReason(codes: readonly string[]): string {
  const list = [...new Set(codes)].sort().join(', ');
  return `${MISSING_MAPPING_PREFIX} for hub account ${list}: set it with PUT /api/v1/erp/settings (account_map)`;
}

export const isMissingMappingReason = (reason: string | null | undefined): boolean =>
  !!reason && reason.includes(MISSING_MAPPING_PREFIX);
