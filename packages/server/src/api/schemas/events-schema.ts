import { Type } from 'typebox';
import { ACCOUNT_EVENT_TYPES } from '../../domain/account-event.js';
import { StringEnum } from './schema-helpers.js';

export const EventsQuerySchema = Type.Object({
  types: Type.Optional(
    Type.String({
      maxLength: 1000,
      description: `Comma-separated allowlist of event types (${ACCOUNT_EVENT_TYPES.join(', ')}); every type when absent`,
    }),
  ),
});

/** One event, as the `data:` line of each Server-Sent Event carries it (the SDK's `AccountEvent`). */
export const AccountEventSchema = Type.Object({
  id: Type.String({
    description: 'Stable, unique and time-ordered (a UUID v7); also the SSE `id:` line. Deduplicate by it.',
  }),
  type: StringEnum(ACCOUNT_EVENT_TYPES),
  occurred_at: Type.String({ format: 'date-time' }),
  data: Type.Record(Type.String(), Type.Unknown(), {
    description: 'A minimal payload: identifiers and the changed fields (see docs/events.md)',
  }),
  version: Type.Literal(1),
});
