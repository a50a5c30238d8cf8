import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { AppError, type ErrorCode, errorBody } from '../domain/errors.js';

const BY_FASTIFY_CODE: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
};

/**
 * One translation from anything thrown to the JSON error body of shared/sendblue-api.md 13.1.
 * Client mistakes become 4xx with a `message`; only genuine faults become 500, logged with
 * their stack. `x-should-retry: false` goes on any 5xx of a request that may have stored a
 * message, so the official SDKs never retry it into a duplicate.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((raw: FastifyError | AppError, request, reply) => {
    const error = toAppError(raw);
    if (error.status >= 500) {
      request.log.error({ err: raw }, 'request failed');
      if (request.method !== 'GET') reply.header('x-should-retry', 'false');
    }
    if (error.headers !== undefined) reply.headers(error.headers);
    return reply.code(error.status).type('application/json; charset=utf-8').send(errorBody(error));
  });

  app.setNotFoundHandler((request, reply) => {
    const error = new AppError('route_not_found', `No route for ${request.method} ${request.url.split('?')[0]}`);
    return reply.code(404).send(errorBody(error));
  });
}

/**
 * Fastify's `frameworkErrors` hook: URLs the router refuses before any route, hook or error handler
 * runs (a broken percent-escape, a path parameter over the router's length limit). Without it they
 * get Fastify's own body (and a 414), not the API's error shape.
 */
export function frameworkErrorHandler(raw: FastifyError, _request: unknown, reply: FastifyReply): void {
  const error =
    raw.code === 'FST_ERR_BAD_URL' || raw.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new AppError(
          'validation_failed',
          raw.code === 'FST_ERR_BAD_URL' ? 'The URL is malformed' : 'A path parameter is too long',
        )
      : toAppError(raw);
  void reply.code(error.status).type('application/json; charset=utf-8').send(errorBody(error));
}

function toAppError(raw: FastifyError | AppError): AppError {
  if (raw instanceof AppError) return raw;
  const e = raw as FastifyError & { validation?: { instancePath: string; message?: string; params?: object }[] };
  if (e.validation !== undefined) {
    const context = (e as { validationContext?: string }).validationContext ?? 'request';
    const details = e.validation.map((v) => ({
      field: `${context}${v.instancePath.replace(/\//g, '.')}`.replace(/^body\./, '').replace(/^querystring\./, ''),
      message: v.message ?? 'is invalid',
    }));
    const first = details[0];
    const message = first === undefined ? 'Invalid request' : `${first.field} ${first.message}`;
    return new AppError('validation_failed', message, { details });
  }
  const mapped = e.code === undefined ? undefined : BY_FASTIFY_CODE[e.code];
  if (mapped !== undefined) return new AppError(mapped, e.message);
  if (e instanceof SyntaxError) return new AppError('invalid_json', `Invalid JSON body: ${e.message}`);
  const status = e.statusCode ?? 500;
  if (status === 429) return new AppError('rate_limited', e.message || 'Too many requests');
  if (status === 405) return new AppError('method_not_allowed', e.message);
  if (status >= 400 && status < 500) return new AppError('validation_failed', e.message || 'Bad request');
  return new AppError('internal_error', 'Internal error', { cause: raw });
}
