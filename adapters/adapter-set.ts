/**
 * Builds an org's adapter set from its stored connections: every connected CRM, and one vendor
 * each for tax, payments and the ERP, each built by its module (registry.ts).
 */

import { erpPostingSettings } from '../src/domain/books/erp-settings.js';
import type { ManualTaxRate } from '../src/domain/manual-tax.js';
import { type Outcome, ok, permanent } from '../src/domain/outcome.js';
import type { ConnectionMaterial, CrmVendor, TaxEngine } from '../src/domain/vendors.js';
import { createManualTaxPort } from './manual-tax.js';
import type { AdapterSet, CrmPort, CrmWriteBackConfig, OrgSettings, TaxPort } from './ports.js';
import { VENDOR_MODULES } from './registry.js';
import type { BuildContext, PortKind, PortsByKind } from './vendor-module.js';

/**
 * Ports an org has exactly one vendor for; a CRM (one or several) is needed too. Tax is chosen
 * apart (taxPortOf): an org without a tax engine has its manual rate table.
 */
const SINGLE_VENDOR_PORTS = ['payment', 'erp'] as const;

/** How the org's tax is computed: its chosen engine (null: whichever tax vendor is connected) and its manual rates. */
export interface TaxSetup {
  engine: TaxEngine | null;
  manualRates: () => Promise<readonly ManualTaxRate[]>;
}

const NO_MANUAL_RATES: TaxSetup = { engine: null, manualRates: async () => [] };

const DEFAULT_SHIP_TO: OrgSettings['defaultShipTo'] = {
  line1: '100 Market St',
  city: 'San Francisco',
  region: 'CA',
  postalCode: '94105',
  country: 'US',
};

const modulesOf = (kind: PortKind) => VENDOR_MODULES.filter((m) => m.port === kind);

/** What the org still has to connect, named as a person would fix it. */
function missingConnections(connected: ReadonlySet<string>): string[] {
  const missing: string[] = [];
  const crms = modulesOf('crm').map((m) => m.id);
  if (!crms.some((id) => connected.has(id))) missing.push(`a CRM (${crms.join(' or ')})`);
  for (const kind of SINGLE_VENDOR_PORTS) {
    const ids = modulesOf(kind).map((m) => m.id);
    if (!ids.some((id) => connected.has(id))) missing.push(ids.join(' or '));
  }
  return missing;
}

/** Builds the org's full adapter set; a missing connection is a permanent, readable failure. */
export function buildAdapterSet(
  connections: ConnectionMaterial[],
  ctx: BuildContext,
  taxSetup: TaxSetup = NO_MANUAL_RATES,
): Outcome<AdapterSet> {
  const byVendor = new Map(connections.map((c) => [c.vendor, c]));
  const missing = missingConnections(new Set(byVendor.keys()));
  if (missing.length > 0) return permanent(`no connection configured for ${missing.join(', ')}`);

  /** The first connected vendor of a port, built by its module. */
  function single<K extends (typeof SINGLE_VENDOR_PORTS)[number]>(kind: K) {
    const module = modulesOf(kind).find((m) => byVendor.has(m.id))!;
    const material = byVendor.get(module.id)!;
    return { port: module.createAdapter(material, ctx) as PortsByKind[K], material };
  }
  const crm: Partial<Record<CrmVendor, CrmPort>> = {};
  const crmWriteBack: OrgSettings['crmWriteBack'] = {};
  for (const module of modulesOf('crm')) {
    const material = byVendor.get(module.id);
    if (!material) continue;
    const id = module.id as CrmVendor;
    crm[id] = module.createAdapter(material, ctx) as CrmPort;
    crmWriteBack[id] = writeBackConfig(material);
  }
  const tax = taxPortOf(byVendor, ctx, taxSetup);
  if (!tax.ok) return tax;
  const payment = single('payment');
  const erp = single('erp');
  return ok({
    crm,
    tax: tax.value,
    payment: payment.port,
    erp: erp.port,
    settings: {
      erpIncomeAccountId: erp.material.config.incomeAccountId ?? '1',
      erpPosting: erpPostingSettings(erp.material.config),
      defaultShipTo: DEFAULT_SHIP_TO,
      crmWriteBack,
    },
  });
}

/**
 * The org's tax port: the engine it chose (its connection must exist), else the connected tax
 * vendor, else — no engine configured — the manual rate table.
 */
function taxPortOf(
  byVendor: ReadonlyMap<string, ConnectionMaterial>,
  ctx: BuildContext,
  setup: TaxSetup,
): Outcome<TaxPort> {
  if (setup.engine === 'manual') return ok(createManualTaxPort(setup.manualRates));
  const module = setup.engine
    ? modulesOf('tax').find((m) => m.id === setup.engine)
    : modulesOf('tax').find((m) => byVendor.has(m.id));
  if (!module) return ok(createManualTaxPort(setup.manualRates));
  const material = byVendor.get(module.id);
  if (!material) return permanent(`the org's tax engine is ${module.id}, but no ${module.id} connection is configured`);
  return ok(module.createAdapter(material, ctx) as TaxPort);
}

/** The write-back keys of a CRM connection's config (parsed and checked by the write-back flow). */
function writeBackConfig(c: ConnectionMaterial): CrmWriteBackConfig {
  return {
    ...(c.config.writeBackFields ? { writeBackFields: c.config.writeBackFields } : {}),
    ...(c.config.writeBackAccountFields ? { writeBackAccountFields: c.config.writeBackAccountFields } : {}),
    ...(c.config.publicUrl ? { publicUrl: c.config.publicUrl } : {}),
  };
}
