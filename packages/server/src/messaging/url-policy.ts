import { isIP } from 'node:net';
import { errors } from '../domain/errors.js';

/**
 * Which addresses Tapback may reach: the SSRF guard's policy (webhooks/ssrf-guard.ts
 * `AddressPolicy`, built from `TAPBACK_ALLOW_PRIVATE_CIDRS`), passed in by the composition root.
 */
export interface AddressCheck {
  /** Why a literal IP may not be reached, or null when it may. */
  reasonToBlock(address: string): string | null;
}

/**
 * Refuses at send time a `status_callback` or `media_url` whose host is a private, loopback,
 * link-local or reserved address (a literal IP, or `localhost` and its subdomains, which always
 * resolve to loopback), with 400 `url_not_allowed` naming `field`; otherwise it would be accepted
 * and only dropped when Tapback tries to reach it. Names are not resolved here: a DNS lookup
 * would put the resolver on the send path, and the guard checks the address actually dialled anyway.
 */
export function refusePrivateUrl(policy: AddressCheck | undefined, url: string, field: string): void {
  if (policy === undefined || url === '') return;
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return; // the syntax checks that ran before report malformed URLs
  }
  const candidates = isIP(host) !== 0 ? [host] : isLocalhost(host) ? ['127.0.0.1', '::1'] : [];
  if (candidates.length === 0) return;
  const reasons = candidates.map((address) => policy.reasonToBlock(address));
  if (reasons.some((r) => r === null)) return;
  throw errors.urlNotAllowed(field, reasons[0] ?? `${host} is not allowed`);
}

function isLocalhost(host: string): boolean {
  const bare = host.endsWith('.') ? host.slice(0, -1) : host;
  return bare === 'localhost' || bare.endsWith('.localhost');
}
