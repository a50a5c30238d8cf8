import { Type } from 'typebox';
import { SEND_STYLES } from '../../domain/message.js';
import { MAX_CONTENT_LENGTH } from '../../domain/validation.js';
import { AppCardLayoutSchema } from './media-schema.js';
import { StringEnum } from './schema-helpers.js';

const phone = (description: string) =>
  Type.String({ minLength: 1, maxLength: 64, description, examples: ['+19998887777'] });

export const SendBodySchema = Type.Object({
  number: phone('Recipient, E.164'),
  from_number: phone('One of your lines, E.164'),
  content: Type.Optional(
    Type.String({ maxLength: MAX_CONTENT_LENGTH, description: 'Text; required unless media_url is given' }),
  ),
  media_url: Type.Optional(Type.String({ maxLength: 2048, description: 'Public http(s) URL of a file to attach' })),
  send_style: Type.Optional(StringEnum(SEND_STYLES, { description: 'iMessage expressive effect' })),
  status_callback: Type.Optional(Type.String({ maxLength: 2048, description: 'URL that receives status changes' })),
  app_card: Type.Optional(
    Type.Object(
      {
        appName: Type.String({ minLength: 1, maxLength: 256 }),
        extensionBundleId: Type.String({ minLength: 1, maxLength: 256 }),
        teamId: Type.String({ minLength: 1, maxLength: 64 }),
        url: Type.String({
          minLength: 1,
          maxLength: 16_384,
          description: 'Delivered to the extension on tap: https (2048 characters at most) or a data: URL',
        }),
        layout: AppCardLayoutSchema,
        appStoreId: Type.Optional(Type.Integer({ minimum: 1 })),
        fallbackText: Type.Optional(Type.String({ maxLength: 4096 })),
        interactive: Type.Optional(Type.Boolean()),
        sessionIdentifier: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
      },
      { description: 'An iMessage App Card: the message is stored as `message_type: "app_card"`' },
    ),
  ),
});

export const IdempotencyHeadersSchema = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x21-\\x7e]+$',
      description: 'Replays the first response for a repeated send',
    }),
  ),
});

export const StatusQuerySchema = Type.Object({
  handle: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  message_handle: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
});
