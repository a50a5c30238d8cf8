import { Type } from 'typebox';
import { MESSAGE_STATUSES, MESSAGE_TYPES, SERVICES } from '../../domain/message.js';
import { MESSAGE_REF } from './message-schema.js';
import { StringEnum } from './schema-helpers.js';

const exact = (description: string) => Type.Optional(Type.String({ minLength: 1, maxLength: 128, description }));
const date = (description: string) => Type.Optional(Type.String({ minLength: 1, maxLength: 64, description }));

export const ListQuerySchema = Type.Object({
  // The maximum is what rejects `1e309`: query coercion turns it into Infinity, which passes as an integer.
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'Page size; values above 100 are clamped to 100' }),
  ),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })),
  order_by: Type.Optional(
    StringEnum(['createdAt', 'updatedAt', 'sentAt', 'created_at', 'updated_at', 'sent_at'] as const),
  ),
  order_direction: Type.Optional(StringEnum(['asc', 'desc'] as const)),
  status: Type.Optional(StringEnum(MESSAGE_STATUSES)),
  service: Type.Optional(StringEnum(SERVICES)),
  is_outbound: Type.Optional(StringEnum(['true', 'false'] as const)),
  message_type: Type.Optional(StringEnum(MESSAGE_TYPES)),
  number: exact('Either party of the conversation'),
  from_number: exact('Exact sender'),
  to_number: exact('Exact recipient'),
  sendblue_number: exact('Exact line'),
  group_id: exact('Group id'),
  account_email: exact('Account email (always yours)'),
  worker_id: exact('Admin only; rejected'),
  created_at_gte: date('ISO-8601 date-time'),
  created_at_lte: date('ISO-8601 date-time'),
  sent_at_gte: date('ISO-8601 date-time'),
  sent_at_lte: date('ISO-8601 date-time'),
  updated_at_gte: date('ISO-8601 date-time'),
  updated_at_lte: date('ISO-8601 date-time'),
});

export const ListResponseSchema = Type.Object({
  status: Type.Literal('OK'),
  data: Type.Array(MESSAGE_REF),
  pagination: Type.Object({
    total: Type.Integer(),
    limit: Type.Integer(),
    offset: Type.Integer(),
    hasMore: Type.Boolean(),
  }),
});

export const RetrieveParamsSchema = Type.Object({
  message_handle: Type.String({ minLength: 1, maxLength: 128 }),
});

export const RetrieveResponseSchema = Type.Object({
  status: Type.Literal('OK'),
  data: MESSAGE_REF,
});
