import { Type } from 'typebox';

/** A BlueBubbles Server webhook event, as its webhook service posts it. */
export const BlueBubblesEventSchema = Type.Object(
  { type: Type.String({ minLength: 1 }), data: Type.Unknown() },
  { additionalProperties: true, description: 'A BlueBubbles Server webhook event: `{type, data}`.' },
);

export const NetworkHookParamsSchema = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 100, description: 'The line’s webhook token.' }),
});

export const NetworkHookQuerySchema = Type.Object({
  line: Type.Optional(Type.String({ description: 'The line’s number; informational, the token decides.' })),
});

export const NetworkHookResponseSchema = Type.Object({ status: Type.Literal('OK') });
