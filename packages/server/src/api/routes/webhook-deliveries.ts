import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errors } from '../../domain/errors.js';
import type { WebhooksPort } from '../../store/ports/webhooks-port.js';
import type { WebhookDeliveryDetailPort } from '../../store/ports/webhook-delivery-detail-port.js';
import type { WebhookDelivery, WebhookDeliveryLog } from '../../domain/webhook-delivery.js';
import { callerOf } from '../auth.js';
import { ERROR_RESPONSES } from '../schemas/message-schema.js';
import {
  DeliveryDetailResponse,
  DeliveryListResponse,
  DeliveryParams,
  DeliveryQuerySchema,
  ReplayResponse,
} from '../schemas/webhook-schema.js';

export interface WebhookDeliveryRouteDeps {
  store: WebhooksPort & WebhookDeliveryDetailPort;
  now: () => number;
  /** Wakes the dispatcher after a replay is queued. */
  onQueued: () => void;
  /** Replays per window per account, counted apart from every other limit. */
  replayRateLimit: { max: number; windowMs: number };
}

const TAG = ['Webhooks'];
const DEFAULT_LIMIT = 50;

/** The delivery log (every attempt of every webhook and status callback) and replay. */
export const webhookDeliveryRoutes: FastifyPluginAsyncTypebox<WebhookDeliveryRouteDeps> = async (
  app,
  { store, now, onQueued, replayRateLimit },
) => {
  app.get(
    '/api/account/webhooks/deliveries',
    {
      schema: {
        summary: 'List webhook deliveries',
        description: 'Newest first, each with its attempts (time, HTTP status, latency, error).',
        tags: TAG,
        operationId: 'webhooks.deliveries.list',
        querystring: DeliveryQuerySchema,
        response: { 200: DeliveryListResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? DEFAULT_LIMIT;
      const offset = q.offset ?? 0;
      const page = await store.listWebhookDeliveries(callerOf(request).accountId, {
        limit,
        offset,
        ...(q.message_handle === undefined ? {} : { messageHandle: q.message_handle }),
        ...(q.status === undefined ? {} : { status: q.status }),
        ...(q.url === undefined ? {} : { url: q.url }),
      });
      return {
        status: 'OK' as const,
        data: page.deliveries.map(toWireDelivery),
        pagination: { total: page.total, limit, offset, hasMore: offset + page.deliveries.length < page.total },
      };
    },
  );

  app.get(
    '/api/account/webhooks/deliveries/:id',
    {
      schema: {
        summary: 'Retrieve a webhook delivery',
        description:
          'One delivery as in the list, plus the request it sends: url, signed headers and the exact JSON body.',
        tags: TAG,
        operationId: 'webhooks.deliveries.retrieve',
        params: DeliveryParams,
        response: { 200: DeliveryDetailResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const d = await store.getWebhookDelivery(callerOf(request).accountId, request.params.id);
      if (d === undefined) throw errors.notFound('Webhook delivery');
      const last = d.attemptLog.at(-1);
      return {
        status: 'OK' as const,
        data: {
          ...toWireDelivery(d),
          request: {
            url: d.url,
            // Timestamp and signature differ per attempt; before the first, only what every attempt shares.
            headers: last?.requestHeaders ?? { 'content-type': 'application/json', 'webhook-id': d.webhookId },
            body: d.payload,
          },
        },
      };
    },
  );

  app.post(
    '/api/account/webhooks/deliveries/:id/replay',
    {
      config: {
        // Each replay is another POST to the account's endpoint: unbounded, a loop of replays
        // would fill the outbox and the dispatcher's slots. Counted before anything is queued.
        rateLimit: {
          max: replayRateLimit.max,
          timeWindow: replayRateLimit.windowMs,
          hook: 'preHandler',
          keyGenerator: (request) => `account:${callerOf(request).accountId}`,
        },
      },
      schema: {
        summary: 'Replay a webhook delivery',
        description:
          'Queues the same payload again, now, with the same webhook-id (a new delivery in the log, `replay_of` the old). 10 requests per 10 s per account.',
        tags: TAG,
        operationId: 'webhooks.deliveries.replay',
        params: DeliveryParams,
        response: { 200: ReplayResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const replay = await store.replayWebhookDelivery(callerOf(request).accountId, request.params.id, now());
      if (replay === undefined) throw errors.notFound('Webhook delivery');
      onQueued();
      return { status: 'OK' as const, data: toWireDelivery({ ...replay, attemptLog: [] }) };
    },
  );
};

const iso = (t: number): string => new Date(t).toISOString();

export function toWireDelivery(d: WebhookDelivery & Partial<Pick<WebhookDeliveryLog, 'attemptLog'>>) {
  return {
    id: d.id,
    webhook_id: d.webhookId,
    type: d.kind,
    url: d.url,
    message_handle: d.messageHandle,
    status_sequence: d.statusSeq,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: d.status === 'pending' && d.nextAttemptAt !== null ? iso(d.nextAttemptAt) : null,
    last_http_status: d.lastHttpStatus,
    last_error: d.lastError,
    replay_of: d.replayOf,
    created_at: iso(d.createdAt),
    updated_at: iso(d.updatedAt),
    attempt_log: (d.attemptLog ?? []).map((a) => ({
      attempt: a.attempt,
      at: iso(a.startedAt),
      http_status: a.httpStatus,
      latency_ms: a.durationMs,
      error: a.error,
      response_excerpt: a.responseExcerpt,
      response_content_type: a.responseContentType,
    })),
  };
}
