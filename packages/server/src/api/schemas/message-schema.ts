import { Type } from 'typebox';
import { MESSAGE_STATUSES, MESSAGE_TYPES, SEND_STYLES, SERVICES } from '../../domain/message.js';
import { APP_CARD_LAYOUT_KEYS } from '../../domain/message-payload.js';
import { Nullable, StringEnum } from './schema-helpers.js';

const dateTime = (description: string) => Type.String({ format: 'date-time', description });

const AppCardLayoutWireSchema = Type.Object(
  Object.fromEntries(APP_CARD_LAYOUT_KEYS.map((k) => [k, Type.Optional(Type.String())])),
);

/** An App Card message's card, as the official SDK's `MessageResponse.AppCard`. */
const AppCardWireSchema = Type.Object({
  appName: Type.String(),
  extensionBundleId: Type.String(),
  teamId: Type.String(),
  url: Type.String(),
  layout: AppCardLayoutWireSchema,
  appStoreId: Type.Optional(Type.Integer()),
  fallbackText: Type.Optional(Type.String()),
  interactive: Type.Boolean(),
  sessionIdentifier: Type.String(),
  updateMessageHandle: Type.Optional(Type.String()),
});

/**
 * The flat message object (send response, /api/status, v2 `data`). It serialises responses and
 * documents them in /openapi.json; property order is the wire order.
 */
export const WireMessageSchema = Type.Object(
  {
    accountEmail: Type.String({ description: 'Email of the account (Sendblue’s camelCase spelling)' }),
    account_email: Type.String({ description: 'Email of the account (the SDK’s spelling)' }),
    content: Type.String({ description: 'Message text; empty when none' }),
    is_outbound: Type.Boolean(),
    status: StringEnum(MESSAGE_STATUSES),
    error_code: Nullable(Type.Integer({ description: 'Numeric error code if the message failed' })),
    error_message: Nullable(Type.String()),
    error_reason: Nullable(Type.String()),
    error_detail: Nullable(Type.String()),
    message_handle: Type.String({ description: 'Unique message id (lowercase UUID v7)' }),
    date_created: dateTime('When the message was created'),
    date_sent: dateTime('When the message was sent (Sendblue sets it at creation)'),
    date_updated: dateTime('When the message last changed'),
    from_number: Type.String(),
    number: Type.String({ description: 'The contact: to_number for outbound, from_number for inbound' }),
    to_number: Type.String(),
    sendblue_number: Type.String({ description: 'The account’s line' }),
    was_downgraded: Nullable(Type.Boolean()),
    plan: Type.String(),
    media_url: Type.String(),
    message_type: StringEnum(MESSAGE_TYPES),
    group_id: Type.String(),
    participants: Type.Array(Type.String()),
    group_display_name: Type.String(),
    send_style: Type.Unsafe<string>({ type: 'string', enum: ['', ...SEND_STYLES] }),
    opted_out: Type.Boolean(),
    service: StringEnum(SERVICES),
    status_sequence: Type.Integer({ description: 'Tapback: increments on every status change' }),
    date_read: Nullable(
      Type.String({
        format: 'date-time',
        description:
          'Tapback: when the recipient read this outbound message, as its network first reported it (iMessage ' +
          'through BlueBubbles); null until then. A read never changes `status`.',
      }),
    ),
    sms_segments: Nullable(
      Type.Integer({ description: 'Tapback: SMS parts of the content (GSM-7 160/153, UCS-2 70/67) when sent as SMS' }),
    ),
    app_card: Type.Optional(AppCardWireSchema),
  },
  { $id: 'Message' },
);

export const ErrorSchema = Type.Object(
  {
    status: Type.Literal('ERROR'),
    message: Type.String(),
    code: Type.String({ description: 'Stable snake_case error code' }),
    error_code: Nullable(Type.Integer()),
    error_message: Type.String(),
    details: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { $id: 'Error' },
);

export const MESSAGE_REF = Type.Unsafe({ $ref: 'Message#' });
export const ERROR_REF = Type.Unsafe({ $ref: 'Error#' });

/** Error responses every authenticated route may give. */
export const ERROR_RESPONSES = {
  400: ERROR_REF,
  401: ERROR_REF,
  404: ERROR_REF,
  429: ERROR_REF,
};
