import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errors } from '../../domain/errors.js';
import { MAX_ADVANCE_STOPS } from '../../delivery/time-travel.js';
import { callerOf } from '../auth.js';
import { ERROR_RESPONSES } from '../schemas/message-schema.js';

export interface SandboxRouteDeps {
  /**
   * Present only when the server runs with `TAPBACK_CLOCK=manual`. `signal` aborts when the client
   * gives up: time then stays where it got to.
   */
  advanceClock: ((ms: number, signal: AbortSignal) => Promise<number>) | undefined;
  now: () => number;
}

const ClockResponse = Type.Object({
  status: Type.Literal('OK'),
  now: Type.String({ format: 'date-time' }),
  manual: Type.Boolean(),
});

export const sandboxRoutes: FastifyPluginAsyncTypebox<SandboxRouteDeps> = async (app, { advanceClock, now }) => {
  app.get(
    '/sandbox/clock',
    {
      schema: {
        summary: 'Read the server clock',
        tags: ['Sandbox'],
        response: { 200: ClockResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      callerOf(request);
      return { status: 'OK' as const, now: new Date(now()).toISOString(), manual: advanceClock !== undefined };
    },
  );

  app.post(
    '/sandbox/clock/advance',
    {
      schema: {
        summary: 'Move a manual clock forward',
        description:
          'With TAPBACK_CLOCK=manual: moves time forward by `ms` (at most one year) and runs everything that ' +
          'falls due (deliveries, receipts, retries) in time order before answering. A call that would stop at ' +
          `more than ${MAX_ADVANCE_STOPS} due times stops there with a 400 on \`ms\`; advance the rest in smaller steps.`,
        tags: ['Sandbox'],
        body: Type.Object({ ms: Type.Integer({ minimum: 0, maximum: 31_536_000_000 }) }),
        response: { 200: ClockResponse, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      callerOf(request);
      if (advanceClock === undefined) throw errors.clockNotManual();
      const gone = new AbortController();
      const onClose = (): void => gone.abort();
      reply.raw.once('close', onClose);
      try {
        const at = await advanceClock(request.body.ms, gone.signal);
        return { status: 'OK' as const, now: new Date(at).toISOString(), manual: true };
      } finally {
        reply.raw.off('close', onClose);
      }
    },
  );
};
