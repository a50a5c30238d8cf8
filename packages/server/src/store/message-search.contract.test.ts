import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Account } from '../domain/account.js';
import type { Message } from '../domain/message.js';
import { inboundDraft } from '../messaging/message-drafts.js';
import { type BackendInstance, STORE_BACKENDS, twoAccounts } from '../../test/support/backends.js';
import { messageDraft } from '../../test/support/message-draft.js';
import type { Store } from './store.js';

/**
 * Full-text search of message content (SQLite FTS5, PostgreSQL full-text search): every word must
 * be there, case aside; newest stored first; only the account's messages (and the line's when
 * given); deleted messages are not found. Words are only ever words, never query syntax.
 */

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const LINE = '+15550001000';
const LINE2 = '+15550001001';
const ALICE = '+19998887777';

describe.each(STORE_BACKENDS)('Store message search ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let a: Account;
  let b: Account;

  beforeEach(async () => {
    instance = await backend.create();
    store = instance.store;
    ({ a, b } = await twoAccounts(store, { a: [LINE, LINE2], b: ['+15550002000'] }));
  });
  afterEach(async () => {
    await instance.dispose();
  });

  async function sent(account: Account, line: string, content: string, at: number): Promise<Message> {
    const r = await store.acceptOutbound({
      message: messageDraft(account, line, ALICE, { createdAt: at, content }),
      queueLimit: 1_000_000,
    });
    if (r.kind !== 'accepted') throw new Error(r.kind);
    return r.message;
  }

  const search = (words: string[], line?: string) =>
    store.searchMessages(a.id, { words, limit: 50, ...(line === undefined ? {} : { line }) });

  it('finds the messages holding every word, newest first, whatever their case', async () => {
    const first = await sent(a, LINE, 'The quick brown fox', T0);
    const second = await sent(a, LINE2, 'a QUICK reply, brown-ish', T0 + 1);
    await sent(a, LINE, 'nothing to see', T0 + 2);
    const owner = { accountId: a.id, email: a.email, plan: a.plan };
    const received = await store.acceptInbound({
      message: inboundDraft(owner, {
        from: ALICE,
        line: LINE,
        content: 'quick one',
        mediaUrl: '',
        service: 'SMS',
        now: T0 + 3,
      }),
      keyword: null,
    });
    await sent(b, '+15550002000', 'quick brown from another account', T0 + 4);

    expect((await search(['quick'])).map((m) => m.handle)).toEqual([
      received.message.handle,
      second.handle,
      first.handle,
    ]);
    expect((await search(['Quick', 'BROWN'])).map((m) => m.handle)).toEqual([second.handle, first.handle]);
    expect((await search(['quick', 'brown'], LINE)).map((m) => m.handle)).toEqual([first.handle]);
    expect(await search(['missing'])).toEqual([]);
    // Full messages, as the message list returns them.
    const [found] = await search(['fox']);
    expect(found).toEqual(first);
  });

  it('reads words that are query syntax elsewhere as words', async () => {
    const m = await sent(a, LINE, 'cats AND dogs OR NEAR birds NOT fish', T0);
    await sent(a, LINE, 'cats only', T0 + 1);
    expect((await search(['cats', 'AND', 'dogs'])).map((x) => x.handle)).toEqual([m.handle]);
    expect((await search(['NOT', 'fish'])).map((x) => x.handle)).toEqual([m.handle]);
    expect((await search(['NEAR'])).map((x) => x.handle)).toEqual([m.handle]);
    expect(await search(['and', 'only'])).toEqual([]);
  });

  it('keeps accents, on both backends alike', async () => {
    const m = await sent(a, LINE, 'un café crème', T0);
    expect((await search(['café'])).map((x) => x.handle)).toEqual([m.handle]);
    expect(await search(['cafe'])).toEqual([]);
  });

  it('forgets deleted messages', async () => {
    await sent(a, LINE, 'remember me', T0);
    expect(await search(['remember'])).toHaveLength(1);
    expect((await store.resetAccountData(a.id)).kind).toBe('reset');
    expect(await search(['remember'])).toEqual([]);
    const again = await sent(a, LINE, 'something else', T0 + 1);
    // A row id used again by a new message (SQLite reuses the highest) carries only its own words.
    expect(await search(['remember'])).toEqual([]);
    expect((await search(['else'])).map((x) => x.handle)).toEqual([again.handle]);
  });

  it('limits the page', async () => {
    for (let i = 0; i < 5; i++) await sent(a, LINE, `ping ${i}`, T0 + i);
    const page = await store.searchMessages(a.id, { words: ['ping'], limit: 2 });
    expect(page.map((m) => m.content)).toEqual(['ping 4', 'ping 3']);
  });
});
