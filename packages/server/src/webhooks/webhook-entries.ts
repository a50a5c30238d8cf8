import { errors } from '../domain/errors.js';
import { checkPublicUrl } from '../domain/validation.js';
import { type WebhookType, WEBHOOK_TYPES } from '../domain/webhook.js';
import type { WebhookConfig, WebhookEndpoint, WebhookEndpointInput } from '../domain/webhook-delivery.js';
import { type AddressPolicy, BlockedAddressError, checkOutboundUrl } from './ssrf-guard.js';

/** An entry as Sendblue's API takes it: a URL, or `{url, secret, sendblue_numbers}`. */
export type WireEntry = string | { url: string; secret?: string; sendblue_numbers?: string[] };

/** An entry as GET returns it; Tapback adds `disabled` after a 410 Gone. */
export type WireEntryOut =
  string | { url: string; secret?: string; sendblue_numbers?: string[]; disabled?: boolean; disabled_reason?: string };

/** Most entries one account may have of one type. */
export const MAX_ENTRIES_PER_TYPE = 20;

/** Refuses more than MAX_ENTRIES_PER_TYPE entries of one type, in a request or after adding them. */
export function checkEntryCount(field: string, type: WebhookType, count: number): void {
  if (count > MAX_ENTRIES_PER_TYPE) {
    throw errors.validation(field, `would hold more than ${MAX_ENTRIES_PER_TYPE} ${type} webhooks`);
  }
}

/**
 * Turns API entries into endpoint inputs, checking what Sendblue documents (sendblue_numbers only
 * on `receive`, URL strings only for `contact_created`) and what Tapback adds: http(s) URLs whose
 * literal address the SSRF policy allows, and lines that belong to the account.
 */
export function parseEntries(
  type: WebhookType,
  entries: readonly WireEntry[],
  ctx: { policy: AddressPolicy; lines: ReadonlySet<string>; field: string },
): WebhookEndpointInput[] {
  checkEntryCount(ctx.field, type, entries.length);
  const seen = new Set<string>();
  const out: WebhookEndpointInput[] = [];
  entries.forEach((entry, i) => {
    const field = `${ctx.field}[${i}]`;
    const e = typeof entry === 'string' ? { url: entry } : entry;
    if (typeof entry !== 'string' && type === 'contact_created') {
      throw errors.validation(field, 'must be a URL string: contact_created webhooks take no options');
    }
    checkUrl(e.url, ctx.policy, field);
    const numbers = e.sendblue_numbers ?? null;
    if (numbers !== null && type !== 'receive') {
      throw errors.validation(`${field}.sendblue_numbers`, 'is allowed on receive webhooks only');
    }
    for (const n of numbers ?? []) {
      if (!ctx.lines.has(n)) throw errors.unknownLine(`${field}.sendblue_numbers`, n);
    }
    if (e.secret !== undefined) checkHeaderSecret(`${field}.secret`, e.secret);
    if (seen.has(e.url)) return;
    seen.add(e.url);
    out.push({ type, url: e.url, secret: e.secret ?? null, sendblueNumbers: numbers });
  });
  return out;
}

/**
 * A secret sent as the `sb-signing-secret` header must be a valid header value, or every delivery
 * that carries it fails (`fetch` refuses the header) after the API had accepted it: tab and
 * printable Latin-1 only (no CR, LF or other control characters, nothing past U+00FF), and no
 * leading or trailing whitespace, which HTTP strips, so the receiver would see another value.
 */
export function checkHeaderSecret(field: string, secret: string): void {
  if (!/^[\t\x20-\x7e\xa0-\xff]*$/.test(secret)) {
    throw errors.validation(
      field,
      'must be printable Latin-1 text (no line breaks or control characters): it is sent as an HTTP header',
    );
  }
  if (/^[\t ]|[\t ]$/.test(secret)) {
    throw errors.validation(
      field,
      'must not start or end with whitespace: it is sent as an HTTP header, which drops it',
    );
  }
}

function checkUrl(url: string, policy: AddressPolicy, field: string): void {
  checkPublicUrl(url, field);
  try {
    checkOutboundUrl(url, policy);
  } catch (error) {
    if (!(error instanceof BlockedAddressError)) throw error;
    throw errors.urlNotAllowed(field, error.message);
  }
}

/** GET's `webhooks` object: every type present, entries in the order they were added. */
export type WireWebhooks = Record<WebhookType, WireEntryOut[]> & { globalSecret?: string };

export function toWireWebhooks(config: WebhookConfig): WireWebhooks {
  const map = Object.fromEntries(WEBHOOK_TYPES.map((t) => [t, [] as WireEntryOut[]])) as unknown as WireWebhooks;
  for (const e of config.endpoints) map[e.type].push(entryOut(e));
  if (config.globalSecret !== null) map.globalSecret = config.globalSecret;
  return map;
}

function entryOut(e: WebhookEndpoint): WireEntryOut {
  if (e.secret === null && e.sendblueNumbers === null && e.disabledAt === null) return e.url;
  return {
    url: e.url,
    ...(e.secret === null ? {} : { secret: e.secret }),
    ...(e.sendblueNumbers === null ? {} : { sendblue_numbers: e.sendblueNumbers }),
    ...(e.disabledAt === null ? {} : { disabled: true, disabled_reason: e.disabledReason ?? 'disabled' }),
  };
}
