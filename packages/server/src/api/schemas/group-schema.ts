import { Type } from 'typebox';
import { SEND_STYLES } from '../../domain/message.js';
import { MAX_CONTENT_LENGTH } from '../../domain/validation.js';
import { Nullable, StringEnum } from './schema-helpers.js';

const phone = (description: string) =>
  Type.String({ minLength: 1, maxLength: 64, description, examples: ['+19998887777'] });
const groupId = Type.String({ minLength: 1, maxLength: 128, description: 'Group id (a UUID)' });

export const GroupSendBodySchema = Type.Object({
  from_number: phone('One of your lines, E.164'),
  numbers: Type.Optional(
    Type.Array(phone('A member, E.164'), {
      minItems: 1,
      maxItems: 100,
      description: 'Members besides your line (2-25); the group is created on first use. Or give group_id.',
    }),
  ),
  group_id: Type.Optional(groupId),
  content: Type.Optional(
    Type.String({ maxLength: MAX_CONTENT_LENGTH, description: 'Text; required unless media_url is given' }),
  ),
  media_url: Type.Optional(Type.String({ maxLength: 2048, description: 'Public http(s) URL of a file to attach' })),
  send_style: Type.Optional(StringEnum(SEND_STYLES, { description: 'iMessage expressive effect' })),
  status_callback: Type.Optional(Type.String({ maxLength: 2048, description: 'URL that receives status changes' })),
});

export const ModifyGroupBodySchema = Type.Object({
  group_id: groupId,
  modify_type: StringEnum(['add_recipient', 'remove_recipient'] as const),
  number: phone('The member to add or remove, E.164'),
  from_number: Type.Optional(phone('The group’s line, E.164')),
});

export const ModifyGroupResponseSchema = Type.Object({
  status: Type.Literal('OK'),
  group_id: Type.String(),
  modify_type: StringEnum(['add_recipient', 'remove_recipient'] as const),
  number: Type.String(),
});

export const GroupParamsSchema = Type.Object({ group_id: groupId });

const dateTime = Type.String({ format: 'date-time' });

export const GroupResponseSchema = Type.Object({
  status: Type.Literal('OK'),
  data: Type.Object({
    group_id: Type.String(),
    group_name: Type.String(),
    created_at: dateTime,
    updated_at: dateTime,
    latest_comm_at: Nullable(Type.String({ format: 'date-time' })),
    latest_message_id: Nullable(Type.String()),
    participant_numbers: Type.Array(Type.String(), { description: 'The members (contacts), not your line' }),
    participants: Type.Array(
      Type.Object({
        participant_id: Type.String(),
        type: StringEnum(['contact', 'seat'] as const),
        handle: Type.String(),
        phone: Type.String(),
        name: Nullable(Type.String()),
        contact_id: Nullable(Type.String()),
        seat_id: Nullable(Type.String()),
      }),
    ),
    worker_group_id: Nullable(Type.String()),
    group_photo: Type.Union([Type.Object({ photo_guid: Type.String(), url: Type.String() }), Type.Null()]),
  }),
});

const optionalLine = Type.Optional(
  Nullable(Type.String({ minLength: 1, maxLength: 64, description: 'The group’s line, E.164; null or absent: any' })),
);

export const RenameGroupBodySchema = Type.Object({
  group_name: Nullable(
    Type.String({ maxLength: 256, description: 'New name; null or an empty string clears it, whitespace is refused' }),
  ),
  from_number: optionalLine,
});

/** JSON (`photo_url`) or multipart (`file`, plus the same fields as text). */
export const SetGroupPhotoBodySchema = Type.Object({
  photo_url: Type.Optional(
    Nullable(Type.String({ maxLength: 2048, description: 'Public http(s) URL of a JPEG, PNG or GIF; null clears' })),
  ),
  from_number: optionalLine,
});

const GroupPhotoSchema = Type.Object({
  photo_guid: Type.String({ description: 'The photo’s media object id' }),
  url: Type.String({ description: 'Where Tapback serves the photo (no authentication: the URL is unguessable)' }),
});

export const RenameGroupResponseSchema = Type.Object({
  status: Type.Literal('OK'),
  data: Type.Object({ from_number: Nullable(Type.String()), group_id: Type.String(), group_name: Type.String() }),
});

export const SetGroupPhotoResponseSchema = Type.Object({
  status: Type.Literal('OK'),
  data: Type.Object({
    from_number: Nullable(Type.String()),
    group_id: Type.String(),
    group_photo: Type.Union([GroupPhotoSchema, Type.Null()]),
  }),
});
