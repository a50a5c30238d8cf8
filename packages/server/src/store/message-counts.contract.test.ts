import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../domain/message.js';
import { newHandle } from '../domain/ids.js';
import { declinedForOptOut } from '../domain/opt-out.js';
import { type BackendInstance, STORE_BACKENDS } from '../../test/support/backends.js';
import { messageDraft } from '../../test/support/message-draft.js';
import type { Account } from '../domain/account.js';
import type { MessageQuery } from '../domain/message-query.js';
import type { Store } from './store.js';

/**
 * pagination.total for the common filters is read from counters (migrations/0004_message_counts.sql),
 * not counted: kept by statement triggers on PostgreSQL, and by the store's own transactions on
 * SQLite (sqlite/message-count-deltas.ts). This checks, on every backend, that each
 * counted total stays equal to the rows' own count (a query with a filter the counters do not
 * cover, so counted from the rows) and to the messages this suite stored, through every way a
 * message is stored or changes status.
 */

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const LINE = '+15550001000';
const LINE2 = '+15550001001';
const CONTACT = '+19998887777';
const CONTACT2 = '+19998886666';
const OPTED_OUT = '+19998885555';

describe.each(STORE_BACKENDS)('exact message counts ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let a: Account;
  let b: Account;
  /** Every message stored, in its current state, by account id. */
  const stored = new Map<number, Map<number, Message>>();

  function remember(m: Message): void {
    const of = stored.get(m.accountId) ?? new Map<number, Message>();
    of.set(m.id, m);
    stored.set(m.accountId, of);
  }

  async function send(account: Account, line: string, to: string, extra: Partial<Message> = {}): Promise<Message> {
    const r = await store.acceptOutbound({
      message: messageDraft(account, line, to, { createdAt: T0, ...extra }),
      queueLimit: 10_000,
    });
    if (r.kind !== 'accepted') throw new Error(r.kind);
    remember(r.message);
    return r.message;
  }

  /** The filters whose totals come from the counters, for the account's own values. */
  function counted(): Partial<MessageQuery>[] {
    return [
      {},
      { number: CONTACT },
      { number: CONTACT2 },
      { number: LINE },
      { number: LINE2 },
      { number: OPTED_OUT },
      { sendblueNumber: LINE },
      { sendblueNumber: LINE2 },
      { isOutbound: true },
      { isOutbound: false },
      ...(['QUEUED', 'SENT', 'DELIVERED', 'RECEIVED', 'DECLINED', 'ERROR'] as const).map((status) => ({ status })),
      { groupId: 'group-1' },
      { groupId: '' },
    ];
  }

  function matches(m: Message, f: Partial<MessageQuery>): boolean {
    return (
      (f.number === undefined || m.number === f.number || m.sendblueNumber === f.number) &&
      (f.sendblueNumber === undefined || m.sendblueNumber === f.sendblueNumber) &&
      (f.isOutbound === undefined || m.isOutbound === f.isOutbound) &&
      (f.status === undefined || m.status === f.status) &&
      (f.groupId === undefined || m.groupId === f.groupId)
    );
  }

  async function expectExact(): Promise<void> {
    for (const account of [a, b]) {
      const mine = [...(stored.get(account.id)?.values() ?? [])];
      for (const filter of counted()) {
        const q: MessageQuery = { limit: 1, offset: 0, orderBy: 'createdAt', orderDirection: 'desc', ...filter };
        const { total } = await store.listMessages(account.id, q);
        // createdAtGte: 0 matches every message but is not counted: the rows are counted instead.
        const rows = await store.listMessages(account.id, { ...q, createdAtGte: 0 });
        const want = mine.filter((m) => matches(m, filter)).length;
        expect({ account: account.email, filter, total }).toEqual({ account: account.email, filter, total: want });
        expect(rows.total).toBe(want);
      }
    }
  }

  beforeAll(async () => {
    instance = await backend.create();
    store = instance.store;
    a = await store.createAccount({ email: 'counts-a@example.com', now: Date.now() });
    b = await store.createAccount({ email: 'counts-b@example.com', now: Date.now() });
    await store.addLine({ accountId: a.id, number: LINE, provider: 'sandbox', now: Date.now() });
    await store.addLine({ accountId: a.id, number: LINE2, provider: 'sandbox', now: Date.now() });
  });

  afterAll(async () => {
    await instance.dispose();
  });

  it('starts at zero', async () => {
    await expectExact();
  });

  it('counts outbound sends, concurrent ones (one group commit) included, per account', async () => {
    await send(a, LINE, CONTACT);
    await Promise.all([
      send(a, LINE, CONTACT),
      send(a, LINE2, CONTACT2),
      send(a, LINE, LINE),
      send(b, LINE, CONTACT),
      send(b, LINE2, CONTACT),
    ]);
    await expectExact();
  });

  it('counts the sends committed beside one that fails, and nothing of the failed one', async () => {
    const first = await send(a, LINE, CONTACT);
    // Same turn, so one transaction: the duplicate handle fails it, and the rest are stored again alone.
    const results = await Promise.allSettled([
      send(a, LINE, CONTACT2),
      send(a, LINE2, CONTACT, { handle: first.handle, status: 'DECLINED' }),
      send(b, LINE, CONTACT),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    await expectExact();
  });

  it('counts group messages', async () => {
    await send(a, LINE, CONTACT, { groupId: 'group-1', participants: [CONTACT, CONTACT2], number: '' });
    await send(a, LINE2, CONTACT2, { groupId: 'group-1', participants: [CONTACT, CONTACT2], number: '' });
    await expectExact();
  });

  it('counts inbound messages and a HELP reply, and not a duplicate delivery', async () => {
    const inbound = (content: string, handle = newHandle()) =>
      messageDraft(a, LINE, CONTACT, {
        handle,
        isOutbound: false,
        status: 'RECEIVED',
        content,
        fromNumber: CONTACT,
        toNumber: LINE,
        createdAt: T0 + 1,
      });
    const first = await store.acceptInbound({ message: inbound('hi'), keyword: null });
    remember(first.message);
    const handle = newHandle();
    const help = await store.acceptInbound({
      message: inbound('HELP', handle),
      keyword: 'help',
      helpReply: messageDraft(a, LINE, CONTACT, { content: 'help text', createdAt: T0 + 1 }),
    });
    remember(help.message);
    if (help.reply !== null) remember(help.reply);
    const again = await store.acceptInbound({ message: inbound('HELP', handle), keyword: 'help' });
    expect(again.duplicate).toBe(true);
    await expectExact();
  });

  it('follows status changes, several in one batch of outcomes', async () => {
    const now = T0 + 10;
    const claimed = await store.claimJobs({ now, limit: 100, leaseUntil: now + 1000, workerId: 'w' });
    expect(claimed.length).toBeGreaterThan(3);
    const [first, second, ...rest] = claimed;
    const outcomes = [
      { job: first!, patches: [{ status: 'SENT' as const }, { status: 'DELIVERED' as const }] },
      { job: second!, patches: [{ status: 'ERROR' as const, errorCode: 10001, errorMessage: 'failed' }] },
      ...rest.map((job) => ({ job, patches: [{ status: 'SENT' as const }] })),
    ];
    const changes = await store.finishJobs(
      outcomes.map(({ job, patches }) => ({
        kind: 'done',
        jobId: job.job.id,
        attempt: job.job.attempts,
        messageId: job.message.id,
        patches,
        schedule: [],
      })),
      now,
    );
    for (const change of changes) remember(change.message);
    await expectExact();
  });

  it('counts an idempotent replay once', async () => {
    const idempotency = { key: 'replayed', requestHash: 'h', responseBody: '{}' };
    const message = messageDraft(a, LINE, CONTACT2, { createdAt: T0 + 20 });
    const [first, replay, concurrent] = await Promise.all([
      store.acceptOutbound({ message, queueLimit: 10_000, idempotency }),
      store.acceptOutbound({ message: { ...message, handle: newHandle() }, queueLimit: 10_000, idempotency }),
      store.acceptOutbound({ message: { ...message, handle: newHandle() }, queueLimit: 10_000, idempotency }),
    ]);
    expect([first?.kind, replay?.kind, concurrent?.kind]).toEqual(['accepted', 'replay', 'replay']);
    if (first?.kind === 'accepted') remember(first.message);
    const later = await store.acceptOutbound({
      message: { ...message, handle: newHandle() },
      queueLimit: 10_000,
      idempotency,
    });
    expect(later.kind).toBe('replay');
    await expectExact();
  });

  it('counts a send declined for an opted-out contact as DECLINED, and a refused one not at all', async () => {
    await store.setContactOptOut({ accountId: a.id, number: OPTED_OUT, optedOut: true, now: T0 });
    const message = messageDraft(a, LINE, OPTED_OUT, { createdAt: T0 + 30 });
    const r = await store.acceptOutbound({
      message,
      queueLimit: 10_000,
      whenOptedOut: { message: declinedForOptOut(message), responseBody: '{}' },
    });
    expect(r.kind === 'accepted' && r.message.status).toBe('DECLINED');
    if (r.kind === 'accepted') remember(r.message);
    const full = await store.acceptOutbound({
      message: messageDraft(a, LINE, CONTACT, { createdAt: T0 + 31 }),
      queueLimit: 0,
    });
    expect(full.kind).toBe('queue_full');
    await expectExact();
  });
});
