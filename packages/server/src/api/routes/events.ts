import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ACCOUNT_EVENT_TYPES, type AccountEventType } from '../../domain/account-event.js';
import { errors } from '../../domain/errors.js';
import type { AccountEventHub, EventSubscriber } from '../../messaging/account-events.js';
import type { BroadcastEvent } from '../../store/ports/events-port.js';
import { callerOf } from '../auth.js';
import { AccountEventSchema, EventsQuerySchema } from '../schemas/events-schema.js';
import { ERROR_RESPONSES } from '../schemas/message-schema.js';

export interface EventRouteDeps {
  hub: AccountEventHub;
  now: () => number;
  /** A heartbeat comment this often (`TAPBACK_EVENTS_HEARTBEAT_MS`). */
  heartbeatMs: number;
  /** The stream ends after this long (`TAPBACK_EVENTS_MAX_STREAM_MS`). */
  maxStreamMs: number;
}

/**
 * Bytes a stream may have waiting for its client. A client reading slower than its account's
 * events arrive would otherwise hold ever more memory: past this its connection is dropped, and
 * the client reconnects and repairs through the list endpoints, as after any gap.
 */
export const MAX_BUFFERED_BYTES = 256 * 1024;

const KNOWN_TYPES: ReadonlySet<string> = new Set(ACCOUNT_EVENT_TYPES);

export const eventRoutes: FastifyPluginAsyncTypebox<EventRouteDeps> = async (app, deps) => {
  app.get(
    '/api/v2/events',
    {
      schema: {
        summary: 'Stream account events',
        description:
          'Server-Sent Events of the authenticated account only: each event is an SSE `id:` line (the event id) and ' +
          'a `data:` line with the JSON event. A `: heartbeat` comment every 15 s; the server ends the stream after ' +
          '15 min (and by a bearer token’s expiry): reconnect, then repair gaps through the list endpoints ' +
          '(`GET /api/v2/messages?updated_at_gte=...&order_by=updated_at&order_direction=asc`). Live only, not a ' +
          'replay log. See docs/events.md.',
        tags: ['Events'],
        operationId: 'events.stream',
        querystring: EventsQuerySchema,
        response: {
          200: {
            description: 'A stream of Server-Sent Events, each carrying one AccountEvent',
            content: { 'text/event-stream': { schema: AccountEventSchema } },
          },
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const stream = new EventStream(reply.raw, parseTypes(request.query.types), caller.lines);
      // Reserved before anything is written, so a 429 is still an ordinary JSON error.
      const unsubscribe = await deps.hub.subscribe(caller.accountId, stream);
      if (reply.raw.destroyed || stream.ended) {
        unsubscribe();
        if (reply.raw.destroyed) return reply.hijack();
        throw errors.unavailable('The server is shutting down; reconnect');
      }
      reply.hijack();
      const untilExpiry =
        caller.tokenExpiresAt === undefined ? Infinity : Math.max(0, caller.tokenExpiresAt - deps.now());
      stream.start({
        heartbeatMs: deps.heartbeatMs,
        endAfterMs: Math.min(deps.maxStreamMs, untilExpiry),
        onEnd: unsubscribe,
      });
    },
  );
};

/** The `types` allowlist; an unknown name is the client's mistake, named in a 400. */
function parseTypes(text: string | undefined): ReadonlySet<AccountEventType> | undefined {
  if (text === undefined) return undefined;
  const names = text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const unknown = names.filter((t) => !KNOWN_TYPES.has(t));
  if (unknown.length > 0) {
    throw errors.validation(
      'types',
      `has unknown event type ${unknown.map((t) => `"${t}"`).join(', ')}; known: ${ACCOUNT_EVENT_TYPES.join(', ')}`,
    );
  }
  if (names.length === 0) throw errors.validation('types', 'names no event type');
  return new Set(names as AccountEventType[]);
}

/** The SDK's `AccountEvent`, as the `data:` line carries it. */
export function wireEvent(event: BroadcastEvent): Record<string, unknown> {
  return {
    id: event.id,
    type: event.type,
    occurred_at: new Date(event.occurredAt).toISOString(),
    // Too large to travel between processes: the client fetches the resource or repairs.
    data: event.data ?? { data_omitted: true },
    version: 1,
  };
}

/** Each event's frame, made once however many streams it goes to (a hundred streams of one account). */
const frames = new WeakMap<BroadcastEvent, string>();

function frameOf(event: BroadcastEvent): string {
  let frame = frames.get(event);
  if (frame === undefined)
    frames.set(event, (frame = `id: ${event.id}\ndata: ${JSON.stringify(wireEvent(event))}\n\n`));
  return frame;
}

/**
 * One open stream: Server-Sent Events on the raw response, a heartbeat comment, an end after
 * `endAfterMs`, and a bounded write buffer (MAX_BUFFERED_BYTES).
 */
export class EventStream implements EventSubscriber {
  ended = false;
  private started = false;
  private early: string[] = [];
  private earlyBytes = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  private rotation: NodeJS.Timeout | undefined;
  private onEnd: () => void = () => undefined;
  private corked = false;

  constructor(
    private readonly raw: ServerResponse,
    readonly types: ReadonlySet<AccountEventType> | undefined,
    /** A token scoped to lines sees only their events. */
    private readonly lines: readonly string[] | undefined,
  ) {}

  start(options: { heartbeatMs: number; endAfterMs: number; onEnd: () => void }): void {
    this.onEnd = options.onEnd;
    this.raw.on('close', () => this.end());
    this.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      // Proxies that buffer responses (nginx) would hold events back.
      'x-accel-buffering': 'no',
    });
    this.started = true;
    this.raw.write(`: stream open\n\n${this.early.join('')}`);
    this.early = [];
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), options.heartbeatMs);
    this.rotation = setTimeout(() => this.end(), options.endAfterMs);
  }

  deliver(event: BroadcastEvent): void {
    if (this.lines !== undefined && !this.onLines(event)) return;
    this.write(frameOf(event));
  }

  interrupt(): void {
    this.end();
  }

  /** Ends the stream; the client sees a normal end and reconnects. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.rotation);
    if (this.started && !this.raw.destroyed) this.raw.end();
    this.onEnd();
  }

  private write(chunk: string): void {
    if (this.ended) return;
    if (!this.started) {
      this.early.push(chunk);
      this.earlyBytes += chunk.length;
      if (this.earlyBytes > MAX_BUFFERED_BYTES) this.end();
      return;
    }
    // The events of one dispatch leave in one socket write, not one each.
    if (!this.corked) {
      this.corked = true;
      this.raw.cork();
      process.nextTick(() => {
        this.corked = false;
        this.raw.uncork();
      });
    }
    this.raw.write(chunk);
    if (this.raw.writableLength > MAX_BUFFERED_BYTES) {
      // Fallen behind: what is buffered is freed at once, not flushed to a client that does not read.
      this.end();
      this.raw.destroy();
    }
  }

  private onLines(event: BroadcastEvent): boolean {
    const line = event.data?.sendblue_number;
    return typeof line !== 'string' || this.lines!.includes(line);
  }
}
