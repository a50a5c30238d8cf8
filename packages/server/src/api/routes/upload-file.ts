import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { errors } from '../../domain/errors.js';
import { mediaObjectId, mediaPath } from '../../domain/media.js';
import type { MediaService, UploadedFile } from '../../messaging/media.js';
import { callerOf } from '../auth.js';
import { ERROR_REF, ERROR_RESPONSES } from '../schemas/message-schema.js';
import { UploadMediaResponseSchema } from '../schemas/media-schema.js';
import { UploadFileBodySchema } from '../schemas/upload-file-schema.js';
import { publicUrl } from './media-objects.js';

export interface UploadFileRouteDeps {
  media: MediaService;
}

const FIELD = 'file';

const notMultipart = () =>
  errors.validation(FIELD, 'is required: send multipart/form-data with the file in the field named file');

/**
 * `POST /api/upload-file`: Sendblue's direct upload. The file arrives as the multipart part named
 * `file` and is kept as a media object, served at the `media_url` the answer gives.
 */
export const uploadFileRoutes: FastifyPluginAsyncTypebox<UploadFileRouteDeps> = async (app, { media }) => {
  const maxBytes = media.uploadMaxBytes;
  await app.register(multipart, {
    // Other text fields are ignored, as unknown body fields are everywhere; a few are allowed for that.
    limits: { fileSize: maxBytes, files: 4, fields: 20, parts: 24 },
  });
  // Any other body reaches the handler unread, so that it is refused naming `file` (a 400), as a
  // JSON or form body is, rather than with 415: the client's mistake is the missing file.
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

  app.post(
    '/api/upload-file',
    {
      schema: {
        summary: 'Upload a file',
        description:
          'Multipart, with the file in the part named `file` (at most TAPBACK_UPLOAD_MAX_BYTES; images, audio, ' +
          'video, PDF or vCard, by the part’s declared type). Keeps it as a media object; 201 with `media_url`, ' +
          'the URL Tapback serves it at, usable as a message’s `media_url`.',
        tags: ['Media'],
        operationId: 'media.uploadFile',
        body: UploadFileBodySchema,
        consumes: ['multipart/form-data'],
        response: { 201: UploadMediaResponseSchema, ...ERROR_RESPONSES, 413: ERROR_REF },
      },
      // The multipart body is read by the handler, part by part; nothing for the validator to see.
      validatorCompiler: () => () => true,
    },
    async (request, reply) => {
      const file = await readFilePart(request, maxBytes);
      const stored = await media.uploadFile(callerOf(request), file, FIELD);
      return reply.code(201).send({
        status: 'OK' as const,
        message: 'File uploaded successfully',
        mediaObjectId: mediaObjectId(stored),
        media_url: publicUrl(request, mediaPath(stored)),
        content_type: stored.contentType,
        size: stored.size,
      });
    },
  );
};

/** The first part named `file`, read whole within `maxBytes`; every other part is drained and ignored. */
async function readFilePart(request: FastifyRequest, maxBytes: number): Promise<UploadedFile> {
  if (!request.isMultipart()) throw notMultipart();
  let found: UploadedFile | undefined;
  for await (const part of request.parts()) {
    if (part.type !== 'file') continue;
    if (part.fieldname !== FIELD || found !== undefined) {
      part.file.resume();
      continue;
    }
    found = { bytes: await bytesOf(part, maxBytes), contentType: part.mimetype, filename: part.filename };
  }
  if (found === undefined) throw notMultipart();
  return found;
}

async function bytesOf(part: MultipartFile, maxBytes: number): Promise<Buffer> {
  try {
    return await part.toBuffer();
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw errors.fileTooLarge(FIELD, maxBytes);
    throw error;
  }
}
