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
  accountId: number;
  destination: string;
}

/** Deliveries in flight, by destination and by account. */
export interface InFlightLoad {
  byDestination: ReadonlyMap<string, number>;
  byAccount: ReadonlyMap<number, number>;
}

/** In-flight caps of a claim. */
export interface ClaimCaps {
  perAccount: number;
  perDestination: number;
}

/**
 * Fair selection from due candidates (oldest first): round-robin across accounts (in the order of
 * their oldest candidate), and within an account round-robin across its destinations, with at most
 * `perAccount` in flight for any account and `perDestination` for any destination, counting those
 * already in flight (`load`, updated in place). Oldest first alone let one account with many
 * slow destinations take every slot of the dispatcher while others' deliveries waited behind it.
 * Returns the chosen ids and the destinations and accounts now full, which the next query
 * excludes so that one backlog cannot hide the others' rows.
 */
export function pickFair(
  candidates: readonly ClaimCandidate[],
  limit: number,
  caps: ClaimCaps,
  load: { byDestination: Map<string, number>; byAccount: Map<number, number> },
): { ids: number[]; fullDestinations: string[]; fullAccounts: number[] } {
  // account -> destination -> ids, each level in order of first (oldest) appearance.
  const queues = new Map<number, Map<string, number[]>>();
  for (const c of candidates) {
    let dests = queues.get(c.accountId);
    if (dests === undefined) queues.set(c.accountId, (dests = new Map()));
    const q = dests.get(c.destination);
    if (q === undefined) dests.set(c.destination, [c.id]);
    else q.push(c.id);
  }
  const ids: number[] = [];
  const fullDestinations = new Set<string>();
  const fullAccounts = new Set<number>();
  const destinationFull = (d: string) => (load.byDestination.get(d) ?? 0) >= caps.perDestination;
  const accountFull = (a: number) => (load.byAccount.get(a) ?? 0) >= caps.perAccount;
  // Each pass takes at most one delivery per account; an account leaves the rotation once it is
  // full or has nothing left that may be taken.
  while (ids.length < limit && queues.size > 0) {
    for (const [account, dests] of queues) {
      if (ids.length >= limit) break;
      if (accountFull(account)) {
        fullAccounts.add(account);
        queues.delete(account);
        continue;
      }
      let taken = false;
      for (const [destination, q] of dests) {
        dests.delete(destination);
        if (destinationFull(destination)) {
          fullDestinations.add(destination);
          continue;
        }
        ids.push(q.shift() as number);
        load.byDestination.set(destination, (load.byDestination.get(destination) ?? 0) + 1);
        load.byAccount.set(account, (load.byAccount.get(account) ?? 0) + 1);
        if (destinationFull(destination)) fullDestinations.add(destination);
        // Back of the account's rotation: its next pick goes to another destination first.
        else if (q.length > 0) dests.set(destination, q);
        taken = true;
        break;
      }
      if (accountFull(account)) fullAccounts.add(account);
      if (!taken || dests.size === 0 || accountFull(account)) queues.delete(account);
    }
  }
  return { ids, fullDestinations: [...fullDestinations], fullAccounts: [...fullAccounts] };
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
  /** Accounts already at their in-flight limit. */
  excludedAccounts: readonly number[];
  /** Ids chosen by earlier rounds of this claim. */
  chosen: readonly number[];
  want: number;
}

/** Rounds of "query, take fairly, exclude full destinations and accounts" per claim; each round fills a slot or ends. */
const MAX_CLAIM_ROUNDS = 8;

/**
 * The ids a dispatcher claims, for both backends: it yields each round's candidate query and is
 * handed the rows (SQLite answers at once, PostgreSQL with `await`, locking what it returns).
 * Destinations and accounts that fill up are excluded from the next round, so one tenant's
 * backlog cannot hide the rows of everyone else behind it.
 */
export function* fairClaim(input: {
  limit: number;
  perDestination: number;
  perAccount: number;
  inFlight: InFlightLoad;
  lookPastFull?: boolean;
}): Generator<CandidateQuery, number[], readonly ClaimCandidate[]> {
  const load = { byDestination: new Map(input.inFlight.byDestination), byAccount: new Map(input.inFlight.byAccount) };
  const caps = { perAccount: input.perAccount, perDestination: input.perDestination };
  const excluded = [...load.byDestination].filter(([, n]) => n >= caps.perDestination).map(([d]) => d);
  const excludedAccounts = [...load.byAccount].filter(([, n]) => n >= caps.perAccount).map(([a]) => a);
  const chosen: number[] = [];
  for (let round = 0; round < MAX_CLAIM_ROUNDS && chosen.length < input.limit; round++) {
    const want = (input.limit - chosen.length) * 2;
    const rows = yield { excluded: [...excluded], excludedAccounts: [...excludedAccounts], chosen: [...chosen], want };
    const picked = pickFair(rows, input.limit - chosen.length, caps, load);
    chosen.push(...picked.ids);
    const newlyFull = picked.fullDestinations.filter((d) => !excluded.includes(d));
    const newlyFullAccounts = picked.fullAccounts.filter((a) => !excludedAccounts.includes(a));
    if (rows.length < want || newlyFull.length + newlyFullAccounts.length === 0) break;
    if (input.lookPastFull === false) break;
    excluded.push(...newlyFull);
    excludedAccounts.push(...newlyFullAccounts);
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
