import { type Server, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyHttpOptions } from 'fastify';

type LimitOptions = Pick<FastifyHttpOptions<Server>, 'clientErrorHandler' | 'keepAliveTimeout' | 'http'>;
import { errorBody, errors } from '../domain/errors.js';

/** Limits of the HTTP server against clients that hold connections open (see the TAPBACK_HTTP_* settings). */
export interface HttpLimits {
  maxConnections: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

/**
 * How often Node looks for requests past the header timeout. Its default (30 s) would let a
 * slow-header client hold a connection for up to 30 s past a 10 s timeout; a pass over the open
 * connections each second costs little next to that.
 */
const CHECK_INTERVAL_MS = 1000;

/** The Fastify options that apply `limits`, and the API's error body for requests Node itself refuses. */
export function httpServerOptions(limits: HttpLimits | undefined): LimitOptions {
  const options: LimitOptions = { clientErrorHandler };
  if (limits === undefined) return options;
  return {
    ...options,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(CHECK_INTERVAL_MS, limits.headersTimeoutMs),
    },
  };
}

/**
 * Node's HTTP parser refuses some requests before Fastify sees them (a NUL or other control byte
 * in a header, headers over Node's size limit, headers that did not arrive in time). Fastify then
 * answers with a body of its own shape; this answers with the API's error JSON and a stable code,
 * and closes the connection, since the parser cannot find where the next request would start.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const appError =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? errors.requestTimeout()
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? errors.headersTooLarge()
        : errors.malformedRequest();
  const body = JSON.stringify(errorBody(appError));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${appError.status} ${STATUS_CODES[appError.status] ?? ''}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
