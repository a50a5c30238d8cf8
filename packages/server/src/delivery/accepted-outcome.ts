import { newHandle } from '../domain/ids.js';
import type { FollowUp, JobOutcome, ScheduledInbound, StatusPatch } from '../domain/job.js';
import type { Message } from '../domain/message.js';
import type { SendResult } from './providers/provider.js';
import type { Route } from './router.js';

/**
 * What a send the network accepted becomes: the statuses true now, the provider's scheduled events
 * as one durable chain of follow-up jobs, the network's ids (under the line that carried it), and
 * routing's move to SMS when this send made it.
 */
export function acceptedOutcome(
  base: { kind: 'done'; jobId: number; attempt: number; messageId: number },
  result: Extract<SendResult, { kind: 'accepted' }>,
  now: number,
  route: Extract<Route, { kind: 'route' }>,
  message: Message,
): Extract<JobOutcome, { kind: 'done' }> {
  const scheduled = result.scheduled ?? [];
  const patches = [...(result.patches ?? [])];
  // Scheduled events become one chain of relative delays, each scheduled when the one before
  // runs. A scheduled inbound message sorts after the status changes due at the same time, so
  // it is a durable job scheduled only once the status before it (DELIVERED) is applied.
  const later: FollowUp[] = [];
  for (const e of [...scheduled].sort((a, b) => a.afterMs - b.afterMs)) {
    if ('patch' in e) {
      if (e.afterMs <= 0) patches.push(e.patch);
      else later.push({ afterMs: e.afterMs, patch: e.patch });
    } else {
      later.push({
        afterMs: Math.max(0, e.afterMs),
        patch: null,
        reply: { handle: newHandle(), content: e.inbound.content },
      });
    }
  }
  const relative = later.map((e, i) => ({ ...e, afterMs: e.afterMs - (i === 0 ? 0 : later[i - 1]!.afterMs) }));
  const ids = result.networkMessageIds;
  const alreadyOnSms = message.service === 'SMS' && message.wasDowngraded === true;
  return {
    ...base,
    patches,
    schedule: chain(relative, now),
    ...(ids !== undefined && ids.length > 0 ? { networkMessageIds: ids } : {}),
    ...(route.line !== message.sendblueNumber ? { networkLine: route.line } : {}),
    ...(route.downgraded && !alreadyOnSms ? { downgrade: true as const } : {}),
  };
}

/** The first follow-up as a job due after its delay, carrying the rest of the chain. */
export function chain(
  followUps: FollowUp[],
  now: number,
): { runAt: number; patch: StatusPatch | null; then: FollowUp[]; reply?: ScheduledInbound }[] {
  const [first, ...rest] = followUps;
  if (first === undefined) return [];
  const link = { runAt: now + first.afterMs, patch: first.patch, then: rest };
  return [first.reply === undefined ? link : { ...link, reply: first.reply }];
}
