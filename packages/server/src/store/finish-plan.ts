import type { JobOutcome, StatusChange } from '../domain/job.js';
import type { Message } from '../domain/message.js';
import { type EarlyReceipt, ReceiptLedger, type Segment, segmentKey } from './receipt-plan.js';
import { encodeScheduledStatus } from './status-patch.js';

/** What recording a batch of job outcomes writes, decided before anything is written. */
export interface FinishPlan {
  retries: { jobId: number; runAt: number; error: string }[];
  /** Every status change, in the order applied (each causes its webhook deliveries). */
  changes: StatusChange[];
  /** Each changed message once, in its last state, with the status it had when read. */
  written: { message: Message; from: Message['status'] }[];
  /** Follow-up status jobs to insert. */
  schedule: { messageId: number; runAt: number; payload: string }[];
  /** Jobs that are done (including those whose message is gone). */
  deleted: number[];
  /** The network's ids recorded now, as segments in their state after the early receipts. */
  segments: Segment[];
  /** Each message's first network id, its `provider_message_id`. */
  providerIds: { messageId: number; line: string; networkMessageId: string }[];
  /** The early receipts applied now (their ids are recorded), to delete. */
  claimedEarly: number[];
  /**
   * Messages routing moved to SMS: their network segments and their other pending status jobs
   * (the abandoned attempt's scheduled receipts) are deleted before `schedule` is inserted.
   */
  abandoned: { messageId: number; jobId: number }[];
}

/**
 * Job outcomes to writes, for both backends. `held` is each outcome's job and its claims so far, as
 * read (and on PostgreSQL locked) in the finishing transaction; `messages` are the messages of
 * `messageIdsToRead(outcomes)` as read there; `early` the kept receipts for the outcomes' network
 * ids (`networkIdsToRead`), in the order they arrived.
 *
 * - An outcome of a claim that no longer holds its job (`attempt` differs, or the job is gone) is
 *   not recorded; once a job is done in this batch, later outcomes for it are not either.
 * - A job's patches chain in memory on the message's state within the batch; patches that would
 *   move the status backwards are skipped, and each message is written once, with its last state.
 * - Network ids are recorded with the outcome, and the receipts that arrived for them before it
 *   are applied right after its patches, in the order they arrived, as if they had come later.
 * - A job whose message no longer exists (removed with its account) is deleted and nothing else:
 *   there is nothing left to patch or to schedule for.
 */
export function planFinish(
  outcomes: readonly JobOutcome[],
  held: ReadonlyMap<number, number>,
  messages: ReadonlyMap<number, Message>,
  now: number,
  early: readonly EarlyReceipt[] = [],
): FinishPlan {
  const plan: FinishPlan = {
    retries: [],
    changes: [],
    written: [],
    schedule: [],
    deleted: [],
    segments: [],
    providerIds: [],
    claimedEarly: [],
    abandoned: [],
  };
  const ledger = new ReceiptLedger(messages);
  const earlyById = new Map<string, EarlyReceipt[]>();
  for (const r of early) {
    const key = segmentKey(r.line, r.networkMessageId);
    earlyById.set(key, [...(earlyById.get(key) ?? []), r]);
  }
  const done = new Set<number>();
  for (const o of outcomes) {
    if (done.has(o.jobId)) continue;
    if (o.attempt !== undefined && held.get(o.jobId) !== o.attempt) continue;
    if (o.kind === 'retry') {
      plan.retries.push({ jobId: o.jobId, runAt: o.runAt, error: o.error });
      continue;
    }
    done.add(o.jobId);
    plan.deleted.push(o.jobId);
    const message = ledger.message(o.messageId);
    if (message === undefined) continue;
    if (o.downgrade === true) {
      // Delivered, failed or already on SMS meanwhile: the fallback no longer applies.
      if (!ledger.downgrade(o.messageId, now)) continue;
      plan.abandoned.push({ messageId: o.messageId, jobId: o.jobId });
    }
    for (const patch of o.patches) ledger.patchMessage(o.messageId, patch, now);
    const ids = o.networkMessageIds ?? [];
    if (ids.length > 0) {
      const line = o.networkLine ?? message.sendblueNumber;
      ledger.recordIds(o.messageId, line, ids);
      plan.providerIds.push({ messageId: o.messageId, line, networkMessageId: ids[0]! });
      const waiting = ids.flatMap((id) => earlyById.get(segmentKey(line, id)) ?? []).sort((a, b) => a.id - b.id);
      for (const r of waiting) {
        ledger.applyReceipt(r, now);
        plan.claimedEarly.push(r.id);
      }
    }
    for (const s of o.schedule) {
      plan.schedule.push({ messageId: o.messageId, runAt: s.runAt, payload: encodeScheduledStatus(s) });
    }
  }
  plan.changes = ledger.changes;
  plan.written = ledger.written();
  plan.segments = ledger.changedSegments();
  return plan;
}

/** The messages `planFinish` needs read: those a done outcome patches, schedules for or records ids of. */
export function messageIdsToRead(outcomes: readonly JobOutcome[]): number[] {
  const ids = new Set<number>();
  for (const o of outcomes) {
    if (o.kind !== 'done') continue;
    if (o.patches.length > 0 || o.schedule.length > 0 || (o.networkMessageIds?.length ?? 0) > 0 || o.downgrade) {
      ids.add(o.messageId);
    }
  }
  return [...ids].sort((a, b) => a - b);
}

/**
 * The early receipts `planFinish` needs read: those for the network ids the outcomes record, on
 * their messages' lines (`messages` as read). Empty, and nothing to read, for outcomes without ids.
 */
export function networkIdsToRead(
  outcomes: readonly JobOutcome[],
  messages: ReadonlyMap<number, Message>,
): { line: string; networkMessageId: string }[] {
  const out: { line: string; networkMessageId: string }[] = [];
  for (const o of outcomes) {
    if (o.kind !== 'done' || o.networkMessageIds === undefined) continue;
    const own = messages.get(o.messageId)?.sendblueNumber;
    if (own === undefined) continue;
    const line = o.networkLine ?? own;
    for (const networkMessageId of o.networkMessageIds) out.push({ line, networkMessageId });
  }
  return out;
}

/** Every network id the outcomes record, whatever their line: what PostgreSQL serialises on. */
export function networkIdsOf(outcomes: readonly JobOutcome[]): string[] {
  return outcomes.flatMap((o) => (o.kind === 'done' ? (o.networkMessageIds ?? []) : []));
}
