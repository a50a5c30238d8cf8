import { Type } from 'typebox';
import { SEND_STYLES } from '../../domain/message.js';
import { MAX_CAROUSEL_IMAGES } from '../../messaging/carousel.js';
import { StringEnum } from './schema-helpers.js';

const url = (description: string) => Type.String({ minLength: 1, maxLength: 2048, description });
const phone = (description: string) =>
  Type.String({ minLength: 1, maxLength: 64, description, examples: ['+19998887777'] });

export const UploadMediaBodySchema = Type.Object({
  media_url: url('Public http(s) URL of the file to fetch and keep'),
});

export const UploadMediaResponseSchema = Type.Object({
  status: Type.Literal('OK'),
  message: Type.String(),
  mediaObjectId: Type.String({ description: 'Sendblue’s form, `MO_<id>.<ext>`' }),
  media_url: Type.String({ description: 'Tapback: where Tapback serves the file; usable as a message’s media_url' }),
  content_type: Type.String({ description: 'Tapback: the file’s content type' }),
  size: Type.Integer({ description: 'Tapback: the file’s size in bytes' }),
});

export const MediaParamsSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  filename: Type.String({ minLength: 1, maxLength: 255 }),
});

export const CarouselBodySchema = Type.Object({
  number: phone('Recipient, E.164'),
  from_number: phone('One of your lines, E.164'),
  media_urls: Type.Array(url('An image URL'), {
    maxItems: 100,
    description: `2-${MAX_CAROUSEL_IMAGES} public http(s) image URLs, in order`,
  }),
  send_style: Type.Optional(StringEnum(SEND_STYLES, { description: 'iMessage expressive effect' })),
  status_callback: Type.Optional(Type.String({ maxLength: 2048, description: 'URL that receives status changes' })),
});

const layoutText = (description?: string) =>
  Type.Optional(Type.String({ maxLength: 1024, ...(description === undefined ? {} : { description }) }));

export const AppCardLayoutSchema = Type.Object({
  caption: layoutText(),
  subcaption: layoutText(),
  trailingCaption: layoutText(),
  trailingSubcaption: layoutText(),
  imageUrl: Type.Optional(url('Preview image URL')),
  imageTitle: layoutText('Text overlaid on the preview image'),
  imageSubtitle: layoutText('Secondary text overlaid on the preview image'),
  summary: layoutText('Fallback text for notifications'),
});

export const AppCardUpdateBodySchema = Type.Object({
  fallback_text: Type.Optional(Type.String({ maxLength: 4096 })),
  idempotency_key: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  interactive: Type.Optional(Type.Boolean()),
  layout: Type.Optional(AppCardLayoutSchema),
  send_style: Type.Optional(StringEnum(SEND_STYLES, { description: 'iMessage expressive effect' })),
  url: Type.Optional(Type.String({ minLength: 1, maxLength: 16_384, description: 'URL delivered to the extension' })),
});

export const MessageHandleParamsSchema = Type.Object({
  message_handle: Type.String({ minLength: 1, maxLength: 128 }),
});
