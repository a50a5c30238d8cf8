import { type Message, toWire } from '../domain/message.js';
import { CALLBACK_STATUSES, type DeliveryStatus, type WebhookType } from '../domain/webhook.js';
import type { NewWebhookDelivery, WebhookEndpoint, WebhookOutcome } from '../domain/webhook-delivery.js';

/**
 * Backend-neutral outbox rules, shared by every Store so they cannot drift apart: which
 * deliveries an event causes, and which due deliveries a claim may take.
 */

/**
 * The deliveries a message's status change causes: its own status callback, plus the account's
 * `outbound` entries. The payload is the wire message at this status, frozen now: a retry sends
 * the same bytes, and `status_sequence`/`date_updated` let the consumer order what it receives.
 */
export function statusChangeDeliveries(message: Message, endpoints: readonly WebhookEndpoint[]): NewWebhookDelivery[] {
  if (!message.isOutbound || !CALLBACK_STATUSES.has(message.status)) return [];
  const hasCallback = message.statusCallback !== null && message.statusCallback !== '';
  const active = endpoints.length === 0 ? [] : activeEndpoints(endpoints, 'outbound', message.sendblueNumber);
  // Most status changes go nowhere: the payload is rendered only when some delivery needs it.
  if (!hasCallback && active.length === 0) return [];
  const payload = JSON.stringify(toWire(message));
  const base = {
    accountId: message.accountId,
    messageId: message.id,
    messageHandle: message.handle,
    statusSeq: message.statusSeq,
    payload,
  };
  const out: NewWebhookDelivery[] = [];
  if (hasCallback) {
    out.push({ ...base, kind: 'status_callback', endpointId: null, url: message.statusCallback as string });
  }
  for (const e of active) {
    out.push({ ...base, kind: 'outbound', endpointId: e.id, url: e.url });
  }
  return out;
}

/** Enabled entries of `type`; `receive` entries with `sendblue_numbers` only for those lines. */
export function activeEndpoints(
  endpoints: readonly WebhookEndpoint[],
  type: WebhookType,
  line: string | null,
): WebhookEndpoint[] {
  return endpoints.filter(
    (e) =>
      e.type === type &&
      e.disabledAt === null &&
      (e.sendblueNumbers === null ||
        e.sendblueNumbers.length === 0 ||
        (line !== null && e.sendblueNumbers.includes(line))),
  );
}

export interface ClaimCandidate {
  id: number;
  destination: string;
}

/**
 * Fair selection from due candidates (oldest first): at most `perDestination` in flight for any
 * destination, counting those already in flight. Returns the chosen ids and the destinations that
 * are now full, which the next query excludes so that one backlog cannot hide the others' rows.
 */
export function pickFair(
  candidates: readonly ClaimCandidate[],
  limit: number,
  perDestination: number,
  load: Map<string, number>,
): { ids: number[]; full: string[] } {
  const ids: number[] = [];
  const full = new Set<string>();
  for (const c of candidates) {
    if (ids.length >= limit) break;
    const n = load.get(c.destination) ?? 0;
    if (n >= perDestination) {
      full.add(c.destination);
      continue;
    }
    load.set(c.destination, n + 1);
    ids.push(c.id);
    if (n + 1 >= perDestination) full.add(c.destination);
  }
  return { ids, full: [...full] };
}

/**
 * The deliveries an inbound message causes: one per enabled `receive` entry of the account that
 * listens to the message's line (`sendblue_numbers`), with the wire message as stored.
 */
export function receiveDeliveries(message: Message, endpoints: readonly WebhookEndpoint[]): NewWebhookDelivery[] {
  if (message.isOutbound) return [];
  const payload = JSON.stringify(toWire(message));
  return activeEndpoints(endpoints, 'receive', message.sendblueNumber).map((e) => ({
    accountId: message.accountId,
    kind: 'receive',
    endpointId: e.id,
    url: e.url,
    messageId: message.id,
    messageHandle: message.handle,
    statusSeq: message.statusSeq,
    payload,
  }));
}

/** What a claim round asks the database for: due candidates, oldest first, but none of these. */
export interface CandidateQuery {
  /** Destinations already at their in-flight limit. */
  excluded: readonly string[];
  /** Ids chosen by earlier rounds of this claim. */
  chosen: readonly number[];
  want: number;
}

/** Rounds of "query, take fairly, exclude full destinations" per claim; each round fills a slot or ends. */
const MAX_CLAIM_ROUNDS = 8;

/**
 * The ids a dispatcher claims, for both backends: it yields each round's candidate query and is
 * handed the rows (SQLite answers at once, PostgreSQL with `await`, locking what it returns).
 * Destinations that fill up are excluded from the next round, so one tenant's backlog cannot hide
 * the rows of everyone else behind it.
 */
export function* fairClaim(input: {
  limit: number;
  perDestination: number;
  inFlight: ReadonlyMap<string, number>;
}): Generator<CandidateQuery, number[], readonly ClaimCandidate[]> {
  const load = new Map(input.inFlight);
  const excluded = [...load].filter(([, n]) => n >= input.perDestination).map(([d]) => d);
  const chosen: number[] = [];
  for (let round = 0; round < MAX_CLAIM_ROUNDS && chosen.length < input.limit; round++) {
    const want = (input.limit - chosen.length) * 2;
    const rows = yield { excluded: [...excluded], chosen: [...chosen], want };
    const picked = pickFair(rows, input.limit - chosen.length, input.perDestination, load);
    chosen.push(...picked.ids);
    const newlyFull = picked.full.filter((d) => !excluded.includes(d));
    if (rows.length < want || newlyFull.length === 0) break;
    excluded.push(...newlyFull);
  }
  return chosen;
}

/** A delivery's status after an attempt's outcome. */
export function deliveryStatusAfter(o: WebhookOutcome): DeliveryStatus {
  switch (o.kind) {
    case 'succeeded':
      return 'succeeded';
    case 'retry':
      return 'pending';
    case 'gone':
      return 'disabled';
    case 'failed':
      return 'failed';
  }
}
