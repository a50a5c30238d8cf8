import { Type } from 'typebox';
import { Nullable, StringEnum } from './schema-helpers.js';

const LINE_STATUSES = ['ONLINE', 'OFFLINE', 'DEGRADED', 'UNKNOWN'] as const;

/** One line as the official SDK's `LineState` has it, with Tapback's provider detail added. */
export const LineStateSchema = Type.Object({
  assignment: StringEnum(['assigned', 'shared', 'grace_period'] as const, {
    description: 'Always `assigned`: a Tapback line belongs to one account.',
  }),
  sendblue_number: Nullable(Type.String()),
  status: StringEnum(LINE_STATUSES, {
    description:
      '`ONLINE` connected; `DEGRADED` connected but sends keep failing; `OFFLINE` disconnected (reconnecting); `UNKNOWN` no server has reported it yet.',
  }),
  worker_id: Type.String({ description: 'The server process (host:pid) that reported the state.' }),
  degraded_since: Type.Optional(Nullable(Type.String({ format: 'date-time' }))),
  effective_until: Type.Optional(Nullable(Type.String({ format: 'date-time' }))),
  status_changed_at: Type.Optional(Nullable(Type.String({ format: 'date-time' }))),
  provider: Type.String({ description: 'Tapback: the network that carries the line (`sandbox`, `smpp`).' }),
  last_error: Nullable(Type.String({ description: 'Tapback: why the provider last failed, if it did.' })),
  last_error_at: Nullable(Type.String({ format: 'date-time' })),
  events: Type.Optional(
    StringEnum(['webhook', 'polling'] as const, {
      description:
        'Tapback, BlueBubbles lines only: how the network’s events reach Tapback, by its webhook or by polling (the webhook could not be registered, or missed events).',
    }),
  ),
  events_detail: Type.Optional(
    Nullable(Type.String({ description: 'Tapback, BlueBubbles lines only: why events arrive by polling.' })),
  ),
});

export const LineStateResponseSchema = Type.Object({
  status: Type.Literal('OK'),
  snapshot_at: Type.String({ format: 'date-time' }),
  data: Type.Array(LineStateSchema),
});
