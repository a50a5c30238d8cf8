import { connect } from 'node:net';
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTACT, inject, messageCount, send } from '../../test/support/api-helpers.js';
import { SERVER_BACKENDS } from '../../test/support/backends.js';
import { type TestServer, startBackendServer } from '../../test/support/test-server.js';

/**
 * Generated requests for the four Messages routes never produce a 5xx, and every 4xx is a
 * JSON error body with a `message`. The seed is fixed (and printed) so a failure replays exactly;
 * set TAPBACK_FUZZ_SEED / TAPBACK_FUZZ_RUNS to explore further.
 *
 * Most requests go through `app.inject`, which is fast but skips Node's HTTP parser; every
 * SOCKET_EVERY-th one is written byte for byte to a real TCP connection to the listening server
 * instead, so what the parser does with the same inputs (raw `%`, long URLs, odd header values)
 * is held to the same rule.
 */
const SEED = Number(process.env.TAPBACK_FUZZ_SEED ?? 20_261_127);
const RUNS = Number(process.env.TAPBACK_FUZZ_RUNS ?? 2_000);
const SOCKET_EVERY = 5;

/** Values that have broken parsers, validators or SQL somewhere before. */
const NASTY = [
  '',
  ' ',
  '%',
  '_',
  '%_%',
  "'",
  "' OR '1'='1",
  '"',
  '\\',
  '\u0000',
  '../../etc/passwd',
  '%00',
  '\r\n',
  '\u200F+19998887777',
  '+１９９９８８８７７７７',
  '\uD800',
  '𝟙𝟚𝟛',
  '+19998887777',
  '+15550001000',
  '+911',
  '+112',
  '1e309',
  '-1',
  '0',
  '1.5',
  'NaN',
  'Infinity',
  'true',
  'null',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'QUEUED',
  'DELIVERED',
  'iMessage',
  'createdAt',
  'sent_at',
  'asc',
  '2026-01-01T00:00:00Z',
  '2026-13-45',
  'x'.repeat(300),
  'https://cdn.example.com/a.jpg',
  'file:///etc/passwd',
  'slam',
];

const text = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.integer().map(String) },
);

/** Values each route accepts somewhere, so that generated requests also get past validation. */
const PLAUSIBLE = [
  '1',
  '10',
  '100',
  '0',
  'asc',
  'desc',
  'createdAt',
  'updated_at',
  'sentAt',
  'QUEUED',
  'DELIVERED',
  'SMS',
  'iMessage',
  'true',
  'false',
  'message',
  'group',
  '+19998887777',
  '+15550001000',
  '2026-01-01T00:00:00Z',
  'dev@tapback.local',
  'hello',
  'slam',
  'https://cdn.example.com/a.jpg',
];

const plausibleOrNot = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...PLAUSIBLE) },
  { weight: 3, arbitrary: text },
);

const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: plausibleOrNot },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.array(text, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(text, text, { maxKeys: 2 }) },
);

const SEND_FIELDS = ['number', 'from_number', 'content', 'media_url', 'send_style', 'status_callback', 'seat_id'];
const LIST_PARAMS = [
  'limit',
  'offset',
  'order_by',
  'order_direction',
  'status',
  'service',
  'is_outbound',
  'message_type',
  'number',
  'from_number',
  'to_number',
  'sendblue_number',
  'group_id',
  'account_email',
  'worker_id',
  'created_at_gte',
  'created_at_lte',
  'sent_at_gte',
  'sent_at_lte',
  'updated_at_gte',
  'updated_at_lte',
];

/** ASCII fragments spliced into URLs unencoded: broken escapes, separators, traversal. */
const RAW_URL_FRAGMENTS = [
  '%',
  '%zz',
  '%E0%A4%A',
  '%FF',
  '%C3',
  '%00',
  '&',
  '&&',
  '=',
  '==',
  '[]',
  '[0]',
  '..',
  '%2F',
  '%2e%2e',
  ';',
  '#',
  '?',
];

const queryString = (keys: string[], values: string[] = []) =>
  fc
    .array(
      fc.tuple(
        fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: text }),
        values.length === 0 ? plausibleOrNot : fc.oneof(fc.constantFrom(...values), plausibleOrNot),
        fc.boolean(),
      ),
      { maxLength: 5 },
    )
    .chain((pairs) => fc.tuple(fc.constant(pairs), fc.option(fc.constantFrom(...RAW_URL_FRAGMENTS), { freq: 4 })))
    .map(([pairs, raw]) => {
      const parts = pairs.map(([k, v, escape]) => `${encode(k)}=${escape ? encode(v) : asciiOnly(v)}`);
      if (raw !== null) parts.push(raw);
      return parts.join('&');
    });

/** Percent-encodes like encodeURIComponent, but lone surrogates (which it refuses) become U+FFFD. */
function encode(value: string): string {
  return encodeURIComponent(
    value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'),
  );
}

/** Leaves URL-significant ASCII (`%`, `&`, `=`, ...) unescaped; encodes everything that is not a URL character. */
function asciiOnly(value: string): string {
  return value.replace(/[^\x21-\x7e]/g, (c) => encode(c));
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/x-www-form-urlencoded',
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/json, text/plain',
  '',
];

function isJsonError(raw: string): boolean {
  try {
    const body = JSON.parse(raw) as { status?: unknown; message?: unknown; code?: unknown };
    return body.status === 'ERROR' && typeof body.message === 'string' && typeof body.code === 'string';
  } catch {
    return false;
  }
}

/**
 * `options` as an HTTP/1.1 request on a connection of its own (closed after the answer), and the
 * answer's status and body. Bounded: a server that does not answer within 5 s fails the run.
 */
function overSocket(baseUrl: string, options: InjectOptions): Promise<{ statusCode: number; body: string }> {
  const { hostname, port } = new URL(baseUrl);
  const body = options.payload === undefined ? Buffer.alloc(0) : Buffer.from(String(options.payload));
  const headers = Object.entries((options.headers ?? {}) as Record<string, string>).map(([k, v]) => `${k}: ${v}`);
  const head = [
    `${String(options.method)} ${String(options.url)} HTTP/1.1`,
    `host: ${hostname}:${port}`,
    'connection: close',
    ...headers,
    ...(body.length > 0 || options.method === 'POST' ? [`content-length: ${body.length}`] : []),
  ];
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: hostname, port: Number(port) });
    socket.setTimeout(5_000, () => socket.destroy(new Error(`no answer within 5 s to ${head[0]}`)));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('latin1');
      const split = raw.indexOf('\r\n\r\n');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(raw);
      if (split < 0 || status === null)
        return reject(new Error(`not an HTTP answer to ${head[0]}: ${raw.slice(0, 200)}`));
      const rest = Buffer.from(raw.slice(split + 4), 'latin1');
      const chunked = /\r\ntransfer-encoding: *chunked/i.test(raw.slice(0, split));
      resolve({ statusCode: Number(status[1]), body: (chunked ? dechunk(rest) : rest).toString('utf8') });
    });
    // write, not end: a half-closed client makes Node's server drop an answer that is not ready yet.
    socket.write(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), body]));
  });
}

function dechunk(data: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    const size = eol < 0 ? 0 : parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (!(size > 0)) return Buffer.concat(out);
    out.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

// Thousands of requests one after another: ~15 s on PostgreSQL alone, more beside other test files.
const FUZZ_TIMEOUT_MS = 60_000;

describe.each(SERVER_BACKENDS)(
  `generated requests (seed ${SEED}, ${RUNS} runs per route) ($name)`,
  { timeout: FUZZ_TIMEOUT_MS },
  (backend) => {
    let server: TestServer;
    const handles: string[] = [];
    let sent = 0;
    const overTheWire = { total: 0 };

    beforeAll(async () => {
      console.info(
        `api-fuzz: fast-check seed ${SEED}, ${RUNS} runs per route, every ${SOCKET_EVERY}th over a TCP socket`,
      );
      server = await startBackendServer(backend, {
        TAPBACK_CLOCK: 'manual',
        TAPBACK_LIST_RATE_MAX: '1000000',
        TAPBACK_QUEUE_LIMIT: '1000000',
      });
      for (const content of ['one', 'two', 'three']) {
        const res = await send(server, server.auth, { number: CONTACT, from_number: server.line, content });
        handles.push((res.json() as { message_handle: string }).message_handle);
      }
    });
    afterAll(() => server.close());

    const auth = fc.oneof(
      { weight: 9, arbitrary: fc.constant<Record<string, string>>({}) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(
            fc.string({ unit: 'grapheme-ascii', maxLength: 20 }),
            fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
          )
          .map(([id, secret]) => ({ 'sb-api-key-id': id, 'sb-api-secret-key': secret })),
      },
    );

    async function check(options: InjectOptions): Promise<void> {
      const socket = ++sent % SOCKET_EVERY === 0;
      if (socket) overTheWire.total++;
      const res = socket ? await overSocket(server.url, options) : await inject(server, options);
      if (res.statusCode >= 500 || (res.statusCode >= 400 && !isJsonError(res.body))) {
        const via = socket ? 'socket' : 'inject';
        throw new Error(`${options.method} ${options.url} (${via}) -> ${res.statusCode} ${res.body.slice(0, 300)}`);
      }
    }

    it('POST /api/send-message never answers 5xx, and every 4xx is a JSON error', async () => {
      // Each field gets a value its validation accepts about half the time, so that many sends are stored.
      const valid: Record<string, string[]> = {
        number: [CONTACT, '+15557770001', '+447700900123'],
        from_number: [server.line],
        content: ['fuzz', 'é'.repeat(30), '🙂'],
        media_url: ['https://cdn.example.com/a.jpg'],
        send_style: ['slam', 'love', 'invisible'],
        status_callback: ['https://hooks.example.com/status'],
        seat_id: ['seat-1'],
      };
      const field = fc
        .constantFrom(...SEND_FIELDS)
        .chain((name) => fc.tuple(fc.constant(name), fc.oneof(fc.constantFrom(...(valid[name] ?? [''])), jsonValue)));
      const body = fc
        .tuple(fc.boolean(), fc.uniqueArray(field, { maxLength: 4, selector: ([name]) => name }))
        .map(([fromValid, fields]) => {
          const chosen: Record<string, unknown> = Object.fromEntries(fields);
          return fromValid ? { number: CONTACT, from_number: server.line, content: 'fuzz', ...chosen } : chosen;
        });
      const encoded = fc.oneof(
        { weight: 4, arbitrary: body.map((b) => ({ payload: JSON.stringify(b), type: 'application/json' })) },
        {
          weight: 2,
          arbitrary: body.map((b) => ({
            payload: new URLSearchParams(
              Object.entries(b).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
            ).toString(),
            type: 'application/x-www-form-urlencoded',
          })),
        },
        {
          weight: 2,
          arbitrary: fc.tuple(body, fc.nat(), fc.string({ unit: 'binary', maxLength: 3 })).map(([b, cut, junk]) => {
            const json = JSON.stringify(b);
            const at = cut % (json.length + 1);
            return { payload: json.slice(0, at) + junk + json.slice(at), type: 'application/json' };
          }),
        },
        {
          weight: 1,
          arbitrary: fc.tuple(text, fc.constantFrom(...CONTENT_TYPES)).map(([p, type]) => ({ payload: p, type })),
        },
      );
      const key = fc.option(fc.string({ unit: 'grapheme-ascii', maxLength: 30 }), { freq: 3 });
      await fc.assert(
        fc.asyncProperty(encoded, key, auth, async ({ payload, type }, idempotencyKey, credentials) => {
          await check({
            method: 'POST',
            url: '/api/send-message',
            headers: {
              ...server.auth,
              ...credentials,
              ...(type === '' ? {} : { 'content-type': type }),
              ...(idempotencyKey === null ? {} : { 'idempotency-key': idempotencyKey }),
            },
            payload,
          });
        }),
        { seed: SEED, numRuns: RUNS },
      );
    });

    it('GET /api/status never answers 5xx, and every 4xx is a JSON error', async () => {
      await fc.assert(
        fc.asyncProperty(queryString(['handle', 'message_handle'], handles), auth, async (query, credentials) => {
          await check({ method: 'GET', url: `/api/status?${query}`, headers: { ...server.auth, ...credentials } });
        }),
        { seed: SEED, numRuns: RUNS },
      );
    });

    it('GET /api/v2/messages never answers 5xx, every 4xx is a JSON error, and nothing is stored', async () => {
      const before = await messageCount(server, server.auth);
      await fc.assert(
        fc.asyncProperty(queryString(LIST_PARAMS), auth, async (query, credentials) => {
          await check({ method: 'GET', url: `/api/v2/messages?${query}`, headers: { ...server.auth, ...credentials } });
        }),
        { seed: SEED, numRuns: RUNS },
      );
      expect(await messageCount(server, server.auth)).toBe(before);
    });

    it('GET /api/v2/messages/{id} never answers 5xx, and every 4xx is a JSON error', async () => {
      const id = fc.oneof(
        { weight: 2, arbitrary: fc.constantFrom(...handles) },
        { weight: 3, arbitrary: text.filter((t) => t !== '').map(encode) },
        { weight: 1, arbitrary: fc.constantFrom(...RAW_URL_FRAGMENTS).filter((f) => !['#', '?'].includes(f)) },
        { weight: 1, arbitrary: fc.nat({ max: 12_000 }).map((n) => 'a'.repeat(n + 1)) },
      );
      await fc.assert(
        fc.asyncProperty(id, auth, async (segment, credentials) => {
          await check({
            method: 'GET',
            url: `/api/v2/messages/${segment}`,
            headers: { ...server.auth, ...credentials },
          });
        }),
        { seed: SEED, numRuns: RUNS },
      );
    });

    it('is still serving afterwards, over the socket too', async () => {
      expect((await inject(server, { method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      expect((await overSocket(server.url, { method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      // Every route's share went over the wire (fast-check's shrinking may add a few).
      expect(overTheWire.total).toBeGreaterThanOrEqual(Math.floor((4 * RUNS) / SOCKET_EVERY));
    });
  },
);
