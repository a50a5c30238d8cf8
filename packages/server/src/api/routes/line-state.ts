import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { LinesPort } from '../../store/ports/lines-port.js';
import type { NetworkChatsPort } from '../../store/ports/network-chats-port.js';
import { callerOf } from '../auth.js';
import { LineStateResponseSchema } from '../schemas/line-state-schema.js';
import { ERROR_RESPONSES } from '../schemas/message-schema.js';

export interface LineStateRouteDeps {
  store: Pick<LinesPort, 'listLines' | 'listLineHealth'> & Partial<Pick<NetworkChatsPort, 'listLineEventSources'>>;
  now: () => number;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The account's lines and the latest health transition their providers reported. */
export const lineStateRoutes: FastifyPluginAsyncTypebox<LineStateRouteDeps> = async (app, { store, now }) => {
  app.get(
    '/api/v2/lines/state',
    {
      schema: {
        summary: 'Line health',
        description:
          'Each line of the account with the latest health its provider reported (persisted, so any process answers the same).',
        tags: ['Lines'],
        operationId: 'lines.getState',
        response: { 200: LineStateResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { accountId } = callerOf(request);
      const [lines, health] = await Promise.all([store.listLines(accountId), store.listLineHealth(accountId)]);
      const byNumber = new Map(health.map((h) => [h.number, h]));
      // How events arrive is a BlueBubbles line's matter; other lines leave the field out.
      const pushed = lines.filter((l) => l.provider === 'bluebubbles').map((l) => l.number);
      const sources =
        pushed.length === 0 || store.listLineEventSources === undefined ? [] : await store.listLineEventSources(pushed);
      const sourceOf = new Map(sources.map((s) => [s.line, s]));
      return {
        status: 'OK' as const,
        snapshot_at: new Date(now()).toISOString(),
        data: lines.map((line) => {
          const h = byNumber.get(line.number);
          return {
            assignment: 'assigned' as const,
            sendblue_number: line.number,
            status: h?.status ?? ('UNKNOWN' as const),
            worker_id: h?.workerId ?? '',
            degraded_since: iso(h?.degradedSince ?? null),
            effective_until: null,
            status_changed_at: iso(h?.changedAt ?? null),
            provider: line.provider,
            last_error: h?.lastError ?? null,
            last_error_at: iso(h?.lastErrorAt ?? null),
            ...(line.provider === 'bluebubbles'
              ? {
                  events: sourceOf.get(line.number)?.mode ?? ('webhook' as const),
                  events_detail: sourceOf.get(line.number)?.detail ?? null,
                }
              : {}),
          };
        }),
      };
    },
  );
};
