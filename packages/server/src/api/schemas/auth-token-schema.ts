import { Type } from 'typebox';
import { TOKEN_TTL_SECONDS } from '../../domain/auth-token.js';

const phone = (description: string) =>
  Type.String({ minLength: 1, maxLength: 64, description, examples: ['+15550001000'] });

export const TokenCreateBodySchema = Type.Object({
  expires_in_seconds: Type.Optional(
    Type.Integer({
      minimum: TOKEN_TTL_SECONDS.min,
      maximum: TOKEN_TTL_SECONDS.max,
      description: `Lifetime in seconds; default ${TOKEN_TTL_SECONDS.default}`,
    }),
  ),
  phone_number: Type.Optional(phone('One of your lines to limit the token to; not with phone_numbers')),
  phone_numbers: Type.Optional(
    Type.Array(phone('One of your lines'), {
      maxItems: 100,
      description: 'Lines to limit the token to; not with phone_number. Empty or absent: the whole account',
    }),
  ),
});

export const TokenCreateResponseSchema = Type.Object({
  token: Type.String({ description: 'The bearer token; shown only this once' }),
  token_id: Type.String({ description: 'Names the token for revocation (UUID)' }),
  token_type: Type.Literal('Bearer'),
  expires_at: Type.String({ description: 'ISO 8601', examples: ['2030-01-01T12:15:00.000Z'] }),
  phone_numbers: Type.Array(Type.String(), { description: 'The token’s lines; empty: the whole account' }),
});

export const TokenParamsSchema = Type.Object({ token_id: Type.String({ minLength: 1, maxLength: 128 }) });
