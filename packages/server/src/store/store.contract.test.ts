import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newHandle } from '../domain/ids.js';
import type { Message } from '../domain/message.js';
import { type BackendInstance, STORE_BACKENDS } from '../../test/support/backends.js';
import { messageDraft } from '../../test/support/message-draft.js';
import type { Account } from '../domain/account.js';
import type { AcceptResult } from './ports/messages-port.js';
import type { FollowUp, JobOutcome, StatusPatch } from '../domain/job.js';
import type { MessageQuery } from '../domain/message-query.js';
import type { NewMessage } from '../domain/message.js';
import type { Store } from './store.js';

/**
 * The one behavioural specification of `Store`. It runs unchanged against every backend in
 * STORE_BACKENDS; every test gets a fresh store and talks to it only through the interface.
 */

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const LINE_A = '+15550001000';
const LINE_A2 = '+15550001001';
const LINE_B = '+15550002000';
const CONTACT = '+19998887777';
const CONTACT2 = '+19998886666';

interface Fixture {
  store: Store;
  a: Account;
  b: Account;
}

function draft(account: Account, overrides: Partial<NewMessage> = {}): NewMessage {
  return messageDraft(account, LINE_A, CONTACT, { createdAt: T0, ...overrides });
}

function expectAccepted(result: AcceptResult): Message {
  if (result.kind !== 'accepted') throw new Error(`expected accepted, got ${result.kind}`);
  return result.message;
}

async function accept(store: Store, message: NewMessage, queueLimit = 10_000): Promise<Message> {
  return expectAccepted(await store.acceptOutbound({ message, queueLimit }));
}

function query(overrides: Partial<MessageQuery> = {}): MessageQuery {
  return { limit: 100, offset: 0, orderBy: 'createdAt', orderDirection: 'desc', ...overrides };
}

function done(
  jobId: number,
  messageId: number,
  patches: StatusPatch[],
  schedule: { runAt: number; patch: StatusPatch; then?: FollowUp[] }[] = [],
): JobOutcome {
  return { kind: 'done', jobId, messageId, patches, schedule: schedule.map((s) => ({ then: [], ...s })) };
}

describe.each(STORE_BACKENDS)('Store contract ($name)', (backend) => {
  let instance: BackendInstance;
  let f: Fixture;

  beforeEach(async () => {
    instance = await backend.create();
    const store = instance.store;
    const a = await store.createAccount({ email: 'a@example.com', now: Date.now() });
    const b = await store.createAccount({ email: 'b@example.com', plan: 'blue', now: Date.now() });
    await store.addLine({ accountId: a.id, number: LINE_A, provider: 'sandbox', now: Date.now() });
    await store.addLine({ accountId: a.id, number: LINE_A2, provider: 'other', now: Date.now() });
    await store.addLine({ accountId: b.id, number: LINE_B, provider: 'sandbox', now: Date.now() });
    f = { store, a, b };
  });

  afterEach(async () => {
    await instance.dispose();
  });

  /** Claims the message's send job at `now` and records `patches` for it. */
  async function deliver(message: Message, patches: StatusPatch[], now = message.createdAt) {
    const claimed = await f.store.claimJobs({ now, limit: 100, leaseUntil: now + 1000, workerId: 'w' });
    const mine = claimed.find((c) => c.message.id === message.id);
    if (mine === undefined) throw new Error('send job not claimed');
    return f.store.finishJobs([done(mine.job.id, message.id, patches)], now);
  }

  describe('accounts, keys and lines', () => {
    it('creates accounts with the default plan and finds them by email', async () => {
      const c = await f.store.createAccount({ email: 'c@example.com', now: Date.now() });
      expect(c).toMatchObject({ email: 'c@example.com', plan: 'dedicated' });
      expect(c.createdAt).toBeTypeOf('number');
      expect(await f.store.findAccountByEmail('c@example.com')).toEqual(c);
      expect(await f.store.findAccountByEmail('nobody@example.com')).toBeUndefined();
      expect((await f.store.listAccounts()).map((x) => x.email)).toEqual([
        'a@example.com',
        'b@example.com',
        'c@example.com',
      ]);
    });

    it('rejects a second account with the same email, whatever its case', async () => {
      await expect(f.store.createAccount({ email: 'a@example.com', now: Date.now() })).rejects.toThrow();
      await expect(f.store.createAccount({ email: 'A@Example.com', now: Date.now() })).rejects.toThrow();
      expect(await f.store.findAccountByEmail('A@EXAMPLE.COM')).toMatchObject({ id: f.a.id });
      expect(await f.store.listAccounts()).toHaveLength(2);
    });

    it('folds only ASCII letters when matching emails', async () => {
      const mixed = await f.store.createAccount({ email: 'MiXeD@Example.COM', now: T0 });
      expect(await f.store.findAccountByEmail('mixed@example.com')).toEqual(mixed);
      const lower = await f.store.createAccount({ email: 'émile@example.com', now: T0 });
      expect(await f.store.findAccountByEmail('émile@EXAMPLE.com')).toEqual(lower);
      expect(await f.store.findAccountByEmail('Émile@example.com')).toBeUndefined();
      // É and é are different emails, so both may have an account.
      const upper = await f.store.createAccount({ email: 'Émile@example.com', now: T0 });
      expect(await f.store.findAccountByEmail('Émile@EXAMPLE.COM')).toEqual(upper);
    });

    it('stores no text containing U+0000 (PostgreSQL cannot), on any backend', async () => {
      await expect(f.store.createAccount({ email: 'c\u0000@example.com', now: T0 })).rejects.toThrow('U+0000');
      await expect(
        f.store.addLine({ accountId: f.a.id, number: `${LINE_A}\u0000`, provider: 'sandbox', now: T0 }),
      ).rejects.toThrow('U+0000');
      await expect(
        f.store.createApiKey({ accountId: f.a.id, keyId: 'key\u0000', secretDigest: 'd'.repeat(64), now: T0 }),
      ).rejects.toThrow('U+0000');
      expect(await f.store.listAccounts()).toHaveLength(2);
      expect(await f.store.listLines(f.a.id)).toHaveLength(2);
      expect(await f.store.listApiKeys()).toEqual([]);
    });

    it('creates API keys without ever returning the digest except to authentication', async () => {
      const key = await f.store.createApiKey({
        accountId: f.a.id,
        keyId: 'key-a-0001',
        secretDigest: 'd'.repeat(64),
        label: 'ci',
        now: Date.now(),
      });
      expect(key).toEqual({
        keyId: 'key-a-0001',
        accountId: f.a.id,
        accountEmail: 'a@example.com',
        accountPlan: 'dedicated',
        label: 'ci',
        createdAt: expect.any(Number),
        revokedAt: null,
      });
      await f.store.createApiKey({
        accountId: f.b.id,
        keyId: 'key-b-0001',
        secretDigest: 'e'.repeat(64),
        now: Date.now(),
      });
      const all = await f.store.listApiKeys();
      expect(all.map((k) => k.keyId).sort()).toEqual(['key-a-0001', 'key-b-0001']);
      for (const k of all) expect(k).not.toHaveProperty('secretDigest');
      expect((await f.store.listApiKeys(f.b.id)).map((k) => k.keyId)).toEqual(['key-b-0001']);
      expect((await f.store.listApiKeys(f.b.id))[0]?.label).toBeNull();
      expect(await f.store.findApiKey('key-a-0001')).toMatchObject({ accountId: f.a.id, secretDigest: 'd'.repeat(64) });
      expect(await f.store.findApiKey('missing-key')).toBeUndefined();
    });

    it('rejects a duplicate key id', async () => {
      await f.store.createApiKey({
        accountId: f.a.id,
        keyId: 'key-dup-01',
        secretDigest: 'd'.repeat(64),
        now: Date.now(),
      });
      await expect(
        f.store.createApiKey({ accountId: f.b.id, keyId: 'key-dup-01', secretDigest: 'e'.repeat(64), now: Date.now() }),
      ).rejects.toThrow();
      expect(await f.store.findApiKey('key-dup-01')).toMatchObject({ accountId: f.a.id });
    });

    it('revokes a key once; the revoked key is still found, marked revoked', async () => {
      await f.store.createApiKey({
        accountId: f.a.id,
        keyId: 'key-rev-01',
        secretDigest: 'd'.repeat(64),
        now: Date.now(),
      });
      // Read first: a backend that keeps keys it has read must still see the revocation at once.
      expect((await f.store.findApiKey('key-rev-01'))?.revokedAt).toBeNull();
      expect(await f.store.revokeApiKey('key-rev-01', Date.now())).toBe(true);
      expect(await f.store.revokeApiKey('key-rev-01', Date.now())).toBe(false);
      expect(await f.store.revokeApiKey('no-such-key', Date.now())).toBe(false);
      expect((await f.store.findApiKey('key-rev-01'))?.revokedAt).toBeTypeOf('number');
      expect((await f.store.listApiKeys(f.a.id))[0]?.revokedAt).toBeTypeOf('number');
    });

    it('adds lines with their account and provider, and lists them per account', async () => {
      expect(await f.store.findLine(LINE_A2)).toMatchObject({
        accountId: f.a.id,
        accountEmail: 'a@example.com',
        number: LINE_A2,
        provider: 'other',
      });
      expect(await f.store.findLine('+15559999999')).toBeUndefined();
      expect((await f.store.listLines(f.a.id)).map((l) => l.number)).toEqual([LINE_A, LINE_A2]);
      expect((await f.store.listLines()).map((l) => l.number)).toEqual([LINE_A, LINE_A2, LINE_B]);
    });

    it('finds nothing, and fails nothing, by a key, line or email containing U+0000', async () => {
      await f.store.createApiKey({
        accountId: f.a.id,
        keyId: 'key-a-0001',
        secretDigest: 'd'.repeat(64),
        now: Date.now(),
      });
      expect(await f.store.findApiKey('key-a-0001\u0000')).toBeUndefined();
      expect(await f.store.revokeApiKey('key-a-0001\u0000', Date.now())).toBe(false);
      expect(await f.store.findLine(`${LINE_A}\u0000`)).toBeUndefined();
      expect(await f.store.findAccountByEmail('a@example.com\u0000')).toBeUndefined();
      expect(await f.store.findApiKey('key-a-0001')).toMatchObject({ revokedAt: null });
    });

    it('rejects a line number that any account already has', async () => {
      await expect(
        f.store.addLine({ accountId: f.a.id, number: LINE_A, provider: 'sandbox', now: Date.now() }),
      ).rejects.toThrow();
      await expect(
        f.store.addLine({ accountId: f.b.id, number: LINE_A, provider: 'sandbox', now: Date.now() }),
      ).rejects.toThrow();
      expect(await f.store.findLine(LINE_A)).toMatchObject({ accountId: f.a.id });
    });
  });

  describe('acceptOutbound', () => {
    it('stores the message and its send job together', async () => {
      const input = draft(f.a, { content: 'stored', statusCallback: 'https://example.com/cb' });
      const m = await accept(f.store, input);
      expect(m).toMatchObject({
        ...input,
        accountEmail: 'a@example.com',
        plan: 'dedicated',
        statusSeq: 0,
        id: expect.any(Number),
      });
      expect(await f.store.getMessage(f.a.id, input.handle)).toEqual(m);
      expect(await f.store.countJobs()).toBe(1);
      expect(await f.store.nextJobAt()).toBe(T0);
      const claimed = await f.store.claimJobs({ now: T0, limit: 10, leaseUntil: T0 + 1000, workerId: 'w' });
      expect(claimed).toHaveLength(1);
      expect(claimed[0]).toMatchObject({
        job: { kind: 'send', messageId: m.id, attempts: 1, lastError: null, patch: null },
        message: m,
        provider: 'sandbox',
      });
    });

    it("keeps the network's message id, null until there is one", async () => {
      const plain = await accept(f.store, draft(f.a));
      expect(plain.providerMessageId).toBeNull();
      expect(await f.store.getMessage(f.a.id, plain.handle)).toMatchObject({ providerMessageId: null });
      const known = await accept(f.store, draft(f.a, { providerMessageId: 'net-0001' }));
      expect(known.providerMessageId).toBe('net-0001');
      expect(await f.store.getMessage(f.a.id, known.handle)).toEqual(known);
      const claimed = await f.store.claimJobs({ now: T0, limit: 10, leaseUntil: T0 + 1000, workerId: 'w' });
      expect(claimed.map((c) => c.message.providerMessageId).sort()).toEqual(['net-0001', null].sort());
    });

    it("refuses a network's message id already used on the same line, not on another line", async () => {
      await accept(f.store, draft(f.a, { providerMessageId: 'net-0001' }));
      await expect(accept(f.store, draft(f.a, { providerMessageId: 'net-0001' }))).rejects.toThrow();
      const other = await accept(
        f.store,
        draft(f.a, { fromNumber: LINE_A2, sendblueNumber: LINE_A2, providerMessageId: 'net-0001' }),
      );
      expect(other.providerMessageId).toBe('net-0001');
      // Messages without an id never collide.
      await accept(f.store, draft(f.a));
      await accept(f.store, draft(f.a));
      const { messages } = await f.store.listMessages(f.a.id, query());
      expect(messages.map((m) => m.providerMessageId).sort()).toEqual(['net-0001', 'net-0001', null, null].sort());
    });

    it('reports the provider of the line a message is sent from', async () => {
      await accept(f.store, draft(f.a, { fromNumber: LINE_A2, sendblueNumber: LINE_A2 }));
      const [claimed] = await f.store.claimJobs({ now: T0, limit: 10, leaseUntil: T0 + 1000, workerId: 'w' });
      expect(claimed?.provider).toBe('other');
    });

    it('stores a message that is not QUEUED without a send job', async () => {
      const m = await accept(f.store, draft(f.a, { status: 'DECLINED', optedOut: true }));
      expect(m.status).toBe('DECLINED');
      expect(await f.store.countJobs()).toBe(0);
      expect(await f.store.nextJobAt()).toBeNull();
    });

    it('replays the stored response for a repeated idempotency key and stores nothing new', async () => {
      const first = draft(f.a);
      const r1 = await f.store.acceptOutbound({
        message: first,
        queueLimit: 100,
        idempotency: { key: 'k1', requestHash: 'hash-1', responseBody: '{"first":true}' },
      });
      expect(r1.kind).toBe('accepted');
      const second = draft(f.a, { content: 'different' });
      const r2 = await f.store.acceptOutbound({
        message: second,
        queueLimit: 100,
        idempotency: { key: 'k1', requestHash: 'hash-2', responseBody: '{"second":true}' },
      });
      expect(r2).toEqual({ kind: 'replay', requestHash: 'hash-1', responseBody: '{"first":true}' });
      expect(await f.store.getMessage(f.a.id, second.handle)).toBeUndefined();
      expect((await f.store.listMessages(f.a.id, query())).total).toBe(1);
      expect(await f.store.countJobs()).toBe(1);
    });

    it('keeps idempotency keys per account', async () => {
      const idempotency = { key: 'shared', requestHash: 'h', responseBody: '{}' };
      await f.store.acceptOutbound({ message: draft(f.a), queueLimit: 100, idempotency });
      const other = await f.store.acceptOutbound({
        message: draft(f.b, { fromNumber: LINE_B, sendblueNumber: LINE_B }),
        queueLimit: 100,
        idempotency,
      });
      expect(other.kind).toBe('accepted');
    });

    it('accepts exactly one of many same-key calls made in one tick; the rest replay it', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          f.store.acceptOutbound({
            message: draft(f.a, { content: `try ${i}` }),
            queueLimit: 100,
            idempotency: { key: 'same', requestHash: `h${i}`, responseBody: `{"i":${i}}` },
          }),
        ),
      );
      const accepted = results.filter((r) => r.kind === 'accepted');
      expect(accepted).toHaveLength(1);
      const winner = results.indexOf(accepted[0]!);
      for (const r of results.filter((x) => x.kind !== 'accepted')) {
        expect(r).toEqual({ kind: 'replay', requestHash: `h${winner}`, responseBody: `{"i":${winner}}` });
      }
      expect((await f.store.listMessages(f.a.id, query())).total).toBe(1);
      expect(await f.store.countJobs()).toBe(1);
    });

    it('refuses sends once the account has queueLimit QUEUED messages, storing nothing', async () => {
      await accept(f.store, draft(f.a), 2);
      await accept(f.store, draft(f.a), 2);
      const refused = draft(f.a);
      expect(await f.store.acceptOutbound({ message: refused, queueLimit: 2 })).toEqual({ kind: 'queue_full' });
      expect(await f.store.getMessage(f.a.id, refused.handle)).toBeUndefined();
      expect(await f.store.countJobs()).toBe(2);
    });

    it('counts the queue limit per account', async () => {
      await accept(f.store, draft(f.a), 1);
      expect((await f.store.acceptOutbound({ message: draft(f.a), queueLimit: 1 })).kind).toBe('queue_full');
      const forB = draft(f.b, { fromNumber: LINE_B, sendblueNumber: LINE_B });
      expect((await f.store.acceptOutbound({ message: forB, queueLimit: 1 })).kind).toBe('accepted');
    });

    it('counts only QUEUED messages towards the limit, so sends resume once one is sent', async () => {
      await accept(f.store, draft(f.a, { status: 'DECLINED' }), 1);
      const queued = await accept(f.store, draft(f.a), 1);
      expect((await f.store.acceptOutbound({ message: draft(f.a), queueLimit: 1 })).kind).toBe('queue_full');
      await deliver(queued, [{ status: 'SENT' }]);
      expect((await f.store.acceptOutbound({ message: draft(f.a), queueLimit: 1 })).kind).toBe('accepted');
    });

    it('enforces the queue limit across calls made in the same tick', async () => {
      const results = await Promise.all(
        Array.from({ length: 5 }, () => f.store.acceptOutbound({ message: draft(f.a), queueLimit: 3 })),
      );
      expect(results.map((r) => r.kind)).toEqual(['accepted', 'accepted', 'accepted', 'queue_full', 'queue_full']);
    });

    it('accepts many concurrent calls made in one tick (group commit), each with its own result', async () => {
      const drafts = Array.from({ length: 50 }, (_, i) => draft(f.a, { content: `m${i}`, createdAt: T0 + i }));
      const results = await Promise.all(drafts.map((d) => f.store.acceptOutbound({ message: d, queueLimit: 1000 })));
      const messages = results.map(expectAccepted);
      expect(messages.map((m) => m.handle)).toEqual(drafts.map((d) => d.handle));
      expect(messages.map((m) => m.content)).toEqual(drafts.map((d) => d.content));
      expect(new Set(messages.map((m) => m.id)).size).toBe(50);
      expect((await f.store.listMessages(f.a.id, query())).total).toBe(50);
      expect(await f.store.countJobs()).toBe(50);
    });

    it('fails only the item that cannot be stored when concurrent calls share a commit', async () => {
      const existing = await accept(f.store, draft(f.a, { status: 'DECLINED' }));
      const ok1 = draft(f.a);
      const dup = draft(f.a, { handle: existing.handle });
      const ok2 = draft(f.a);
      const settled = await Promise.allSettled([
        f.store.acceptOutbound({ message: ok1, queueLimit: 100 }),
        f.store.acceptOutbound({
          message: dup,
          queueLimit: 100,
          idempotency: { key: 'dup-key', requestHash: 'h', responseBody: '{}' },
        }),
        f.store.acceptOutbound({ message: ok2, queueLimit: 100 }),
      ]);
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(await f.store.getMessage(f.a.id, ok1.handle)).toBeDefined();
      expect(await f.store.getMessage(f.a.id, ok2.handle)).toBeDefined();
      expect((await f.store.getMessage(f.a.id, existing.handle))?.status).toBe('DECLINED');
      // Neither the failed item's job nor its idempotency key was kept.
      expect(await f.store.countJobs()).toBe(2);
      const retry = await f.store.acceptOutbound({
        message: draft(f.a),
        queueLimit: 100,
        idempotency: { key: 'dup-key', requestHash: 'h', responseBody: '{}' },
      });
      expect(retry.kind).toBe('accepted');
    });

    it('does not count a failed item towards the queue limit of the others in its commit', async () => {
      const existing = await accept(f.store, draft(f.a, { status: 'DECLINED' }));
      const settled = await Promise.allSettled([
        f.store.acceptOutbound({ message: draft(f.a, { handle: existing.handle }), queueLimit: 2 }),
        f.store.acceptOutbound({ message: draft(f.a), queueLimit: 2 }),
        f.store.acceptOutbound({ message: draft(f.a), queueLimit: 2 }),
      ]);
      expect(settled[0]?.status).toBe('rejected');
      expect(settled.slice(1).map((s) => (s.status === 'fulfilled' ? s.value.kind : 'rejected'))).toEqual([
        'accepted',
        'accepted',
      ]);
    });
  });

  describe('getMessage', () => {
    it('finds a message only within its own account', async () => {
      const m = await accept(f.store, draft(f.a));
      expect(await f.store.getMessage(f.a.id, m.handle)).toEqual(m);
      expect(await f.store.getMessage(f.b.id, m.handle)).toBeUndefined();
      expect(await f.store.getMessage(f.a.id, newHandle())).toBeUndefined();
      expect(await f.store.getMessage(f.a.id, `${m.handle}\u0000`)).toBeUndefined();
      expect(await f.store.getMessage(f.a.id, '\u0000')).toBeUndefined();
    });
  });

  describe('listMessages', () => {
    /** Account A: six messages with distinct fields and times; account B: two that must never show. */
    async function seed(): Promise<Message[]> {
      const specs: Partial<NewMessage>[] = [
        { status: 'QUEUED', createdAt: T0 + 1000, sentAt: T0 + 6000, updatedAt: T0 + 3000 },
        {
          status: 'DELIVERED',
          service: 'SMS',
          toNumber: CONTACT2,
          number: CONTACT2,
          createdAt: T0 + 2000,
          sentAt: T0 + 5000,
          updatedAt: T0 + 1000,
        },
        {
          status: 'RECEIVED',
          isOutbound: false,
          fromNumber: CONTACT,
          toNumber: LINE_A2,
          number: CONTACT,
          sendblueNumber: LINE_A2,
          createdAt: T0 + 3000,
          sentAt: T0 + 4000,
          updatedAt: T0 + 6000,
        },
        {
          status: 'SENT',
          service: 'RCS',
          messageType: 'group',
          groupId: 'g-1',
          participants: [CONTACT, CONTACT2],
          createdAt: T0 + 4000,
          sentAt: T0 + 3000,
          updatedAt: T0 + 2000,
        },
        { status: 'ERROR', errorCode: 10001, createdAt: T0 + 5000, sentAt: T0 + 2000, updatedAt: T0 + 5000 },
        // Same created_at as the previous one: the id breaks the tie.
        { status: 'DECLINED', optedOut: true, createdAt: T0 + 5000, sentAt: T0 + 1000, updatedAt: T0 + 4000 },
      ];
      const out: Message[] = [];
      for (const s of specs) out.push(await accept(f.store, draft(f.a, s)));
      for (const t of [T0 + 1500, T0 + 2500]) {
        await accept(f.store, draft(f.b, { fromNumber: LINE_B, sendblueNumber: LINE_B, createdAt: t }));
      }
      return out;
    }

    const contents = (r: { messages: Message[] }, all: Message[]): number[] =>
      r.messages.map((m) => all.findIndex((x) => x.id === m.id));

    it('lists only the account’s messages, newest first, with the exact total', async () => {
      const all = await seed();
      const r = await f.store.listMessages(f.a.id, query());
      expect(r.total).toBe(6);
      expect(contents(r, all)).toEqual([5, 4, 3, 2, 1, 0]);
      expect(r.messages[0]).toEqual(all[5]);
      const rb = await f.store.listMessages(f.b.id, query());
      expect(rb.total).toBe(2);
      expect(rb.messages.every((m) => m.accountId === f.b.id)).toBe(true);
    });

    it('orders by createdAt, updatedAt or sentAt in either direction, ties broken by id', async () => {
      const all = await seed();
      const order = async (orderBy: MessageQuery['orderBy'], orderDirection: 'asc' | 'desc') =>
        contents(await f.store.listMessages(f.a.id, query({ orderBy, orderDirection })), all);
      expect(await order('createdAt', 'asc')).toEqual([0, 1, 2, 3, 4, 5]);
      expect(await order('createdAt', 'desc')).toEqual([5, 4, 3, 2, 1, 0]);
      expect(await order('updatedAt', 'asc')).toEqual([1, 3, 0, 5, 4, 2]);
      expect(await order('updatedAt', 'desc')).toEqual([2, 4, 5, 0, 3, 1]);
      expect(await order('sentAt', 'asc')).toEqual([5, 4, 3, 2, 1, 0]);
      expect(await order('sentAt', 'desc')).toEqual([0, 1, 2, 3, 4, 5]);
    });

    it('pages with limit and offset; the total ignores both', async () => {
      const all = await seed();
      const page = async (limit: number, offset: number) => {
        const r = await f.store.listMessages(f.a.id, query({ limit, offset, orderDirection: 'asc' }));
        expect(r.total).toBe(6);
        return contents(r, all);
      };
      expect(await page(2, 0)).toEqual([0, 1]);
      expect(await page(2, 2)).toEqual([2, 3]);
      expect(await page(2, 4)).toEqual([4, 5]);
      expect(await page(4, 4)).toEqual([4, 5]);
      expect(await page(2, 6)).toEqual([]);
      expect(await page(100, 0)).toEqual([0, 1, 2, 3, 4, 5]);
    });

    it.each<[string, Partial<MessageQuery>, number[]]>([
      ['status', { status: 'DELIVERED' }, [1]],
      ['status with no match', { status: 'PENDING' }, []],
      ['service', { service: 'SMS' }, [1]],
      ['isOutbound false', { isOutbound: false }, [2]],
      ['isOutbound true', { isOutbound: true }, [0, 1, 3, 4, 5]],
      ['messageType', { messageType: 'group' }, [3]],
      ['number (the contact)', { number: CONTACT2 }, [1]],
      ['number (the line)', { number: LINE_A2 }, [2]],
      ['fromNumber', { fromNumber: CONTACT }, [2]],
      ['toNumber', { toNumber: CONTACT2 }, [1]],
      ['sendblueNumber', { sendblueNumber: LINE_A2 }, [2]],
      ['groupId', { groupId: 'g-1' }, [3]],
      ['createdAtGte (inclusive)', { createdAtGte: T0 + 4000 }, [3, 4, 5]],
      ['createdAtLte (inclusive)', { createdAtLte: T0 + 2000 }, [0, 1]],
      ['createdAt range', { createdAtGte: T0 + 2000, createdAtLte: T0 + 3000 }, [1, 2]],
      ['sentAtGte', { sentAtGte: T0 + 5000 }, [0, 1]],
      ['sentAtLte', { sentAtLte: T0 + 1000 }, [5]],
      ['updatedAtGte', { updatedAtGte: T0 + 5000 }, [2, 4]],
      ['updatedAtLte', { updatedAtLte: T0 + 2000 }, [1, 3]],
      ['several filters together', { isOutbound: true, number: CONTACT, createdAtGte: T0 + 4000 }, [3, 4, 5]],
    ])('filters by %s with an exact total', async (_name, filter, expected) => {
      const all = await seed();
      const r = await f.store.listMessages(f.a.id, query({ ...filter, orderDirection: 'asc' }));
      expect(contents(r, all)).toEqual(expected);
      expect(r.total).toBe(expected.length);
      const paged = await f.store.listMessages(
        f.a.id,
        query({ ...filter, orderDirection: 'asc', limit: 1, offset: 0 }),
      );
      expect(paged.total).toBe(expected.length);
      expect(paged.messages).toHaveLength(Math.min(1, expected.length));
    });

    it('treats filter values as data, not patterns', async () => {
      await seed();
      for (const groupId of ['%', '_', "' OR 1=1 --", 'g-%', '\u0000', 'g-1\u0000']) {
        expect(await f.store.listMessages(f.a.id, query({ groupId }))).toEqual({ messages: [], total: 0 });
      }
    });

    it('never returns another account’s messages, whatever the filter', async () => {
      await seed();
      const r = await f.store.listMessages(f.b.id, query({ number: CONTACT }));
      expect(r.total).toBe(2);
      expect(r.messages.every((m) => m.accountId === f.b.id)).toBe(true);
      expect((await f.store.listMessages(f.b.id, query({ sendblueNumber: LINE_A }))).total).toBe(0);
    });

    it('finds nothing, and fails nothing, by a number filter containing U+0000', async () => {
      await seed();
      for (const filter of [
        { number: `${CONTACT}\u0000` },
        { fromNumber: '\u0000' },
        { toNumber: `${CONTACT}\u0000` },
        { sendblueNumber: `${LINE_A}\u0000` },
      ]) {
        expect(await f.store.listMessages(f.a.id, query(filter))).toEqual({ messages: [], total: 0 });
      }
    });
  });

  describe('claimJobs', () => {
    it('claims only jobs that are due', async () => {
      await accept(f.store, draft(f.a, { createdAt: T0 }));
      await accept(f.store, draft(f.a, { createdAt: T0 + 500 }));
      const claimed = await f.store.claimJobs({ now: T0 + 499, limit: 10, leaseUntil: T0 + 10_000, workerId: 'w' });
      expect(claimed.map((c) => c.job.runAt)).toEqual([T0 + 10_000]);
      expect(claimed[0]?.message.createdAt).toBe(T0);
    });

    it('claims at most `limit` jobs, earliest due first', async () => {
      const late = await accept(f.store, draft(f.a, { createdAt: T0 + 30 }));
      const early = await accept(f.store, draft(f.a, { createdAt: T0 + 10 }));
      const middle = await accept(f.store, draft(f.a, { createdAt: T0 + 20 }));
      const first = await f.store.claimJobs({ now: T0 + 100, limit: 2, leaseUntil: T0 + 5000, workerId: 'w' });
      expect(first.map((c) => c.message.id)).toEqual([early.id, middle.id]);
      const rest = await f.store.claimJobs({ now: T0 + 100, limit: 2, leaseUntil: T0 + 5000, workerId: 'w' });
      expect(rest.map((c) => c.message.id)).toEqual([late.id]);
    });

    it('returns claimed jobs in due order even when they were created in another order', async () => {
      const m = await accept(f.store, draft(f.a));
      const [send] = await f.store.claimJobs({ now: T0, limit: 10, leaseUntil: T0 + 1000, workerId: 'w' });
      await f.store.finishJobs(
        [
          done(
            send!.job.id,
            m.id,
            [],
            [
              { runAt: T0 + 500, patch: { status: 'DELIVERED' } },
              { runAt: T0 + 100, patch: { status: 'SENT' } },
            ],
          ),
        ],
        T0,
      );
      const claimed = await f.store.claimJobs({ now: T0 + 1000, limit: 10, leaseUntil: T0 + 2000, workerId: 'w' });
      expect(claimed.map((c) => c.job.patch?.status)).toEqual(['SENT', 'DELIVERED']);
    });

    it('leases a claimed job: its runAt moves to the lease end and it is not claimed again before', async () => {
      await accept(f.store, draft(f.a));
      const [first] = await f.store.claimJobs({ now: T0, limit: 10, leaseUntil: T0 + 1000, workerId: 'w1' });
      expect(first?.job).toMatchObject({ runAt: T0 + 1000, attempts: 1 });
      expect(await f.store.nextJobAt()).toBe(T0 + 1000);
      expect(await f.store.countJobs()).toBe(1);
      expect(await f.store.claimJobs({ now: T0 + 999, limit: 10, leaseUntil: T0 + 2000, workerId: 'w2' })).toEqual([]);
    });

    it('claims a job again once its lease has expired, counting the attempt', async () => {
      await accept(f.store, draft(f.a));
      await f.store.claimJobs({ now: T0, limit: 10, leaseUntil: T0 + 1000, workerId: 'w1' });
      const again = await f.store.claimJobs({ now: T0 + 1000, limit: 10, leaseUntil: T0 + 3000, workerId: 'w2' });
      expect(again).toHaveLength(1);
      expect(again[0]?.job).toMatchObject({ runAt: T0 + 3000, attempts: 2 });
    });

    it('never hands one job to two concurrent claims', async () => {
      for (let i = 0; i < 20; i++) await accept(f.store, draft(f.a, { createdAt: T0 + i }));
      const claims = await Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          f.store.claimJobs({ now: T0 + 100, limit: 8, leaseUntil: T0 + 5000, workerId: `w${i}` }),
        ),
      );
      const ids = claims.flat().map((c) => c.job.id);
      expect(ids).toHaveLength(20);
      expect(new Set(ids).size).toBe(20);
    });
  });

  describe('finishJobs', () => {
    it('applies patches, bumps status_seq and updated_at, and deletes the job', async () => {
      const m = await accept(f.store, draft(f.a));
      const changes = await deliver(m, [{ status: 'SENT', service: 'SMS', wasDowngraded: true }], T0 + 100);
      expect(changes).toHaveLength(1);
      expect(changes[0]?.previous).toBe('QUEUED');
      expect(changes[0]?.message).toMatchObject({
        id: m.id,
        handle: m.handle,
        status: 'SENT',
        service: 'SMS',
        wasDowngraded: true,
        statusSeq: 1,
        updatedAt: T0 + 100,
      });
      expect(await f.store.getMessage(f.a.id, m.handle)).toEqual(changes[0]?.message);
      expect(await f.store.countJobs()).toBe(0);
    });

    it('applies several patches of one outcome in order, one change each', async () => {
      const m = await accept(f.store, draft(f.a));
      const changes = await deliver(m, [{ status: 'SENT' }, { status: 'DELIVERED' }]);
      expect(changes.map((c) => [c.previous, c.message.status, c.message.statusSeq])).toEqual([
        ['QUEUED', 'SENT', 1],
        ['SENT', 'DELIVERED', 2],
      ]);
    });

    it('records error fields with an ERROR', async () => {
      const m = await accept(f.store, draft(f.a));
      await deliver(m, [
        { status: 'ERROR', errorCode: 10001, errorMessage: 'failed', errorReason: 'why', errorDetail: 'detail' },
      ]);
      expect(await f.store.getMessage(f.a.id, m.handle)).toMatchObject({
        status: 'ERROR',
        errorCode: 10001,
        errorMessage: 'failed',
        errorReason: 'why',
        errorDetail: 'detail',
        statusSeq: 1,
      });
    });

    it('ignores a late SENT after DELIVERED', async () => {
      const m = await accept(f.store, draft(f.a));
      await deliver(m, [{ status: 'SENT' }, { status: 'DELIVERED' }]);
      expect(await f.store.finishJobs([done(-1, m.id, [{ status: 'SENT', service: 'SMS' }])], T0 + 10)).toEqual([]);
      expect(await f.store.getMessage(f.a.id, m.handle)).toMatchObject({
        status: 'DELIVERED',
        service: 'iMessage',
        statusSeq: 2,
        updatedAt: T0,
      });
    });

    it.each(['ERROR', 'DECLINED'] as const)('treats %s as final', async (final) => {
      const m = await accept(f.store, draft(f.a));
      await deliver(m, [{ status: final }]);
      for (const next of ['QUEUED', 'SENT', 'DELIVERED', 'ERROR', 'DECLINED'] as const) {
        expect(await f.store.finishJobs([done(-1, m.id, [{ status: next }])], T0 + 10)).toEqual([]);
      }
      expect(await f.store.getMessage(f.a.id, m.handle)).toMatchObject({ status: final, statusSeq: 1 });
    });

    it('skips a backwards patch but applies the forward ones around it', async () => {
      const m = await accept(f.store, draft(f.a));
      const changes = await deliver(m, [{ status: 'SENT' }, { status: 'QUEUED' }, { status: 'DELIVERED' }]);
      expect(changes.map((c) => c.message.status)).toEqual(['SENT', 'DELIVERED']);
    });

    it('schedules follow-up status jobs that apply their patch when claimed and finished', async () => {
      const m = await accept(f.store, draft(f.a));
      const [send] = await f.store.claimJobs({ now: T0, limit: 10, leaseUntil: T0 + 1000, workerId: 'w' });
      await f.store.finishJobs(
        [
          done(
            send!.job.id,
            m.id,
            [],
            [
              { runAt: T0 + 100, patch: { status: 'SENT', service: 'RCS' } },
              { runAt: T0 + 500, patch: { status: 'DELIVERED' } },
            ],
          ),
        ],
        T0,
      );
      expect(await f.store.countJobs()).toBe(2);
      expect(await f.store.nextJobAt()).toBe(T0 + 100);
      expect((await f.store.getMessage(f.a.id, m.handle))?.status).toBe('QUEUED');

      const [sent] = await f.store.claimJobs({ now: T0 + 100, limit: 10, leaseUntil: T0 + 1100, workerId: 'w' });
      expect(sent?.job).toMatchObject({ kind: 'status', messageId: m.id, patch: { status: 'SENT', service: 'RCS' } });
      expect(sent?.message.status).toBe('QUEUED');
      const c1 = await f.store.finishJobs([done(sent!.job.id, m.id, [sent!.job.patch!])], T0 + 100);
      expect(c1.map((c) => c.message.status)).toEqual(['SENT']);
      expect(await f.store.nextJobAt()).toBe(T0 + 500);

      const [delivered] = await f.store.claimJobs({ now: T0 + 500, limit: 10, leaseUntil: T0 + 1500, workerId: 'w' });
      const c2 = await f.store.finishJobs([done(delivered!.job.id, m.id, [delivered!.job.patch!])], T0 + 500);
      expect(c2[0]?.message).toMatchObject({ status: 'DELIVERED', service: 'RCS', statusSeq: 2, updatedAt: T0 + 500 });
      expect(await f.store.countJobs()).toBe(0);
      expect(await f.store.nextJobAt()).toBeNull();
    });

    it('reschedules a retried job with its error, keeping the attempt count', async () => {
      const m = await accept(f.store, draft(f.a));
      const [first] = await f.store.claimJobs({ now: T0, limit: 10, leaseUntil: T0 + 30_000, workerId: 'w' });
      const changes = await f.store.finishJobs(
        [{ kind: 'retry', jobId: first!.job.id, runAt: T0 + 2000, error: 'network down' }],
        T0,
      );
      expect(changes).toEqual([]);
      expect(await f.store.nextJobAt()).toBe(T0 + 2000);
      expect(await f.store.claimJobs({ now: T0 + 1999, limit: 10, leaseUntil: T0 + 5000, workerId: 'w' })).toEqual([]);
      const [second] = await f.store.claimJobs({ now: T0 + 2000, limit: 10, leaseUntil: T0 + 5000, workerId: 'w' });
      expect(second?.job).toMatchObject({ id: first!.job.id, attempts: 2, lastError: 'network down', kind: 'send' });
      expect(second?.message).toMatchObject({ status: 'QUEUED', statusSeq: 0 });
      expect(await f.store.getMessage(f.a.id, m.handle)).toMatchObject({ status: 'QUEUED' });
    });

    it('records only the outcome of the claim holding the job: a claim whose lease expired and was taken again is dropped', async () => {
      const m = await accept(f.store, draft(f.a));
      const [stale] = await f.store.claimJobs({ now: T0, limit: 10, leaseUntil: T0 + 1000, workerId: 'w1' });
      const [fresh] = await f.store.claimJobs({ now: T0 + 1000, limit: 10, leaseUntil: T0 + 2000, workerId: 'w2' });
      expect(fresh?.job).toMatchObject({ id: stale!.job.id, attempts: 2 });
      const sent = (attempt: number, runAt: number): JobOutcome => ({
        ...done(stale!.job.id, m.id, [{ status: 'SENT' }], [{ runAt, patch: { status: 'DELIVERED' } }]),
        attempt,
      });
      // The first claim's worker records late, as either outcome: nothing of it is kept.
      expect(await f.store.finishJobs([sent(1, T0 + 1500)], T0 + 1100)).toEqual([]);
      await f.store.finishJobs([{ kind: 'retry', jobId: stale!.job.id, attempt: 1, runAt: T0, error: 'late' }], T0);
      expect(await f.store.getMessage(f.a.id, m.handle)).toMatchObject({ status: 'QUEUED', statusSeq: 0 });
      expect(await f.store.nextJobAt()).toBe(T0 + 2000);
      // The claim holding the job records.
      const changes = await f.store.finishJobs([sent(2, T0 + 1600)], T0 + 1200);
      expect(changes.map((c) => c.message.status)).toEqual(['SENT']);
      expect(await f.store.countJobs()).toBe(1);
      expect(await f.store.nextJobAt()).toBe(T0 + 1600);
      // Once the job is finished, a late outcome of any claim of it changes nothing.
      expect(await f.store.finishJobs([sent(1, T0 + 1700), sent(2, T0 + 1800)], T0 + 1300)).toEqual([]);
      expect(await f.store.countJobs()).toBe(1);
      expect(await f.store.nextJobAt()).toBe(T0 + 1600);
    });

    it('records several outcomes in one call', async () => {
      const m1 = await accept(f.store, draft(f.a));
      const m2 = await accept(f.store, draft(f.a));
      const claimed = await f.store.claimJobs({ now: T0, limit: 10, leaseUntil: T0 + 1000, workerId: 'w' });
      const byMessage = new Map(claimed.map((c) => [c.message.id, c.job.id]));
      const changes = await f.store.finishJobs(
        [
          done(byMessage.get(m1.id)!, m1.id, [{ status: 'SENT' }]),
          { kind: 'retry', jobId: byMessage.get(m2.id)!, runAt: T0 + 50, error: 'x' },
        ],
        T0,
      );
      expect(changes.map((c) => c.message.id)).toEqual([m1.id]);
      expect(await f.store.countJobs()).toBe(1);
      expect(await f.store.nextJobAt()).toBe(T0 + 50);
    });
  });

  describe('nextJobAt and countJobs', () => {
    it('reports null and zero for an empty queue, then the earliest runAt, leased or not', async () => {
      expect(await f.store.nextJobAt()).toBeNull();
      expect(await f.store.countJobs()).toBe(0);
      await accept(f.store, draft(f.a, { createdAt: T0 + 300 }));
      await accept(f.store, draft(f.a, { createdAt: T0 + 200 }));
      expect(await f.store.nextJobAt()).toBe(T0 + 200);
      expect(await f.store.countJobs()).toBe(2);
      await f.store.claimJobs({ now: T0 + 200, limit: 1, leaseUntil: T0 + 250, workerId: 'w' });
      expect(await f.store.nextJobAt()).toBe(T0 + 250);
      await f.store.claimJobs({ now: T0 + 300, limit: 10, leaseUntil: T0 + 9000, workerId: 'w' });
      expect(await f.store.nextJobAt()).toBe(T0 + 9000);
      expect(await f.store.countJobs()).toBe(2);
    });
  });
});
