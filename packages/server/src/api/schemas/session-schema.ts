import { Type } from 'typebox';

const SessionFields = {
  status: Type.Literal('OK'),
  account: Type.Object({ email: Type.String({ examples: ['dev@tapback.local'] }) }),
  csrf_token: Type.String({
    description:
      'Send it as the `x-csrf-token` header on every request that is not GET, HEAD or OPTIONS while authenticated by the cookie',
  }),
  expires_at: Type.String({ description: 'When the session ends (ISO 8601)', examples: ['2030-01-01T12:00:00.000Z'] }),
};

export const SessionResponseSchema = Type.Object(SessionFields);

export const SessionStateResponseSchema = Type.Object({
  ...SessionFields,
  server: Type.Object({
    version: Type.String({ examples: ['0.1.0'] }),
    sandbox: Type.Boolean({ description: 'Whether the sandbox network and its `/sandbox/*` routes run' }),
    manual_clock: Type.Boolean({ description: 'Whether the server runs `TAPBACK_CLOCK=manual`' }),
  }),
});

export const SessionLinkBodySchema = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 256, description: 'The code after `#sign-in=` in the sign-in link' }),
});

export const SessionEndedResponseSchema = Type.Object({ status: Type.Literal('OK') });
