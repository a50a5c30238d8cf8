import type { StatusChange, StatusPatch } from '../domain/job.js';
import type { Message, MessageStatus } from '../domain/message.js';
import { canTransition } from '../domain/status.js';
import type { ReceiptInput, ReceiptResult } from './ports/receipts-port.js';
import { applyPatch } from './status-patch.js';

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
  const byReceipt: StatusChange[][] = [];
  const results = receipts.map((r): ReceiptResult => {
    const before = ledger.changes.length;
    const result = ledger.applyReceipt(r, r.at);
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
  };
}
