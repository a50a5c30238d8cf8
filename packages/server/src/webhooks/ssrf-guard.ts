import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { buildConnector } from 'undici';
import { parseCidr } from '../config/setting-values.js';

/**
 * The SSRF guard. Outbound requests to user-supplied URLs
 * (status callbacks, webhook entries, media) may only connect to public addresses. The check runs
 * on the address actually dialled, after DNS resolution, and the socket is opened to that very
 * address, so DNS rebinding between check and connect is impossible. Names never reach the
 * socket layer unchecked: literal IPs are checked too (`net.connect` skips `lookup` for those).
 */

/** Ranges no outbound request may reach unless the allow-list names them. */
const BLOCKED_V4: [string, number][] = [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT (also Alibaba's metadata 100.100.100.200)
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata 169.254.169.254
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved and broadcast
];
const BLOCKED_V6: [string, number][] = [
  ['::', 128], // unspecified
  ['::1', 128],
  ['::', 96], // IPv4-compatible (deprecated); the embedded address is checked as well
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local, incl. AWS metadata fd00:ec2::254
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

export class BlockedAddressError extends Error {
  readonly code = 'ERR_TAPBACK_BLOCKED_ADDRESS';
  constructor(message: string) {
    super(message);
    this.name = 'BlockedAddressError';
  }
}

/** Which addresses outbound requests may connect to. */
export class AddressPolicy {
  private readonly blocked = new BlockList();
  private readonly allowed = new BlockList();

  /** `allowCidrs`: private ranges to permit anyway, e.g. `['127.0.0.0/8', '::1/128']`. */
  constructor(readonly allowCidrs: readonly string[]) {
    for (const [net, prefix] of BLOCKED_V4) this.blocked.addSubnet(net, prefix, 'ipv4');
    for (const [net, prefix] of BLOCKED_V6) this.blocked.addSubnet(net, prefix, 'ipv6');
    for (const cidr of allowCidrs) {
      const { address, prefix, family } = parseCidr(cidr);
      this.allowed.addSubnet(address, prefix, family);
    }
  }

  /** Why `address` (a literal IP) may not be dialled, or null when it may. */
  reasonToBlock(address: string): string | null {
    const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
    const family = isIP(ip);
    if (family === 0) return `${address} is not an IP address`;
    const forms: [string, 'ipv4' | 'ipv6'][] = [[ip, family === 4 ? 'ipv4' : 'ipv6']];
    const embedded = family === 6 ? embeddedIpv4(ip) : null;
    if (embedded !== null) forms.push([embedded.ipv4, 'ipv4']);
    // Only an IPv4-mapped address is the same host as its IPv4 form; the other embeddings are
    // routed elsewhere, so they may be blocked through their IPv4 part but never allowed by it.
    const allowForms = embedded?.kind === 'mapped' ? forms : forms.slice(0, 1);
    if (allowForms.some(([a, t]) => this.allowed.check(a, t))) return null;
    const hit = forms.find(([a, t]) => this.blocked.check(a, t));
    return hit === undefined
      ? null
      : `${address} is a private, loopback, link-local or reserved address (allow it with TAPBACK_ALLOW_PRIVATE_CIDRS)`;
  }
}

/**
 * The IPv4 address inside an IPv6 one that routes to it: IPv4-mapped (::ffff:0:0/96),
 * IPv4-compatible (::/96), NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
 */
export function embeddedIpv4(ipv6: string): { ipv4: string; kind: 'mapped' | 'compatible' | 'nat64' | '6to4' } | null {
  const bytes = ipv6Bytes(ipv6);
  if (bytes === null) return null;
  const v4 = (at: number): string => [...bytes.subarray(at, at + 4)].join('.');
  const zero = (from: number, to: number): boolean => bytes.subarray(from, to).every((b) => b === 0);
  if (zero(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return { ipv4: v4(12), kind: 'mapped' };
  if (zero(0, 12)) return { ipv4: v4(12), kind: 'compatible' };
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zero(4, 12)) {
    return { ipv4: v4(12), kind: 'nat64' };
  }
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return { ipv4: v4(2), kind: '6to4' };
  return null;
}

function ipv6Bytes(ip: string): Uint8Array | null {
  let text = ip;
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1] !== undefined) {
    tail.push(...dotted[1].split('.').map(Number));
    text = text.slice(0, -dotted[1].length) + '0:0';
  }
  const [head = '', rest] = text.split('::', 2);
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((h) => parseInt(h, 16)));
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  const groups =
    rest === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g))) return null;
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  if (tail.length === 4) bytes.set(tail, 12);
  return bytes;
}

/**
 * Checks what can be checked before connecting: an absolute http(s) URL without credentials, and
 * a host that, if it is a literal IP, the policy allows. Throws `BlockedAddressError`.
 */
export function checkOutboundUrl(raw: string, policy: AddressPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BlockedAddressError('not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BlockedAddressError(`scheme ${url.protocol} is not allowed; use http or https`);
  }
  if (url.username !== '' || url.password !== '') throw new BlockedAddressError('URLs must not contain credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) {
    const reason = policy.reasonToBlock(host);
    if (reason !== null) throw new BlockedAddressError(reason);
  }
  return url;
}

export type Lookup = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemLookup: Lookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Resolves `hostname` and returns the first address the policy allows; throws if none is. */
export async function resolveAllowed(
  hostname: string,
  policy: AddressPolicy,
  lookup: Lookup = systemLookup,
): Promise<string> {
  const literal = hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(literal) !== 0 ? [literal] : (await lookup(hostname)).map((a) => a.address);
  const reasons: string[] = [];
  for (const address of addresses) {
    const reason = policy.reasonToBlock(address);
    if (reason === null) return address;
    reasons.push(reason);
  }
  throw new BlockedAddressError(
    addresses.length === 0 ? `${hostname} did not resolve` : `${hostname}: ${reasons[0] ?? 'blocked'}`,
  );
}

export interface GuardedConnectorOptions {
  policy: AddressPolicy;
  /** Connect timeout. */
  timeoutMs: number;
  lookup?: Lookup;
  /** What opens the socket once the address is approved; tests wrap it to watch every dial. */
  dial?: buildConnector.connector;
}

/** An undici `connect` function that dials only addresses the policy allows. */
export function guardedConnector(options: GuardedConnectorOptions): buildConnector.connector {
  const dial = options.dial ?? buildConnector({ timeout: options.timeoutMs });
  return (connectOptions, callback) => {
    const { hostname } = connectOptions;
    resolveAllowed(hostname, options.policy, options.lookup).then(
      (address) => {
        // TLS still verifies the certificate against the name, not the address.
        const servername = isIP(hostname.replace(/^\[|\]$/g, '')) === 0 ? hostname : undefined;
        dial({ ...connectOptions, hostname: address, ...(servername === undefined ? {} : { servername }) }, callback);
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), null),
    );
  };
}
