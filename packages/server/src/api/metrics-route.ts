import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { errorBody, errors } from '../domain/errors.js';
import type { ServerMetrics } from './metrics.js';
import { routeOf } from './request-log.js';

/**
 * Who may read `/metrics`: anyone when the server listens on loopback only (nothing off the machine
 * reaches it); beyond loopback, only callers with the metrics token, and nobody while none is set.
 */
export type MetricsAccess = { kind: 'open' } | { kind: 'token'; token: string } | { kind: 'off' };

/** The access rule for a server listening on `host` with `TAPBACK_METRICS_TOKEN` = `token`. */
export function metricsAccess(host: string, token: string | undefined): MetricsAccess {
  if (isLoopbackHost(host)) return { kind: 'open' };
  return token === undefined || token === '' ? { kind: 'off' } : { kind: 'token', token };
}

/** Whether `host` (TAPBACK_HOST) is a loopback name or address; `0.0.0.0` and `::` are every interface. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h) || h === '0:0:0:0:0:0:0:1';
  return false;
}

export interface MetricsDeps {
  metrics: ServerMetrics;
  access: MetricsAccess;
}

/**
 * `GET /metrics` (Prometheus text format), and the HTTP latency histogram over every route of
 * `app`. The histogram is labelled by route pattern, never by path, so its series stay few.
 */
export function registerMetrics(app: FastifyInstance, deps: MetricsDeps): void {
  const { metrics, access } = deps;
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpRequest(request.method, routeOf(request), reply.statusCode, reply.elapsedTime / 1000);
  });
  if (access.kind === 'off') return;
  const expected = access.kind === 'token' ? digest(access.token) : undefined;
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (expected !== undefined) {
      const given = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
      if (given === undefined || !timingSafeEqual(digest(given), expected)) {
        return reply
          .code(401)
          .type('application/json; charset=utf-8')
          .header('www-authenticate', 'Bearer')
          .send(errorBody(errors.metricsUnauthorized()));
      }
    }
    const { contentType, body } = await metrics.render();
    return reply.type(contentType).header('cache-control', 'no-store').send(body);
  });
}

/** Compared as digests: equal lengths, so the comparison takes the same time whatever is sent. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
