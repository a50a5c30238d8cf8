import { Type } from 'typebox';
import { DELIVERY_STATUSES, WEBHOOK_TYPES } from '../../domain/webhook.js';
import { Nullable, StringEnum } from './schema-helpers.js';

/** Request and response shapes of /api/account/webhooks (Sendblue's webhook management API) and its delivery log. */

const Url = Type.String({ minLength: 1, maxLength: 2048, description: 'Absolute http(s) URL' });
const Secret = Type.String({ minLength: 1, maxLength: 512 });

const EntryObject = Type.Object({
  url: Url,
  secret: Type.Optional(Secret),
  sendblue_numbers: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 32 }), {
      maxItems: 100,
      description: '`receive` only: deliver just the events of these lines',
    }),
  ),
});

/** A URL string, or `{url, secret, sendblue_numbers}`. */
const Entry = Type.Union([Url, EntryObject]);
const EntryList = Type.Array(Entry, { maxItems: 100 });
const WebhookTypeSchema = StringEnum(WEBHOOK_TYPES);

export const AddWebhooksBody = Type.Object({
  webhooks: Type.Array(Entry, { minItems: 1, maxItems: 100 }),
  type: Type.Optional(WebhookTypeSchema),
  globalSecret: Type.Optional(Secret),
});

export const ReplaceWebhooksBody = Type.Object({
  webhooks: Type.Object({
    receive: Type.Optional(EntryList),
    outbound: Type.Optional(EntryList),
    typing_indicator: Type.Optional(EntryList),
    call_log: Type.Optional(EntryList),
    line_blocked: Type.Optional(EntryList),
    line_assigned: Type.Optional(EntryList),
    contact_created: Type.Optional(EntryList),
    globalSecret: Type.Optional(Nullable(Secret)),
  }),
});

export const DeleteWebhooksBody = Type.Object({
  webhooks: Type.Array(Url, { minItems: 1, maxItems: 100 }),
  type: Type.Optional(WebhookTypeSchema),
});

const EntryOut = Type.Union([
  Type.String(),
  Type.Object({
    url: Type.String(),
    secret: Type.Optional(Type.String()),
    sendblue_numbers: Type.Optional(Type.Array(Type.String())),
    disabled: Type.Optional(Type.Boolean({ description: 'Tapback: true after the endpoint answered 410 Gone' })),
    disabled_reason: Type.Optional(Type.String()),
  }),
]);

const WebhookMap = Type.Object({
  receive: Type.Array(EntryOut),
  outbound: Type.Array(EntryOut),
  typing_indicator: Type.Array(EntryOut),
  call_log: Type.Array(EntryOut),
  line_blocked: Type.Array(EntryOut),
  line_assigned: Type.Array(EntryOut),
  contact_created: Type.Array(EntryOut),
  globalSecret: Type.Optional(Type.String()),
});

export const WebhooksResponse = Type.Object({
  status: Type.Literal('OK'),
  message: Type.Optional(Type.String()),
  webhooks: WebhookMap,
  signing_secret: Type.String({
    description: 'Tapback: the Standard Webhooks secret (whsec_...) that signs every delivery of this account',
  }),
});

export const DeleteWebhooksResponse = Type.Object({ status: Type.Literal('OK'), message: Type.String() });

export const DeliveryQuerySchema = Type.Object({
  message_handle: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  status: Type.Optional(StringEnum(DELIVERY_STATUSES)),
  url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })),
});

const DateTime = Type.String({ format: 'date-time' });

export const DeliverySchema = Type.Object({
  id: Type.Integer(),
  webhook_id: Type.String({ description: 'The webhook-id header; the same on every attempt and replay' }),
  type: Type.String({ description: '`status_callback` or an account webhook type' }),
  url: Type.String(),
  message_handle: Nullable(Type.String()),
  status_sequence: Nullable(Type.Integer()),
  status: StringEnum(DELIVERY_STATUSES),
  attempts: Type.Integer(),
  next_attempt_at: Nullable(DateTime),
  last_http_status: Nullable(Type.Integer()),
  last_error: Nullable(Type.String()),
  replay_of: Nullable(Type.Integer()),
  created_at: DateTime,
  updated_at: DateTime,
  attempt_log: Type.Array(
    Type.Object({
      attempt: Type.Integer(),
      at: DateTime,
      http_status: Nullable(Type.Integer()),
      latency_ms: Type.Integer(),
      error: Nullable(Type.String()),
      response_excerpt: Nullable(
        Type.String({
          description:
            'Tapback: at most the first 1,024 bytes of the answer body (UTF-8, lossy); null when no answer came',
        }),
      ),
      response_content_type: Nullable(Type.String({ description: "Tapback: the answer's content-type header" })),
    }),
  ),
});

export const DeliveryListResponse = Type.Object({
  status: Type.Literal('OK'),
  data: Type.Array(DeliverySchema),
  pagination: Type.Object({
    total: Type.Integer(),
    limit: Type.Integer(),
    offset: Type.Integer(),
    hasMore: Type.Boolean(),
  }),
});

export const DeliveryDetailResponse = Type.Object({
  status: Type.Literal('OK'),
  data: Type.Intersect([
    DeliverySchema,
    Type.Object({
      request: Type.Object({
        url: Type.String(),
        headers: Type.Record(Type.String(), Type.String(), {
          description:
            'The headers the latest attempt was signed with (`sb-signing-secret` redacted); before any attempt, only content-type and webhook-id',
        }),
        body: Type.String({ description: 'The exact JSON payload POSTed, the same bytes on every attempt' }),
      }),
    }),
  ]),
});

export const DeliveryParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });
export const ReplayResponse = Type.Object({ status: Type.Literal('OK'), data: DeliverySchema });
