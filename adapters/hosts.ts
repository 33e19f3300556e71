/**
 * Which hosts a connection may make the hub call. A URL in a connection's config (login, API base,
 * instance) is checked here wherever it is set and again before adapters are built, so no admin
 * and no token response can point the hub at an address of their choosing:
 * - live mode: https and a host the vendor documents (its module's `hosts`, `API_HOSTS` in its client.ts);
 * - sandbox mode: the hub's own simulators only, which listen on loopback.
 */
import { VENDOR_MODULES } from './registry.js';
import type { VendorHosts } from './vendor-module.js';

export type HubMode = 'sandbox' | 'live';

/** The vendor module's allow-list (its `hosts`, from `API_HOSTS` in its client.ts). */
const hostsOf = (vendor: string): VendorHosts | undefined => VENDOR_MODULES.find((m) => m.id === vendor)?.hosts;

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

function matches(hostname: string, rule: string): boolean {
  return rule.startsWith('.') ? hostname.endsWith(rule) && hostname.length > rule.length : hostname === rule;
}

/** Why `value` is not a URL this vendor's connection may call in `mode`, or undefined when it is. */
export function disallowedUrlReason(vendor: string, value: string, mode: HubMode): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not carry credentials';
  if (mode === 'sandbox') {
    if (!isLoopback(url.hostname) || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      return 'in sandbox mode only the hub\u2019s own simulators (loopback) may be named';
    }
    return undefined;
  }
  const allowed = hostsOf(vendor)?.hosts ?? [];
  if (url.protocol !== 'https:') return 'must use https';
  if (url.port !== '') return 'must not name a port';
  if (!allowed.some((rule) => matches(url.hostname, rule))) {
    return `host ${url.hostname} is not a ${vendor} host (allowed: ${allowed.map((h) => (h.startsWith('.') ? `*${h}` : h)).join(', ')})`;
  }
  return undefined;
}

/** Every URL-valued config key of the connection that names a host it may not call: `config.<key>` → reason. */
export function disallowedConfigUrls(
  vendor: string,
  config: Record<string, string | undefined>,
  mode: HubMode,
): { field: string; message: string }[] {
  const keys = hostsOf(vendor)?.urlKeys ?? [];
  const problems: { field: string; message: string }[] = [];
  for (const key of keys) {
    const value = config[key];
    if (value === undefined || value === '') continue;
    const reason = disallowedUrlReason(vendor, value, mode);
    if (reason) problems.push({ field: `config.${key}`, message: reason });
  }
  return problems;
}
