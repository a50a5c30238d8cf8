import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Probes and scrapes arrive every few seconds from machines: logged at debug, so they never flood. */
const QUIET_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics', '/version']);

/** What a request that matched no route is logged and counted as: never its raw path (unbounded, maybe secret). */
export const UNMATCHED_ROUTE = '(unmatched)';

/** The route pattern a request matched, e.g. `/api/v2/messages/:message_id`. */
export function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}

/**
 * One log line per answered request: method, route pattern (never the path, which may carry a
 * handle or a query string with a token), status, duration, the authenticated account and the
 * request id. No header, query value or body is logged, so no credential can appear.
 * 5xx at warn (the error itself is logged at error where it happened), probes at debug, the rest
 * at info.
 */
export function registerRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const route = routeOf(request);
    const status = reply.statusCode;
    const level = status >= 500 ? 'warn' : QUIET_ROUTES.has(route) ? 'debug' : 'info';
    request.log[level](
      {
        method: request.method,
        route,
        status,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        ...(request.caller === undefined ? {} : { account: request.caller.accountId }),
      },
      'request',
    );
  });
}
