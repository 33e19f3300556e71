/**
 * The vendor registry: every vendor module, one line each. Adding a vendor is a new folder that
 * exports its module (adapters/vendor-module.ts) and one line here; its id joins its port's union
 * in src/domain/vendors.ts (registry.test.ts checks the two agree).
 */

import type { Failure } from '../src/domain/outcome.js';
import type { ReconnectSignal } from '../src/domain/reconnect.js';
import { withoutFlowPrefix } from '../src/domain/reconnect.js';
import { type ConnectionMaterial, VENDORS, type Vendor } from '../src/domain/vendors.js';
import { adyenVendor } from './adyen/index.js';
import { anrokVendor } from './anrok/index.js';
import { avalaraVendor } from './avalara/index.js';
import { hubspotVendor } from './hubspot/index.js';
import { netsuiteVendor } from './netsuite/index.js';
import { quickbooksVendor } from './quickbooks/index.js';
import { razorpayVendor } from './razorpay/index.js';
import { salesforceVendor } from './salesforce/index.js';
import { stripeVendor } from './stripe/index.js';
import type { BuildContext, PortOf, VendorModule } from './vendor-module.js';
import { xeroVendor } from './xero/index.js';

export const VENDOR_MODULES: readonly VendorModule[] = [
  salesforceVendor,
  hubspotVendor,
  avalaraVendor,
  anrokVendor,
  stripeVendor,
  adyenVendor,
  razorpayVendor,
  quickbooksVendor,
  xeroVendor,
  netsuiteVendor,
];

export { parseTriggerStageIds } from './hubspot/index.js';
export { sessionTimeoutMinutes } from './salesforce/index.js';
export type { BuildContext } from './vendor-module.js';
/** Re-exported for existing importers; the unions are defined in src/domain/vendors.ts. */
export { type ConnectionMaterial, VENDORS, type Vendor };

/** The module of a vendor the unions name (every one has a module: registry.test.ts). */
export function vendorModule(vendor: Vendor): VendorModule {
  const found = VENDOR_MODULES.find((m) => m.id === vendor);
  if (!found) throw new Error(`no vendor module for "${vendor}"`);
  return found;
}

/** Turns a stored connection (config + decrypted secrets) into the port its vendor implements. */
export function buildPort<V extends Vendor>(
  material: ConnectionMaterial & { vendor: V },
  ctx: BuildContext,
): PortOf<V> {
  return vendorModule(material.vendor).createAdapter(material, ctx) as PortOf<V>;
}

/**
 * Whether a failure means a connection's credentials no longer work, and whose: the first module
 * that recognises it names its vendor; a flagged failure none claims names no vendor (the job's
 * own connection is meant). The job processor gets this from the composition root (src/hub.ts).
 */
export function needsReconnect(failure: Failure): ReconnectSignal | undefined {
  if (failure.kind !== 'retryable') return undefined;
  for (const module of VENDOR_MODULES) {
    const reason = module.errors.needsReconnect(failure);
    if (reason) return { vendor: module.id, reason };
  }
  return failure.reconnect ? { vendor: undefined, reason: withoutFlowPrefix(failure.reason) } : undefined;
}
