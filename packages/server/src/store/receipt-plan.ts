import type { StatusChange, StatusPatch } from '../domain/job.js';
import type { Message, MessageStatus } from '../domain/message.js';
import { canTransition, isFinal } from '../domain/status.js';
import type { ReceiptInput, ReceiptResult } from './ports/receipts-port.js';
import { applyPatch, encodeScheduledStatus } from './status-patch.js';

/** One segment of a sent message as its network carries it, under the network's id for it. */
export interface Segment {
  line: string;
  networkMessageId: string;
  messageId: number;
  /** Its place in the message, 0 first. */
  position: number;
  /** QUEUED until a receipt names it; then only forward, as a message's status moves. */
  status: MessageStatus;
  /** The last receipt applied to it; null before any. */
  patch: StatusPatch | null;
}

/** A receipt kept until its id is recorded, in the order receipts arrived (`id`). */
export interface EarlyReceipt extends ReceiptInput {
  id: number;
  receivedAt: number;
}

/** What applying receipts writes, decided before anything is written. */
export interface ReceiptPlan {
  results: ReceiptResult[];
  /** Every status change, in the order applied (each causes its webhook deliveries). */
  changes: StatusChange[];
  /** The same changes, by the receipt that caused them. */
  byReceipt: StatusChange[][];
  /** Each changed message once, in its last state, with the status it had when read. */
  written: { message: Message; from: MessageStatus }[];
  /** Each new or changed segment once, in its last state. */
  segments: Segment[];
  /** Receipts whose id is not recorded yet, to keep. */
  early: { line: string; networkMessageId: string; patch: StatusPatch; receivedAt: number }[];
  /**
   * Routing steps to schedule now: an ERROR receipt flagged `notOnService` is not applied but
   * handed to routing (a `not_on_service` status job), which sends the message by SMS or fails it.
   */
  routeJobs: { messageId: number; runAt: number; payload: string }[];
  /**
   * First reads to record (`read_at`, set only where still NULL); each message's other changed
   * fields are in `written`. A status change never writes `read_at`, so only this does.
   */
  reads: { messageId: number; readAt: number }[];
}

export const segmentKey = (line: string, networkMessageId: string): string => `${line}\n${networkMessageId}`;

const FAILED: ReadonlySet<MessageStatus> = new Set(['ERROR', 'DECLINED']);

/**
 * The status a message's segments amount to, as the patch that moves the message there, or
 * undefined while no segment has moved. `latest` is the receipt just applied to one of them.
 * ERROR as soon as one segment failed (with that segment's error fields), DELIVERED when every
 * segment was delivered, SENT otherwise.
 */
export function foldSegments(segments: readonly Segment[], latest: StatusPatch): StatusPatch | undefined {
  const failed = segments.find((s) => FAILED.has(s.status));
  if (failed !== undefined) return failed.patch ?? { status: failed.status };
  if (segments.every((s) => s.status === 'DELIVERED')) return latest;
  if (segments.every((s) => s.status === 'QUEUED')) return undefined;
  return latest.status === 'SENT' ? latest : { status: 'SENT' };
}

/**
 * The messages and segments one transaction reads, and what it does to them, for both backends:
 * status patches of a job's outcome, network ids recorded with it, and receipts, chained in memory
 * in the order given. Every message is written once, with its last state.
 */
export class ReceiptLedger {
  readonly changes: StatusChange[] = [];
  private readonly current: Map<number, Message>;
  private readonly segments = new Map<string, Segment>();
  private readonly byMessage = new Map<number, Segment[]>();
  private readonly touched = new Set<string>();

  /** `segments`: every segment of every message a receipt to apply names, as read. */
  constructor(
    private readonly loaded: ReadonlyMap<number, Message>,
    segments: Iterable<Segment> = [],
  ) {
    this.current = new Map(loaded);
    for (const s of segments) this.put(s);
  }

  message(id: number): Message | undefined {
    return this.current.get(id);
  }

  /** The message a recorded network id names, if any. */
  messageIdOf(line: string, networkMessageId: string): number | undefined {
    return this.segments.get(segmentKey(line, networkMessageId))?.messageId;
  }

  /** Applies `patch` to the message unless it would move its status backwards. */
  patchMessage(id: number, patch: StatusPatch, now: number): void {
    const message = this.current.get(id);
    if (message === undefined) return;
    const next = applyPatch(message, patch, now);
    if (next === undefined) return;
    this.changes.push({ previous: message.status, message: next });
    this.current.set(id, next);
  }

  /**
   * Records that the recipient read the outbound message at `readAt`: a change of its own at the
   * same status (its callback shows `date_read`). False, changing nothing, when it already has a
   * read (the first one wins) or is not outbound.
   */
  markRead(id: number, readAt: number, now: number): boolean {
    const message = this.current.get(id);
    if (message === undefined || !message.isOutbound || message.dateRead !== null) return false;
    const next: Message = {
      ...message,
      dateRead: readAt,
      updatedAt: Math.max(now, message.updatedAt),
      statusSeq: message.statusSeq + 1,
    };
    this.changes.push({ previous: message.status, message: next, read: true });
    this.current.set(id, next);
    return true;
  }

  /** Messages read for the first time since loaded, with when. */
  reads(): { messageId: number; readAt: number }[] {
    const out: { messageId: number; readAt: number }[] = [];
    for (const [id, message] of this.current) {
      if (message.dateRead !== null && this.loaded.get(id)?.dateRead === null) {
        out.push({ messageId: id, readAt: message.dateRead });
      }
    }
    return out;
  }

  /**
   * Moves the message to SMS (routing's fallback): a change of its own at the same status, with
   * `service: "SMS"` and `was_downgraded: true`, and its segments so far forgotten (the abandoned
   * attempt's receipts no longer name it). False, changing nothing, when the message is final or
   * already went by SMS this way.
   */
  downgrade(id: number, now: number): boolean {
    const message = this.current.get(id);
    if (message === undefined || isFinal(message.status)) return false;
    if (message.service === 'SMS' && message.wasDowngraded === true) return false;
    const next: Message = {
      ...message,
      service: 'SMS',
      wasDowngraded: true,
      updatedAt: Math.max(now, message.updatedAt),
      statusSeq: message.statusSeq + 1,
    };
    this.changes.push({ previous: message.status, message: next });
    this.current.set(id, next);
    for (const s of this.byMessage.get(id) ?? []) this.segments.delete(segmentKey(s.line, s.networkMessageId));
    this.byMessage.set(id, []);
    return true;
  }

  /**
   * Records the network's ids for a message, QUEUED until receipts name them. An id the line's
   * network used before for another message (ids wrap around) now names this one.
   */
  recordIds(messageId: number, line: string, ids: readonly string[]): void {
    for (const [position, networkMessageId] of ids.entries()) {
      const key = segmentKey(line, networkMessageId);
      const old = this.segments.get(key);
      if (old !== undefined) {
        const rest = (this.byMessage.get(old.messageId) ?? []).filter((s) => s !== old);
        this.byMessage.set(old.messageId, rest);
      }
      this.put({ line, networkMessageId, messageId, position, status: 'QUEUED', patch: null });
      this.touched.add(key);
    }
  }

  /** Applies one receipt whose id is recorded; `early` when it is not. */
  applyReceipt(receipt: ReceiptInput, now: number): ReceiptResult {
    const key = segmentKey(receipt.line, receipt.networkMessageId);
    const segment = this.segments.get(key);
    if (segment === undefined) return 'early';
    if (!this.current.has(segment.messageId)) return 'stale';
    if (!canTransition(segment.status, receipt.patch.status)) {
      return segment.status === receipt.patch.status ? 'duplicate' : 'stale';
    }
    const next: Segment = { ...segment, status: receipt.patch.status, patch: receipt.patch };
    this.put(next);
    this.touched.add(key);
    const fold = foldSegments(this.byMessage.get(segment.messageId) ?? [], receipt.patch);
    if (fold !== undefined) this.patchMessage(segment.messageId, fold, now);
    return 'applied';
  }

  /** Each changed message once, in its last state, with the status it had when read. */
  written(): { message: Message; from: MessageStatus }[] {
    const out: { message: Message; from: MessageStatus }[] = [];
    for (const [id, message] of this.current) {
      const loaded = this.loaded.get(id);
      if (loaded !== undefined && message !== loaded) out.push({ message, from: loaded.status });
    }
    return out;
  }

  /** Each new or changed segment once, in its last state. */
  changedSegments(): Segment[] {
    return [...this.touched].flatMap((key) => {
      const s = this.segments.get(key);
      return s === undefined ? [] : [s];
    });
  }

  private put(s: Segment): void {
    const key = segmentKey(s.line, s.networkMessageId);
    const old = this.segments.get(key);
    this.segments.set(key, s);
    const list = this.byMessage.get(s.messageId) ?? [];
    const at = old === undefined ? -1 : list.indexOf(old);
    if (at >= 0) list[at] = s;
    else list.push(s);
    this.byMessage.set(s.messageId, list);
  }
}

/** A receipt and when it was received (the `now` of the call that brought it). */
export interface TimedReceipt extends ReceiptInput {
  at: number;
}

/**
 * Receipts to writes, for both backends. `segments` are every segment of the messages the
 * receipts' ids name and `messages` those messages, as read (and on PostgreSQL locked) in the
 * applying transaction. A receipt for an id not recorded is kept as early; one whose message is
 * gone (its segments went with it) is stale.
 */
export function planReceipts(
  receipts: readonly TimedReceipt[],
  segments: Iterable<Segment>,
  messages: ReadonlyMap<number, Message>,
): ReceiptPlan {
  const ledger = new ReceiptLedger(messages, segments);
  const early: ReceiptPlan['early'] = [];
  const routeJobs: ReceiptPlan['routeJobs'] = [];
  const byReceipt: StatusChange[][] = [];
  const results = receipts.map((r): ReceiptResult => {
    const before = ledger.changes.length;
    const handed = notOnServiceJob(ledger, r);
    if (handed !== undefined) {
      byReceipt.push([]);
      routeJobs.push(handed);
      return 'applied';
    }
    const applied = ledger.applyReceipt(r, r.at);
    const result = r.readAt !== undefined && applied !== 'early' && readOf(ledger, r, r.readAt) ? 'applied' : applied;
    byReceipt.push(ledger.changes.slice(before));
    if (result === 'early') {
      early.push({ line: r.line, networkMessageId: r.networkMessageId, patch: r.patch, receivedAt: r.at });
    }
    return result;
  });
  return {
    results,
    changes: ledger.changes,
    byReceipt,
    written: ledger.written(),
    segments: ledger.changedSegments(),
    early,
    routeJobs,
    reads: ledger.reads(),
  };
}

/** The routing job for an ERROR receipt that says the recipient is not on the service, if it is one. */
function notOnServiceJob(ledger: ReceiptLedger, r: TimedReceipt): ReceiptPlan['routeJobs'][number] | undefined {
  if (r.notOnService !== true || r.patch.status !== 'ERROR') return undefined;
  const messageId = ledger.messageIdOf(r.line, r.networkMessageId);
  const message = messageId === undefined ? undefined : ledger.message(messageId);
  if (messageId === undefined || message === undefined || isFinal(message.status)) return undefined;
  const payload = encodeScheduledStatus({ patch: null, then: [], route: { step: 'not_on_service', patch: r.patch } });
  return { messageId, runAt: r.at, payload };
}

/** Records a read receipt's read on the message its id names; true when it was the first. */
function readOf(ledger: ReceiptLedger, r: TimedReceipt, readAt: number): boolean {
  const messageId = ledger.messageIdOf(r.line, r.networkMessageId);
  return messageId !== undefined && ledger.markRead(messageId, readAt, r.at);
}
