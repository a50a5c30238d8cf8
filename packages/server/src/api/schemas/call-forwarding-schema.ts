import { Type } from 'typebox';
import { Nullable } from './schema-helpers.js';

export const CallForwardingParamsSchema = Type.Object({
  sendblue_number: Type.String({ minLength: 1, maxLength: 64, description: 'One of your lines, E.164' }),
});

export const CallForwardingBodySchema = Type.Object({
  forwarding_number: Type.String({
    minLength: 1,
    maxLength: 64,
    description: 'Where to forward calls: E.164, or a US number in local form (2125550199)',
    examples: ['+16692138010'],
  }),
});

export const CallForwardingResponseSchema = Type.Object({
  forwarding_number: Nullable(Type.String({ description: 'null when not set' })),
  sendblue_number: Type.String(),
});
