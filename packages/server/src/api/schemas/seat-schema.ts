import { Type } from 'typebox';
import { Nullable } from './schema-helpers.js';

const email = Type.String({ minLength: 1, maxLength: 320, description: 'Exact-match filter on the seat’s email' });

export const SeatSchema = Type.Object({
  seat_id: Type.String({ description: 'Pass as `seat_id` on sends' }),
  email: Type.String(),
  first_name: Nullable(Type.String()),
  last_name: Nullable(Type.String()),
  forwarding_number: Nullable(Type.String()),
  account: Type.String({ description: 'The account the seat belongs to (its email)' }),
  created_at: Type.String({ description: 'ISO 8601' }),
});

export const SeatListQuerySchema = Type.Object({
  email: Type.Optional(email),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Seats to return; all when absent' })),
  offset: Type.Optional(Type.Integer({ minimum: 0, description: 'Seats to skip; default 0' })),
});

export const SeatCountQuerySchema = Type.Object({ email: Type.Optional(email) });

export const SeatParamsSchema = Type.Object({
  seat_id: Type.String({ minLength: 1, maxLength: 128, description: 'seat_id or the seat’s auth subject' }),
});

export const SeatListResponseSchema = Type.Array(SeatSchema);
export const SeatCountResponseSchema = Type.Object({ count: Type.Integer() });
export const SeatResponseSchema = Type.Object({ status: Type.Literal('OK'), seat: SeatSchema });
