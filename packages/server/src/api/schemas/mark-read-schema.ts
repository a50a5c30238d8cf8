import { Type } from 'typebox';

const phone = (description: string) =>
  Type.String({ minLength: 1, maxLength: 64, description, examples: ['+19998887777'] });

/** POST /api/mark-read's body, as Sendblue documents it. */
export const MarkReadBodySchema = Type.Object({
  number: phone('The contact whose conversation to mark read, E.164'),
  from_number: phone('One of your lines, E.164'),
});

/** Sendblue's answer: the request went to the network (best effort, no delivery confirmation). */
export const MarkReadResponseSchema = Type.Object({
  status: Type.Literal('OK'),
  message: Type.Literal('Mark read request sent'),
  number: Type.String({ description: 'The contact, E.164' }),
});
