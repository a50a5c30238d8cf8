import { Type } from 'typebox';
import { SERVICES } from '../../domain/message.js';
import { Nullable, StringEnum } from './schema-helpers.js';

const phone = (description: string) =>
  Type.String({ minLength: 1, maxLength: 64, description, examples: ['+19998887777'] });

export const OptOutBodySchema = Type.Object({
  number: phone('The contact, E.164'),
  opted_out: Type.Optional(Type.Boolean({ description: 'true (the default) opts out; false opts back in' })),
});

export const OptOutResponseSchema = Type.Object({
  status: Type.Literal('OK'),
  number: Type.String(),
  opted_out: Type.Boolean(),
});

export const EvaluateServiceQuerySchema = Type.Object({ number: phone('The number to look up, E.164') });

export const EvaluateServiceResponseSchema = Type.Object({
  number: Type.String(),
  service: StringEnum(SERVICES),
});

export const TypingBodySchema = Type.Object({
  number: phone('The contact, E.164'),
  from_number: phone('One of your lines, E.164'),
  state: Type.Optional(StringEnum(['start', 'stop'] as const, { description: 'Default start' })),
  max_duration_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 600_000 })),
});

export const TypingResponseSchema = Type.Object({
  number: Type.String(),
  status: StringEnum(['SENT', 'ERROR'] as const),
  error_message: Nullable(Type.String()),
});

export const SettingsBodySchema = Type.Object({
  help_reply: Nullable(
    Type.String({ maxLength: 1000, description: 'What HELP and INFO get; null or empty restores the default' }),
  ),
});

export const SettingsResponseSchema = Type.Object({
  status: Type.Literal('OK'),
  help_reply: Type.String(),
  help_reply_is_default: Type.Boolean(),
});
