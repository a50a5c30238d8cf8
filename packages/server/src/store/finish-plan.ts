import type { JobOutcome, StatusChange } from '../domain/job.js';
import type { Message } from '../domain/message.js';
import { applyPatch, encodeScheduledStatus } from './status-patch.js';

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
}

/**
 * Job outcomes to writes, for both backends. `held` is each outcome's job and its claims so far, as
 * read (and on PostgreSQL locked) in the finishing transaction; `messages` are the messages of
 * `messageIdsToRead(outcomes)` as read there.
 *
 * - An outcome of a claim that no longer holds its job (`attempt` differs, or the job is gone) is
 *   not recorded; once a job is done in this batch, later outcomes for it are not either.
 * - A job's patches chain in memory on the message's state within the batch; patches that would
 *   move the status backwards are skipped, and each message is written once, with its last state.
 * - A job whose message no longer exists (removed with its account) is deleted and nothing else:
 *   there is nothing left to patch or to schedule for.
 */
export function planFinish(
  outcomes: readonly JobOutcome[],
  held: ReadonlyMap<number, number>,
  messages: ReadonlyMap<number, Message>,
  now: number,
): FinishPlan {
  const plan: FinishPlan = { retries: [], changes: [], written: [], schedule: [], deleted: [] };
  const current = new Map(messages);
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
    let message = current.get(o.messageId);
    if (message === undefined) continue;
    for (const patch of o.patches) {
      const next = applyPatch(message, patch, now);
      if (next === undefined) continue;
      plan.changes.push({ previous: message.status, message: next });
      message = next;
    }
    current.set(o.messageId, message);
    for (const s of o.schedule) {
      plan.schedule.push({ messageId: o.messageId, runAt: s.runAt, payload: encodeScheduledStatus(s) });
    }
  }
  for (const [id, message] of current) {
    const loaded = messages.get(id);
    if (loaded !== undefined && message !== loaded) plan.written.push({ message, from: loaded.status });
  }
  return plan;
}

/** The messages `planFinish` needs read: those a done outcome patches or schedules for. */
export function messageIdsToRead(outcomes: readonly JobOutcome[]): number[] {
  const ids = new Set<number>();
  for (const o of outcomes) {
    if (o.kind === 'done' && (o.patches.length > 0 || o.schedule.length > 0)) ids.add(o.messageId);
  }
  return [...ids].sort((a, b) => a - b);
}
