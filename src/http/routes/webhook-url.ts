/**
 * Which URLs an org's webhook endpoint may have. Live: https only, to a public host by name or
 * address (no loopback, private, link-local or unspecified address, no `localhost`), so an org
 * cannot point the hub's own requests at its network. Sandbox: http too, and loopback (the
 * receivers a developer runs beside the hub). Never credentials in the URL.
 * (A name that resolves to a private address is not caught here; see the README.)
 */
import type { HubMode } from '../../../adapters/hosts.js';

const PRIVATE_V4 = [
  /^127\./,
  /^10\./,
  /^192\.168\./,
  /^172\.(1[6-9]|2\d|3[01])\./,
  /^169\.254\./,
  /^0\./,
  /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./,
];

function isPrivateHost(host: string): boolean {
  const name = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost') || name.endsWith('.local') || name.endsWith('.internal')) {
    return true;
  }
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return PRIVATE_V4.some((re) => re.test(name));
  if (name.includes(':')) {
    return name === '::' || name === '::1' || /^(fc|fd|fe8|fe9|fea|feb)/.test(name) || name.startsWith('::ffff:');
  }
  return false;
}

/** Why the URL is refused, or undefined when it may be used. */
export function webhookUrlProblem(text: string, mode: HubMode): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an absolute URL (https://…)';
  }
  if (url.username || url.password) return 'must not carry credentials';
  if (mode === 'sandbox') {
    return url.protocol === 'https:' || url.protocol === 'http:' ? undefined : 'must be an http or https URL';
  }
  if (url.protocol !== 'https:') return 'must be an https URL';
  if (isPrivateHost(url.hostname)) return 'must name a public host, not a loopback or private one';
  return undefined;
}
