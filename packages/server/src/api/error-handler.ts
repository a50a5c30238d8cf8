import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { AppError, errorBody, errors } from '../domain/errors.js';

const BY_FASTIFY_CODE: Record<string, () => AppError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => errors.payloadTooLarge(),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => errors.unsupportedMediaType(),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => errors.validation('content-length', 'does not match the body'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => errors.invalidJson('empty'),
  FST_ERR_CTP_INVALID_JSON_BODY: () => errors.invalidJson(),
};

/**
 * One translation from anything thrown to the API's JSON error body (Sendblue's shape).
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

  // Every route's path as a pattern, so a known path asked with another method is a 405 naming
  // the methods it takes, not a 404 that suggests the path is wrong.
  const routes: { method: string; pattern: RegExp }[] = [];
  app.addHook('onRoute', (route) => {
    const pattern = new RegExp(`^${route.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[^/]+/g, '[^/]+')}/?$`);
    for (const method of [route.method].flat()) routes.push({ method, pattern });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
    if (allowed.length > 0) {
      const error = errors.methodNotAllowed(`${request.method} is not allowed on ${path}; use ${allowed.join(', ')}`);
      return reply.code(405).header('allow', allowed.join(', ')).send(errorBody(error));
    }
    return reply.code(404).send(errorBody(errors.routeNotFound(request.method, path)));
  });
}

/**
 * Fastify's `frameworkErrors` hook: URLs the router refuses before any route, hook or error handler
 * runs (a broken percent-escape, a path parameter over the router's length limit). Without it they
 * get Fastify's own body (and a 414), not the API's error shape.
 */
export function frameworkErrorHandler(raw: FastifyError, _request: unknown, reply: FastifyReply): void {
  const error =
    raw.code === 'FST_ERR_BAD_URL'
      ? errors.validation('url', 'is malformed')
      : raw.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? errors.validation('url', 'has a path parameter that is too long')
        : toAppError(raw);
  void reply.code(error.status).type('application/json; charset=utf-8').send(errorBody(error));
}

function toAppError(raw: FastifyError | AppError): AppError {
  if (raw instanceof AppError) return raw;
  const e = raw as FastifyError & { validation?: { instancePath: string; message?: string; params?: object }[] };
  if (e.validation !== undefined) {
    const context = (e as { validationContext?: string }).validationContext ?? 'request';
    const details = e.validation.map((v) => {
      const params = (v.params ?? {}) as {
        missingProperty?: string;
        additionalProperty?: string;
        allowedValues?: unknown[];
      };
      // A missing or unexpected property is reported on its parent (`body`): name the property itself.
      const child = params.missingProperty ?? params.additionalProperty;
      const path = `${context}${v.instancePath.replace(/\//g, '.')}${child === undefined ? '' : `.${child}`}`;
      const message =
        params.missingProperty !== undefined
          ? 'is required'
          : params.allowedValues !== undefined
            ? `must be one of: ${params.allowedValues.map((a) => JSON.stringify(a)).join(', ')}`
            : (v.message ?? 'is invalid');
      return { field: path.replace(/^body\./, '').replace(/^querystring\./, ''), message };
    });
    const [first, ...more] = details;
    return first === undefined
      ? errors.validation(context, 'is invalid')
      : errors.validation(first.field, first.message, ...more);
  }
  const mapped = e.code === undefined ? undefined : BY_FASTIFY_CODE[e.code];
  if (mapped !== undefined) return mapped();
  if (e instanceof SyntaxError) return errors.invalidJson(e.message);
  const status = e.statusCode ?? 500;
  if (status === 429) return errors.rateLimited(e.message || 'too many requests');
  if (status === 405) return errors.methodNotAllowed(e.message);
  if (status >= 400 && status < 500)
    return errors.validation('request', e.message ? `is invalid: ${e.message}` : 'is invalid');
  return errors.internal(raw);
}
