import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { errors } from '../../domain/errors.js';
import { MEDIA_ID_PATTERN, mediaObjectId, mediaPath } from '../../domain/media.js';
import type { MediaService } from '../../messaging/media.js';
import { callerOf } from '../auth.js';
import { ERROR_REF, ERROR_RESPONSES } from '../schemas/message-schema.js';
import { MediaParamsSchema, UploadMediaBodySchema, UploadMediaResponseSchema } from '../schemas/media-schema.js';

export interface MediaRouteDeps {
  media: MediaService;
}

/** Absolute URL of a path on this server, as the request reached it (its Host header). */
export function publicUrl(request: FastifyRequest, path: string): string {
  return `${request.protocol}://${request.host}${path}`;
}

/** `POST /api/upload-media-object`: fetch a file once and keep it (authenticated). */
export const mediaObjectRoutes: FastifyPluginAsyncTypebox<MediaRouteDeps> = async (app, { media }) => {
  app.post(
    '/api/upload-media-object',
    {
      schema: {
        summary: 'Upload a media object',
        description:
          'Fetches `media_url` (public addresses only, within TAPBACK_MEDIA_MAX_BYTES and TAPBACK_MEDIA_FETCH_TIMEOUT_MS, ' +
          'images, audio, video, PDF or vCard) and keeps it; 201 with its id and the URL Tapback serves it at.',
        tags: ['Media'],
        operationId: 'mediaObjects.upload',
        body: UploadMediaBodySchema,
        response: { 201: UploadMediaResponseSchema, ...ERROR_RESPONSES, 413: ERROR_REF, 415: ERROR_REF },
      },
    },
    async (request, reply) => {
      const stored = await media.upload(callerOf(request), request.body.media_url);
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

/**
 * `GET /media/<id>/<filename>`: no authentication, since messages hand this URL to networks and
 * recipients; the 128-bit id is the permission. Never changes, so it may be cached for good.
 */
export const mediaServeRoutes: FastifyPluginAsyncTypebox<MediaRouteDeps> = async (app, { media }) => {
  app.get('/media/:id/:filename', { schema: { hide: true, params: MediaParamsSchema } }, async (request, reply) => {
    const { id, filename } = request.params;
    const found = MEDIA_ID_PATTERN.test(id) ? await media.get(id) : undefined;
    if (found === undefined || found.filename !== filename) throw errors.notFound('Media object');
    return reply
      .type(found.contentType)
      .header('content-length', found.size)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      .header('content-disposition', `inline; filename="${found.filename}"`)
      .send(found.bytes);
  });
};
