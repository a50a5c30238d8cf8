import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { LocationService, WatchEvent } from '../../messaging/location-sharing.js';
import { callerOf } from '../auth.js';
import {
  LocationListResponseSchema,
  LocationParamsSchema,
  LocationQuerySchema,
  LocationRetrieveResponseSchema,
  RequestLocationBodySchema,
  RequestLocationResponseSchema,
} from '../schemas/location-schema.js';
import { ERROR_RESPONSES } from '../schemas/message-schema.js';

export interface LocationRouteDeps {
  location: LocationService;
}

const TAG = ['Location'];
/** Sendblue's heartbeat period for watch streams. */
export const WATCH_HEARTBEAT_MS = 15_000;

/** Find My location sharing: ask a contact, read what they share, watch it live (docs/auth-and-account.md). */
export const locationRoutes: FastifyPluginAsyncTypebox<LocationRouteDeps> = async (app, { location }) => {
  const open = new Set<AbortController>();
  // A watch never ends by itself; a closing server must end them or it would wait for the clients.
  app.addHook('preClose', async () => {
    for (const controller of open) controller.abort();
  });

  app.post(
    '/api/request-location',
    {
      schema: {
        summary: 'Ask a contact to share their location',
        description:
          'In the sandbox an iMessage contact accepts 1 s later (state `shared_no_fix_yet`) and has a fix at ' +
          'Apple Park 1 s after that (`shared_with_fix`), on the server’s clock; SMS and RCS contacts never accept.',
        tags: TAG,
        operationId: 'requestLocation.create',
        body: RequestLocationBodySchema,
        response: { 200: RequestLocationResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => location.request(callerOf(request), request.body),
  );

  app.get(
    '/api/location',
    {
      schema: {
        summary: 'List contacts’ shared locations',
        description: 'Every contact sharing with the line (accepted), by number.',
        tags: TAG,
        operationId: 'location.list',
        querystring: LocationQuerySchema,
        response: { 200: LocationListResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => location.list(callerOf(request), request.query.from_number),
  );

  app.get(
    '/api/location/:number',
    {
      schema: {
        summary: 'Get a contact’s shared location',
        description:
          'A contact not sharing (never asked, or not accepted yet) is `state: not_shared`, without location.',
        tags: TAG,
        operationId: 'location.retrieve',
        params: LocationParamsSchema,
        querystring: LocationQuerySchema,
        response: { 200: LocationRetrieveResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => location.retrieve(callerOf(request), request.params.number, request.query.from_number),
  );

  app.get(
    '/api/location/:number/watch',
    {
      schema: {
        summary: 'Watch a contact’s location live',
        description:
          'Server-Sent Events: `ready`, then `location` now and at every change, a `: heartbeat` comment every 15 s. ' +
          'Open until the client disconnects; a bearer token’s expiry ends it with `complete` ' +
          '(`authorization_revoked`); a contact neither sharing nor asked gets one `complete` (`not_shared`).',
        tags: TAG,
        operationId: 'location.watch',
        params: LocationParamsSchema,
        querystring: LocationQuerySchema,
        response: {
          200: { description: 'A stream of Server-Sent Events', content: { 'text/event-stream': { schema: {} } } },
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const controller = new AbortController();
      const events = await location.watch(
        callerOf(request),
        request.params.number,
        request.query.from_number,
        controller.signal,
      );
      reply.hijack();
      const raw = reply.raw;
      open.add(controller);
      raw.on('close', () => controller.abort());
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
      });
      const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), WATCH_HEARTBEAT_MS);
      try {
        for await (const event of events) raw.write(sse(event));
      } finally {
        clearInterval(heartbeat);
        open.delete(controller);
        if (!raw.destroyed) raw.end();
      }
    },
  );
};

function sse(event: WatchEvent): string {
  return `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}
