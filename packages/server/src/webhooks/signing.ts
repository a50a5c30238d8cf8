import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): every delivery carries
 * `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`, which is
 * `v1,` + base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`)), where the key is the base64
 * text after the secret's `whsec_` prefix, decoded. Any Standard Webhooks library verifies it.
 */
const PREFIX = 'whsec_';

/** How far a timestamp may be from the verifier's clock, as the Standard Webhooks libraries use. */
export const DEFAULT_TOLERANCE_S = 5 * 60;

export function signingKey(secret: string): Buffer {
  const encoded = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0) throw new Error('webhook signing secret is empty');
  return key;
}

export function sign(secret: string, id: string, timestampS: number, body: string): string {
  const mac = createHmac('sha256', signingKey(secret)).update(`${id}.${timestampS}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export interface WebhookHeaderInput {
  id: string;
  timestampS: number;
  body: string;
  signingSecret: string;
  /** Sendblue's plain shared secret (`sb-signing-secret`), sent verbatim when configured. */
  sharedSecret: string | null;
}

export function webhookHeaders(input: WebhookHeaderInput): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'webhook-id': input.id,
    'webhook-timestamp': String(input.timestampS),
    'webhook-signature': sign(input.signingSecret, input.id, input.timestampS, input.body),
  };
  if (input.sharedSecret !== null && input.sharedSecret !== '') headers['sb-signing-secret'] = input.sharedSecret;
  return headers;
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/**
 * Verifies a delivery as a receiver would: known headers, a fresh timestamp, and one of the
 * space-separated `v1,` signatures matching (several appear while a secret is being rotated).
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  options: { nowS?: number; toleranceS?: number } = {},
): VerifyResult {
  const one = (name: string): string | undefined => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const id = one('webhook-id');
  const timestamp = one('webhook-timestamp');
  const signatures = one('webhook-signature');
  if (id === undefined || timestamp === undefined || signatures === undefined) {
    return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature' };
  }
  const ts = Number(timestamp);
  // Wall time unless told otherwise: the sender stamped the delivery with its real time.
  const now = options.nowS ?? Math.floor(Date.now() / 1000);
  if (!/^\d+$/.test(timestamp) || Math.abs(now - ts) > (options.toleranceS ?? DEFAULT_TOLERANCE_S)) {
    return { ok: false, reason: 'timestamp missing or outside the tolerance' };
  }
  const expected = Buffer.from(sign(secret, id, ts, body).slice(3), 'base64');
  for (const candidate of signatures.split(' ')) {
    const [version, mac] = candidate.split(',', 2);
    if (version !== 'v1' || mac === undefined) continue;
    const given = Buffer.from(mac, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true };
  }
  return { ok: false, reason: 'no signature matches' };
}
