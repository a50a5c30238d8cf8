import { Type } from 'typebox';
import { Nullable, StringEnum } from './schema-helpers.js';

const VerifiedContactSchema = Type.Object({
  created_at: Type.String({ format: 'date-time', description: 'When the verification was asked for' }),
  phone_number: Type.String({ description: 'E.164' }),
  updated_at: Type.String({ format: 'date-time' }),
  verification_status: StringEnum(['pending', 'verified'] as const),
  verified: Type.Boolean({ description: 'Whether the account holds an inbound message from the number' }),
});

const LineSchema = Type.Object({
  phone_number: Nullable(Type.String({ description: 'The line to message to verify: the account’s first line' })),
  type: Type.Literal('shared'),
});

const phone = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'E.164, or a US number written locally (taken as +1)',
  examples: ['+12125550199'],
});

export const VerifiedContactCreateBodySchema = Type.Object({ phone_number: phone });
export const VerifiedContactParamsSchema = Type.Object({ phone_number: phone });

export const VerifiedContactCreateResponseSchema = Type.Object({
  data: Type.Object({
    contact: VerifiedContactSchema,
    line: Type.Union([LineSchema, Type.Null()]),
    verification_instructions: Nullable(Type.String({ description: 'Null once the contact is verified' })),
  }),
});

export const VerifiedContactRetrieveResponseSchema = Type.Object({
  data: Type.Object({
    contact: Type.Union([VerifiedContactSchema, Type.Null()], { description: 'Null when none was asked for' }),
    line: Type.Union([LineSchema, Type.Null()]),
  }),
});

export const VerifiedContactListResponseSchema = Type.Object({
  data: Type.Object({
    contacts: Type.Array(VerifiedContactSchema),
    line: Type.Union([LineSchema, Type.Null()]),
  }),
});
