import { Type } from 'typebox';
import { Nullable, StringEnum } from './schema-helpers.js';

const phone = (description: string) =>
  Type.String({ minLength: 1, maxLength: 64, description, examples: ['+19998887777'] });

const STATES = ['not_shared', 'shared_no_fix_yet', 'shared_with_fix'] as const;

export const LocationSchema = Type.Object({
  latitude: Type.Number(),
  longitude: Type.Number(),
  altitude: Type.Number(),
  accuracy: Type.Number({ description: 'Metres' }),
  address: Nullable(Type.String()),
  locationType: StringEnum(['shallow', 'live', 'legacy', 'unknown'] as const),
  timestamp: Type.String({ description: 'When the fix was taken, ISO 8601' }),
});

export const RequestLocationBodySchema = Type.Object({
  from_number: phone('One of your lines, E.164'),
  number: phone('The contact, E.164'),
});

export const RequestLocationResponseSchema = Type.Object({
  status: Type.Literal('QUEUED'),
  message: Type.String(),
  message_handle: Type.String(),
  uuid: Type.String(),
  number: Type.String(),
});

export const LocationQuerySchema = Type.Object({ from_number: phone('One of your lines, E.164') });
export const LocationParamsSchema = Type.Object({ number: phone('The contact, E.164') });

export const LocationRetrieveResponseSchema = Type.Object({
  status: Type.Literal('OK'),
  from_number: Type.String(),
  number: Type.String(),
  state: StringEnum(STATES),
  location: Type.Optional(LocationSchema),
});

export const LocationListResponseSchema = Type.Object({
  status: Type.Literal('OK'),
  from_number: Type.String(),
  locations: Type.Array(
    Type.Object({ number: Type.String(), state: StringEnum(STATES), location: Type.Optional(LocationSchema) }),
  ),
});
