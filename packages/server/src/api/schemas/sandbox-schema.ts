import { Type } from 'typebox';
import { MAX_CONTENT_LENGTH } from '../../domain/validation.js';

const phone = (description: string) =>
  Type.String({ minLength: 1, maxLength: 64, description, examples: ['+19998887777'] });

export const InboundBodySchema = Type.Object({
  from: phone('The contact sending, E.164'),
  to: phone('Your line, E.164'),
  content: Type.Optional(Type.String({ maxLength: MAX_CONTENT_LENGTH })),
  media_url: Type.Optional(Type.String({ maxLength: 2048 })),
  group_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Sends into this group' })),
});

export const TypingSimulationBodySchema = Type.Object({
  from: phone('The contact typing, E.164'),
  to: phone('Your line, E.164'),
  is_typing: Type.Optional(Type.Boolean({ description: 'Default true' })),
});

export const TypingSimulationResponseSchema = Type.Object({
  status: Type.Literal('OK'),
  deliveries: Type.Integer({ description: 'typing_indicator webhook deliveries queued' }),
});

export const WaitQuerySchema = Type.Object({
  to: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Exact to_number' })),
  from: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Exact from_number' })),
  contains: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'A substring of content' })),
  since: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 64,
      description:
        'Only messages created after this: an ISO 8601 time, or the message_handle of one of your messages ' +
        '(pass the handle the previous wait answered)',
    }),
  ),
  timeout_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 30_000, description: 'Default 5000' })),
});
