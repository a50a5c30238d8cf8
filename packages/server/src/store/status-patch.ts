import type { Message } from '../domain/message.js';
import { canTransition } from '../domain/status.js';
import type { ScheduledInbound, FollowUp, RouteStep, StatusPatch } from '../domain/job.js';

/**
 * The message after `patch`, or undefined when the patch would not move its status forward.
 * Backend-neutral, so every Store chains a job's patches the same way.
 */
export function applyPatch(current: Message, patch: StatusPatch, now: number): Message | undefined {
  if (!canTransition(current.status, patch.status)) return undefined;
  return {
    ...current,
    status: patch.status,
    service: patch.service ?? current.service,
    wasDowngraded: patch.wasDowngraded !== undefined ? patch.wasDowngraded : current.wasDowngraded,
    errorCode: patch.errorCode !== undefined ? patch.errorCode : current.errorCode,
    errorMessage: patch.errorMessage !== undefined ? patch.errorMessage : current.errorMessage,
    errorReason: patch.errorReason !== undefined ? patch.errorReason : current.errorReason,
    errorDetail: patch.errorDetail !== undefined ? patch.errorDetail : current.errorDetail,
    updatedAt: Math.max(now, current.updatedAt),
    statusSeq: current.statusSeq + 1,
  };
}

/** A scheduled status job's payload column: the patch (or contact reply) and the chain that follows it. */
export function encodeScheduledStatus(s: {
  patch: StatusPatch | null;
  then: FollowUp[];
  reply?: ScheduledInbound;
  route?: RouteStep;
}): string {
  const base =
    s.reply === undefined ? { patch: s.patch, then: s.then } : { patch: s.patch, then: s.then, reply: s.reply };
  return JSON.stringify(s.route === undefined ? base : { ...base, route: s.route });
}

export function decodeScheduledStatus(payload: string | null): {
  patch: StatusPatch | null;
  then: FollowUp[];
  reply: ScheduledInbound | null;
  route: RouteStep | null;
} {
  if (payload === null) return { patch: null, then: [], reply: null, route: null };
  const parsed = JSON.parse(payload) as {
    patch?: StatusPatch | null;
    then?: FollowUp[];
    reply?: ScheduledInbound;
    route?: RouteStep;
  };
  return {
    patch: parsed.patch ?? null,
    then: parsed.then ?? [],
    reply: parsed.reply ?? null,
    route: parsed.route ?? null,
  };
}
