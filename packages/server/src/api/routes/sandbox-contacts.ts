import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errors } from '../../domain/errors.js';
import { toWire } from '../../domain/message.js';
import type { MessageWaiter } from '../../messaging/message-waiter.js';
import type { ReceiveService } from '../../messaging/receive-message.js';
import type { TypingService } from '../../messaging/typing.js';
import { callerOf } from '../auth.js';
import { ERROR_REF, ERROR_RESPONSES, MESSAGE_REF } from '../schemas/message-schema.js';
import {
  InboundBodySchema,
  TypingSimulationBodySchema,
  TypingSimulationResponseSchema,
  WaitQuerySchema,
} from '../schemas/sandbox-schema.js';

export interface SandboxContactRouteDeps {
  receive: ReceiveService;
  typing: TypingService;
  waiter: MessageWaiter;
  /** Wait requests per second per account, `timeout_ms=0` ones included. */
  waitRatePerSecond: number;
  /** Refuses a line of the account that a real network carries (`not_a_sandbox_line`). */
  requireSandboxLine: (accountId: number, raw: string, field: string) => Promise<void>;
}

const TAG = ['Sandbox'];
const DEFAULT_WAIT_MS = 5_000;

/**
 * The sandbox's contacts, for users' tests: a contact sends a message or types to one of the
 * account's lines, and a test waits for a message to exist.
 */
export const sandboxContactRoutes: FastifyPluginAsyncTypebox<SandboxContactRouteDeps> = async (
  app,
  { receive, typing, waiter, waitRatePerSecond, requireSandboxLine },
) => {
  app.post(
    '/sandbox/inbound',
    {
      schema: {
        summary: 'Receive a message from a contact',
        description:
          'Injects a message from `from` to your line `to` (into `group_id` if given): stored as RECEIVED, ' +
          'delivered to your receive webhooks; STOP/START/HELP keywords apply.',
        tags: TAG,
        operationId: 'sandbox.inbound',
        body: InboundBodySchema,
        response: { 200: MESSAGE_REF, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      await requireSandboxLine(callerOf(request).accountId, request.body.to, 'to');
      return toWire(await receive.receive(callerOf(request), request.body));
    },
  );

  app.post(
    '/sandbox/typing',
    {
      schema: {
        summary: 'A contact types',
        description: 'Queues `typing_indicator` webhooks: `{number, is_typing, from_number, timestamp}`.',
        tags: TAG,
        operationId: 'sandbox.typing',
        body: TypingSimulationBodySchema,
        response: { 200: TypingSimulationResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      await requireSandboxLine(callerOf(request).accountId, request.body.to, 'to');
      return { status: 'OK' as const, deliveries: await typing.contactTyping(callerOf(request), request.body) };
    },
  );

  app.get(
    '/sandbox/wait',
    {
      // Its own limit, not the list's: a test suite waiting for its messages is not throttled
      // by the list's 10/s, and a loop of `timeout_ms=0` waits cannot sidestep a limit.
      config: {
        rateLimit: {
          max: waitRatePerSecond,
          timeWindow: 1000,
          hook: 'preHandler',
          keyGenerator: (request) => `account:${callerOf(request).accountId}`,
        },
      },
      schema: {
        summary: 'Wait for a message',
        description:
          'Long-polls until one of your messages matches every given filter (`to`, `from`, `contains`), then ' +
          'answers with the newest match; 408 `wait_timeout` after `timeout_ms` (default 5000, at most 30000). ' +
          '429 `rate_limited` beyond the pending waits (`TAPBACK_WAIT_MAX_PENDING`, default 50) or requests per ' +
          'second (`TAPBACK_WAIT_RATE_MAX`, default 50) an account may have.',
        tags: TAG,
        operationId: 'sandbox.wait',
        querystring: WaitQuerySchema,
        response: { 200: MESSAGE_REF, ...ERROR_RESPONSES, 408: ERROR_REF },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const stop = new AbortController();
      // A client that gives up (its connection closes before the answer) stops the wait.
      const onClose = (): void => stop.abort();
      reply.raw.once('close', onClose);
      try {
        const found = await waiter.waitFor(
          callerOf(request),
          {
            timeoutMs: q.timeout_ms ?? DEFAULT_WAIT_MS,
            ...(q.to === undefined ? {} : { to: q.to }),
            ...(q.from === undefined ? {} : { from: q.from }),
            ...(q.contains === undefined ? {} : { contains: q.contains }),
            ...(q.since === undefined ? {} : { since: q.since }),
          },
          stop.signal,
        );
        if (found === undefined) throw errors.waitTimeout();
        return toWire(found);
      } finally {
        reply.raw.off('close', onClose);
      }
    },
  );
};
