import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../domain/message.js';
import { type BackendInstance, STORE_BACKENDS } from '../../test/support/backends.js';
import { messageDraft } from '../../test/support/message-draft.js';
import type { Account } from '../domain/account.js';
import type { MessageQuery } from '../domain/message-query.js';
import type { Store } from './store.js';

/**
 * The `number` filter is answered as two index range scans merged (message-filter.ts), not as
 * the plain OR it means. This checks it against that meaning, on every backend: every page and
 * the total, in both directions and orders, including a message whose contact is the line itself
 * (counted once), numbers with messages on one side only (the page then reads that side alone), and
 * other filters combined with it.
 */

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const LINE = '+15550001000';
const LINE2 = '+15550001001';
const CONTACTS = ['+19998887777', '+19998886666', LINE];

describe.each(STORE_BACKENDS)('listMessages with a number filter ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let account: Account;
  const stored: Message[] = [];

  beforeAll(async () => {
    instance = await backend.create();
    store = instance.store;
    account = await store.createAccount({ email: 'list@example.com', now: Date.now() });
    await store.addLine({ accountId: account.id, number: LINE, provider: 'sandbox', now: Date.now() });
    await store.addLine({ accountId: account.id, number: LINE2, provider: 'sandbox', now: Date.now() });
    for (let i = 0; i < 40; i++) {
      const line = i % 3 === 0 ? LINE2 : LINE;
      const contact = CONTACTS[i % CONTACTS.length]!;
      // Some share a timestamp, so the id has to break ties.
      const createdAt = T0 + Math.floor(i / 2) * 1000;
      const draft = messageDraft(account, line, contact, {
        createdAt,
        sentAt: T0 + ((i * 7) % 40) * 1000,
        updatedAt: createdAt,
        status: i % 4 === 0 ? 'DELIVERED' : 'QUEUED',
      });
      const result = await store.acceptOutbound({ message: draft, queueLimit: 1000 });
      if (result.kind !== 'accepted') throw new Error(result.kind);
      stored.push(result.message);
    }
  });

  afterAll(async () => {
    await instance.dispose();
  });

  function expected(q: MessageQuery): { handles: string[]; total: number } {
    const key = { createdAt: 'createdAt', updatedAt: 'updatedAt', sentAt: 'sentAt' } as const;
    const matching = stored.filter(
      (m) =>
        (m.number === q.number || m.sendblueNumber === q.number) && (q.status === undefined || m.status === q.status),
    );
    const dir = q.orderDirection === 'asc' ? 1 : -1;
    matching.sort((a, b) => dir * (a[key[q.orderBy]] - b[key[q.orderBy]] || a.id - b.id));
    return {
      handles: matching.slice(q.offset, q.offset + q.limit).map((m) => m.handle),
      total: matching.length,
    };
  }

  const cases: [string, Partial<MessageQuery>][] = [
    ['a contact', { number: CONTACTS[0] }],
    ['a contact, in sent_at order', { number: CONTACTS[1], orderBy: 'sentAt' }],
    ['a line that is no message’s contact', { number: LINE2 }],
    ['a number no message has', { number: '+19990000000' }],
    ['a line that is also some messages’ contact', { number: LINE }],
    ['a line and a status', { number: LINE2, status: 'QUEUED' }],
    ['sent_at order', { number: LINE, orderBy: 'sentAt' }],
  ];
  for (const [label, filter] of cases) {
    for (const orderDirection of ['asc', 'desc'] as const) {
      it(`pages and counts ${label}, ${orderDirection}, exactly as the OR it means`, async () => {
        for (const [limit, offset] of [
          [5, 0],
          [5, 5],
          [7, 12],
          [100, 0],
          [3, 39],
        ] as const) {
          const q: MessageQuery = { limit, offset, orderBy: 'createdAt', orderDirection, ...filter };
          const got = await store.listMessages(account.id, q);
          const want = expected(q);
          expect(got.messages.map((m) => m.handle)).toEqual(want.handles);
          expect(got.total).toBe(want.total);
        }
      });
    }
  }
});
