import { Type } from 'typebox';
import { MESSAGE_STATUSES, SERVICES } from '../../domain/message.js';
import { MAX_SEARCH_LENGTH } from '../../messaging/conversations.js';
import { UNREAD_COUNT_CAP } from '../../store/ports/conversations-port.js';
import { MESSAGE_REF } from './message-schema.js';
import { Nullable, StringEnum } from './schema-helpers.js';
import { DeliverySchema } from './webhook-schema.js';

const line = (description: string) =>
  Type.String({ minLength: 1, maxLength: 64, description, examples: ['+15550001000'] });
// The maximum is what rejects `1e309`: query coercion turns it into Infinity, which passes as an integer.
const limit = Type.Optional(
  Type.Integer({ minimum: 1, maximum: 100, description: 'Page size, 1 to 100 (default 50)' }),
);

export const ConversationListQuery = Type.Object({
  sendblue_number: Type.Optional(line('Only this line’s conversations (default: every line of the account)')),
  limit,
  before: Type.Optional(
    Type.String({ minLength: 1, maxLength: 128, description: 'The `next_cursor` of the previous page' }),
  ),
});

const DateTime = Type.String({ format: 'date-time' });

export const ConversationSchema = Type.Object({
  conversation_id: Type.String({ description: 'Opaque and stable: the same line and peer always have the same id' }),
  sendblue_number: Type.String({ description: 'The line' }),
  number: Nullable(Type.String({ description: 'The contact of a 1:1 conversation; null for a group' })),
  group_id: Nullable(Type.String({ description: 'The group of a group conversation; null for a 1:1 one' })),
  participants: Type.Array(Type.String(), {
    description: 'The contacts, the line not included: the contact of a 1:1 conversation, a group’s current members',
  }),
  service: StringEnum(SERVICES),
  last_message: MESSAGE_REF,
  unread_count: Type.Integer({
    minimum: 0,
    maximum: UNREAD_COUNT_CAP,
    description: `Inbound messages after the read mark (every inbound message without one), counted up to ${UNREAD_COUNT_CAP}: ${UNREAD_COUNT_CAP} means that many or more`,
  }),
  last_message_at: DateTime,
});

export const ConversationListResponse = Type.Object({
  status: Type.Literal('OK'),
  data: Type.Array(ConversationSchema),
  next_cursor: Nullable(Type.String({ description: 'Pass as `before` for the next page; null on the last' })),
});

export const MarkConversationReadBody = Type.Object({
  sendblue_number: line('The conversation’s line'),
  number: Type.Optional(line('The contact, for a 1:1 conversation')),
  group_id: Type.Optional(
    Type.String({ minLength: 1, maxLength: 128, description: 'The group, for a group conversation' }),
  ),
});

export const MarkConversationReadResponse = Type.Object({
  status: Type.Literal('OK'),
  unread_count: Type.Integer({ minimum: 0, maximum: UNREAD_COUNT_CAP }),
});

export const MessageSearchQuery = Type.Object({
  q: Type.String({
    minLength: 1,
    maxLength: MAX_SEARCH_LENGTH,
    description: 'Words the message must all hold (case aside); punctuation and operators are ignored',
  }),
  sendblue_number: Type.Optional(line('Only this line’s messages')),
  limit,
});

export const MessageSearchResponse = Type.Object({
  status: Type.Literal('OK'),
  data: Type.Array(MESSAGE_REF),
});

export const TimelineParams = Type.Object({
  message_handle: Type.String({ minLength: 1, maxLength: 128 }),
});

export const TimelineResponse = Type.Object({
  status: Type.Literal('OK'),
  message_handle: Type.String(),
  statuses: Type.Array(
    Type.Object({
      status: StringEnum(MESSAGE_STATUSES),
      at: DateTime,
      error_code: Nullable(Type.Integer()),
      error_message: Nullable(Type.String()),
    }),
  ),
  webhook_deliveries: Type.Array(DeliverySchema, {
    description: 'As GET /api/account/webhooks/deliveries?message_handle= returns them, newest first (up to 100)',
  }),
});
