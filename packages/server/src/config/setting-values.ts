import { isIP } from 'node:net';

/**
 * The grammars of setting values that are more than a number or a name: durations, the webhook
 * retry schedule, CIDR lists. They live with the configuration, the one reader of settings, so
 * that it depends on nothing outside domain/ and lib/; the webhook code that uses the parsed
 * values imports from here, never the other way round.
 */

/**
 * When webhook deliveries are attempted. The schedule lists the delay before each attempt,
 * counted from the previous attempt's failure; the first entry is the first attempt and is always
 * 0 (immediately). The default makes 8 attempts over about 28 hours, as Svix and Standard
 * Webhooks recommend: 0, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
 */
export const DEFAULT_RETRY_SCHEDULE = '0,5s,5m,30m,2h,5h,10h,10h';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `250ms`, `5s`, `5m`, `2h`, `1d`; a bare number is milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(text.trim());
  if (m === null) throw new Error(`"${text}" is not a duration like 5s, 5m or 2h`);
  return Number(m[1]) * (UNIT_MS[m[2] ?? 'ms'] ?? 1);
}

export function parseRetrySchedule(text: string): number[] {
  const delays = text.split(',').map(parseDuration);
  if (delays.length === 0 || delays.length > 50) throw new Error('the schedule needs 1 to 50 entries');
  if (delays[0] !== 0) throw new Error('the first entry is the first attempt and must be 0');
  return delays;
}

/** Parses `a.b.c.d/n`, `x::y/n` or a bare address (a single host). */
export function parseCidr(cidr: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const [address = '', bits] = cidr.trim().split('/', 2);
  const version = isIP(address);
  if (version === 0) throw new Error(`"${cidr}" is not an IP range`);
  const max = version === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : Number(bits);
  if (!/^\d+$/.test(bits ?? String(max)) || prefix > max) throw new Error(`"${cidr}" has an invalid prefix length`);
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** A comma list of CIDRs; `none` (or empty) means none. Throws on a malformed entry. */
export function parseCidrList(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.toLowerCase() === 'none') return [];
  const list = trimmed.split(',').map((s) => s.trim());
  for (const cidr of list) parseCidr(cidr);
  return list;
}
