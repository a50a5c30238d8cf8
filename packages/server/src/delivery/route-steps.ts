import { DELIVERY_ERRORS } from '../domain/delivery-errors.js';
import type { JobOutcome, ScheduledStatus, StatusPatch } from '../domain/job.js';
import type { Message } from '../domain/message.js';
import type { SendResult } from './providers/provider.js';
import type { Route } from './router.js';

/** The outcomes and jobs routing adds to the worker's (router.ts decides; these record it). */

const SETTLED: ReadonlySet<string> = new Set(['DELIVERED', 'ERROR', 'DECLINED']);

/** A message over its own line as its own service: where every send went before routing. */
export function ownRoute(message: Message, provider: string): Extract<Route, { kind: 'route' }> {
  return {
    kind: 'route',
    line: message.sendblueNumber,
    provider,
    service: message.service,
    downgraded: false,
    viaFallback: false,
  };
}

/** The ERROR of a message that has nowhere to go (no SMS route). */
export function noRoutePatch(reason: string, detail?: string): StatusPatch {
  return {
    status: 'ERROR',
    errorCode: DELIVERY_ERRORS.sendFailed,
    errorMessage: 'Message failed to send',
    errorReason: reason,
    errorDetail: detail ?? null,
  };
}

/**
 * Whether an accepted send already says how it ends (the sandbox schedules its DELIVERED or ERROR):
 * then no fallback window is needed.
 */
export function settlesItself(result: Extract<SendResult, { kind: 'accepted' }>): boolean {
  return (
    (result.patches ?? []).some((p) => SETTLED.has(p.status)) ||
    (result.scheduled ?? []).some((e) => 'patch' in e && SETTLED.has(e.patch.status))
  );
}

/** The durable job that ends the fallback window at `runAt`. */
export function windowCheck(runAt: number, networkMessageIds: readonly string[] = []): ScheduledStatus {
  return { runAt, patch: null, then: [], route: { step: 'window', networkMessageIds: [...networkMessageIds] } };
}

/**
 * The message moves to SMS (a change of its own, same status, `service: "SMS"`,
 * `was_downgraded: true`) and its SMS send runs at once as a job of its own, retried like a send.
 */
export function downgradeOutcome(
  base: { kind: 'done'; jobId: number; attempt: number; messageId: number },
  now: number,
): Extract<JobOutcome, { kind: 'done' }> {
  return {
    ...base,
    patches: [],
    schedule: [{ runAt: now, patch: null, then: [], route: { step: 'resend' } }],
    downgrade: true,
  };
}
