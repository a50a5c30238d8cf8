import fc from 'fast-check';
import Fastify, { type FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackendInstance, STORE_BACKENDS } from '../../test/support/backends.js';
import { messageDraft } from '../../test/support/message-draft.js';
import { messageListJson } from '../api/message-list-json.js';
import { ListResponseSchema } from '../api/schemas/list-schema.js';
import { MESSAGE_REF, WireMessageSchema } from '../api/schemas/message-schema.js';
import {
  MESSAGE_STATUSES,
  MESSAGE_TYPES,
  type Message,
  type NewMessage,
  SEND_STYLES,
  SERVICES,
  toWire,
} from '../domain/message.js';
import { APP_CARD_LAYOUT_KEYS, type AppCardPayload, type MessagePayload } from '../domain/message-payload.js';
import type { MessageQuery } from '../domain/message-query.js';
import type { Store } from './store.js';

/**
 * The list's messages as the database renders their wire JSON (message-wire-sql.ts) must be, byte
 * for byte, what the list served before: `toWire` of the stored message serialised by the
 * `Message` response schema, and the whole body what `ListResponseSchema` serialises. Random
 * messages of every kind: both directions, every status, service, type and send style, error
 * fields, media, groups with participants, carousels and App Cards, read receipts, any text
 * (quotes, backslashes, control characters, non-BMP), times from 1970 to 9999.
 */

const LINE = '+15550009000';
const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** No stored value holds U+0000 (queries/dialect-values.ts); every other code unit may appear. */
const text = (maxLength = 40) => fc.string({ unit: 'binary', maxLength }).map((s) => s.replace(/\0/g, ''));
const time = fc.integer({ min: 0, max: MAX_TIME });
const orNull = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });

const LAYOUT_KEYS = APP_CARD_LAYOUT_KEYS;

const appCard: fc.Arbitrary<AppCardPayload> = fc.record({
  kind: fc.constant('app_card' as const),
  appName: text(),
  extensionBundleId: text(),
  teamId: text(),
  url: text(),
  // Keys in a random order: the wire keeps the schema's.
  layout: fc
    .shuffledSubarray([...LAYOUT_KEYS])
    .chain((keys) => fc.tuple(...keys.map((k) => text().map((v) => [k, v] as const))))
    .map((entries) => Object.fromEntries(entries)),
  fallbackText: orNull(text()),
  interactive: fc.boolean(),
  appStoreId: orNull(fc.integer({ min: 0, max: 2_000_000_000 })),
  sessionIdentifier: text(),
  updateMessageHandle: orNull(text()),
});

const payload: fc.Arbitrary<MessagePayload | null> = fc.oneof(
  fc.constant(null),
  fc.record({ kind: fc.constant('carousel' as const), mediaUrls: fc.array(text(), { maxLength: 4 }) }),
  appCard,
);

const fields = fc.record({
  isOutbound: fc.boolean(),
  status: fc.constantFrom(...MESSAGE_STATUSES),
  content: fc.oneof(text(400), fc.constantFrom('', 'hello', 'héllo €', 'x'.repeat(161), '😀'.repeat(40))),
  mediaUrl: fc.oneof(fc.constant(''), text()),
  sendStyle: fc.constantFrom('' as const, ...SEND_STYLES),
  fromNumber: text(16),
  toNumber: text(16),
  number: text(16),
  service: fc.constantFrom(...SERVICES),
  wasDowngraded: orNull(fc.boolean()),
  errorCode: orNull(fc.integer({ min: -2_147_483_648, max: 2_147_483_647 })),
  errorMessage: orNull(text()),
  errorReason: orNull(text()),
  errorDetail: orNull(text()),
  messageType: fc.constantFrom(...MESSAGE_TYPES),
  groupId: fc.oneof(fc.constant(''), text()),
  participants: fc.array(text(16), { maxLength: 5 }),
  groupDisplayName: text(),
  optedOut: fc.boolean(),
  statusCallback: orNull(text()),
  createdAt: time,
  sentAt: time,
  updatedAt: time,
  dateRead: orNull(time),
  providerMessageId: orNull(text()),
  typePayload: payload,
}) satisfies fc.Arbitrary<Partial<NewMessage>>;

/** Serialises as the API's response schemas do (the app registers the same `Message` schema). */
async function serialiser(): Promise<FastifyInstance> {
  const app = Fastify();
  app.addSchema(WireMessageSchema);
  app.post('/messages', { schema: { response: { 200: Type.Array(MESSAGE_REF) } } }, (request) => request.body);
  app.post('/list', { schema: { response: { 200: ListResponseSchema } } }, (request) => request.body);
  await app.ready();
  return app;
}

describe.each(STORE_BACKENDS)('message wire JSON rendered by the database ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let app: FastifyInstance;
  let accounts = 0;

  beforeAll(async () => {
    instance = await backend.create();
    store = instance.store;
    app = await serialiser();
  });

  afterAll(async () => {
    await app.close();
    await instance.dispose();
  });

  const served = async (path: string, body: unknown): Promise<string> =>
    (await app.inject({ method: 'POST', url: path, payload: body as object })).body;

  it('is what toWire and the response schema make of every stored message, byte for byte', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fields, { minLength: 1, maxLength: 6 }), text(30), async (messages, emailPart) => {
        // A fresh account per run, so its list holds exactly this run's messages.
        const account = await store.createAccount({ email: `${emailPart}@wire${++accounts}.test`, now: 0 });
        for (const [i, m] of messages.entries()) {
          // A network id is unique per line.
          const providerMessageId = m.providerMessageId === null ? null : `${m.providerMessageId}:${account.id}:${i}`;
          const draft: NewMessage = {
            ...messageDraft(account, LINE, m.toNumber),
            ...m,
            providerMessageId,
            sendblueNumber: LINE,
          };
          const result = await store.acceptOutbound({ message: draft, queueLimit: 1_000 });
          expect(result.kind).toBe('accepted');
        }
        const query: MessageQuery = { limit: 100, offset: 0, orderBy: 'createdAt', orderDirection: 'desc' };
        const wire = await store.listMessagesWire(account.id, query);
        const objects = await store.listMessages(account.id, query);
        expect(wire.total).toBe(messages.length);
        expect(`[${wire.messages.join(',')}]`).toBe(await served('/messages', objects.messages.map(toWire)));
        const pagination = { total: wire.total, limit: 100, offset: 0, hasMore: false };
        expect(messageListJson(wire.messages, pagination)).toBe(
          await served('/list', { status: 'OK', data: objects.messages.map(toWire), pagination }),
        );
      }),
      { numRuns: 100 },
    );
    // ~100 accounts and ~350 messages stored and listed twice: seconds on PostgreSQL on a busy machine.
  }, 60_000);

  it('renders the same page as listMessages for each filter and order', async () => {
    const account = await store.createAccount({ email: 'filters@wire.test', now: 0 });
    const stored: Message[] = [];
    for (let i = 0; i < 12; i++) {
      const draft = messageDraft(account, LINE, `+1555000100${i % 3}`, {
        createdAt: 1_000 * i,
        sentAt: 1_000 * (12 - i),
        updatedAt: 500 * i,
        service: i % 2 === 0 ? 'SMS' : 'iMessage',
        status: i % 4 === 0 ? 'DELIVERED' : 'QUEUED',
      });
      const result = await store.acceptOutbound({ message: draft, queueLimit: 1_000 });
      if (result.kind !== 'accepted') throw new Error(result.kind);
      stored.push(result.message);
    }
    const queries: MessageQuery[] = [
      { limit: 5, offset: 2, orderBy: 'createdAt', orderDirection: 'asc' },
      { limit: 100, offset: 0, orderBy: 'sentAt', orderDirection: 'desc', number: '+15550001001' },
      { limit: 3, offset: 1, orderBy: 'updatedAt', orderDirection: 'desc', number: LINE },
      { limit: 100, offset: 0, orderBy: 'createdAt', orderDirection: 'desc', status: 'DELIVERED', service: 'SMS' },
    ];
    for (const query of queries) {
      const wire = await store.listMessagesWire(account.id, query);
      const objects = await store.listMessages(account.id, query);
      expect(wire.total).toBe(objects.total);
      expect(wire.messages.length).toBeGreaterThan(0);
      expect(`[${wire.messages.join(',')}]`).toBe(await served('/messages', objects.messages.map(toWire)));
    }
  });
});
