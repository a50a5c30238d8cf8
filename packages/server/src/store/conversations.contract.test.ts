import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Account } from '../domain/account.js';
import type { Message, NewMessage } from '../domain/message.js';
import { inboundDraft } from '../messaging/message-drafts.js';
import { type BackendInstance, STORE_BACKENDS, twoAccounts } from '../../test/support/backends.js';
import { messageDraft } from '../../test/support/message-draft.js';
import type { Store } from './store.js';

/**
 * Conversations are kept from the messages in the same transaction: every way a message is
 * stored updates them, a read mark sets the unread count back, and deleting messages (retention,
 * reset, account deletion) never leaves a conversation pointing at a deleted one. Every backend.
 */

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const LINE = '+15550001000';
const LINE2 = '+15550001001';
const ALICE = '+19998887777';
const BOB = '+19998886666';

describe.each(STORE_BACKENDS)('Store conversations ($name)', (backend) => {
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

  async function outbound(to: string, at: number, overrides: Partial<NewMessage> = {}): Promise<Message> {
    const r = await store.acceptOutbound({
      message: messageDraft(a, overrides.sendblueNumber ?? LINE, to, { createdAt: at, ...overrides }),
      queueLimit: 1_000_000,
    });
    if (r.kind !== 'accepted') throw new Error(r.kind);
    return r.message;
  }

  async function inbound(from: string, at: number, overrides: Partial<NewMessage> = {}): Promise<Message> {
    const owner = { accountId: a.id, email: a.email, plan: a.plan };
    const draft = inboundDraft(owner, { from, line: LINE, content: 'hi', mediaUrl: '', service: 'iMessage', now: at });
    const r = await store.acceptInbound({ message: { ...draft, ...overrides }, keyword: null });
    return r.message;
  }

  const list = (query: Parameters<Store['listConversations']>[1] = { limit: 50 }) =>
    store.listConversations(a.id, query);

  it('keeps one 1:1 conversation per line and contact, newest message first, counting unread inbound', async () => {
    await outbound(ALICE, T0);
    await inbound(ALICE, T0 + 1);
    const newest = await inbound(ALICE, T0 + 2);
    await outbound(BOB, T0 + 1, { sendblueNumber: LINE2 });

    const page = await list();
    expect(page.next).toBeNull();
    expect(page.conversations.map((c) => [c.line, c.number, c.groupId])).toEqual([
      [LINE, ALICE, ''],
      [LINE2, BOB, ''],
    ]);
    const alice = page.conversations[0]!;
    expect(alice.lastMessage.handle).toBe(newest.handle);
    expect(alice.lastMessageAt).toBe(T0 + 2);
    expect(alice.unreadCount).toBe(2);
    expect(alice.members).toBeNull();
    expect(page.conversations[1]!.unreadCount).toBe(0);

    expect((await list({ limit: 50, line: LINE2 })).conversations.map((c) => c.number)).toEqual([BOB]);
    expect((await store.listConversations(b.id, { limit: 50 })).conversations).toEqual([]);
  });

  it('sets the unread count back with a read mark, and counts only inbound messages after it', async () => {
    await inbound(ALICE, T0);
    await inbound(ALICE, T0 + 1);
    const key = { line: LINE, groupId: '', number: ALICE };
    expect(await store.markConversationRead(a.id, key, T0 + 1)).toBe(0);
    expect((await list()).conversations[0]!.unreadCount).toBe(0);
    await outbound(ALICE, T0 + 2);
    await inbound(ALICE, T0 + 3);
    expect((await list()).conversations[0]!.unreadCount).toBe(1);
    // Another account's conversation, or one that does not exist, is not there to mark.
    expect(await store.markConversationRead(b.id, key, T0 + 5)).toBeUndefined();
    expect(await store.markConversationRead(a.id, { ...key, number: BOB }, T0 + 5)).toBeUndefined();
  });

  it('keeps a group conversation apart from its members’ 1:1 conversations', async () => {
    const group = await store.findOrCreateGroup({
      accountId: a.id,
      line: LINE,
      members: [ALICE, BOB],
      groupId: 'group-1',
      now: T0,
    });
    await outbound('', T0, {
      messageType: 'group',
      groupId: group.groupId,
      participants: [LINE, ALICE, BOB],
      toNumber: '',
    });
    await inbound(BOB, T0 + 1, { messageType: 'group', groupId: group.groupId, participants: [LINE, ALICE, BOB] });
    await inbound(ALICE, T0 + 2, { messageType: 'group', groupId: group.groupId, participants: [LINE, ALICE, BOB] });
    await inbound(ALICE, T0 + 3);

    const [direct, grouped, ...rest] = (await list()).conversations;
    expect(rest).toEqual([]);
    expect([direct!.number, direct!.groupId, direct!.unreadCount]).toEqual([ALICE, '', 1]);
    expect([grouped!.number, grouped!.groupId, grouped!.unreadCount]).toEqual(['', group.groupId, 2]);
    expect(grouped!.members).toEqual([ALICE, BOB]);
    expect(await store.markConversationRead(a.id, { line: LINE, groupId: group.groupId, number: '' }, T0 + 3)).toBe(0);
    expect((await list()).conversations.map((c) => c.unreadCount)).toEqual([1, 0]);
  });

  it('pages by cursor, newest first, ties broken by row', async () => {
    const contacts = ['+19998880001', '+19998880002', '+19998880003', '+19998880004', '+19998880005'];
    for (const [i, contact] of contacts.entries()) await outbound(contact, T0 + (i < 2 ? 0 : i));
    const seen: string[] = [];
    let before: { at: number; id: number } | undefined;
    for (;;) {
      const page = await list({ limit: 2, ...(before ? { before } : {}) });
      seen.push(...page.conversations.map((c) => c.number));
      if (page.next === null) break;
      before = page.next;
    }
    expect(seen).toEqual(['+19998880005', '+19998880004', '+19998880003', '+19998880002', '+19998880001']);
  });

  it('moves to the newest message left when messages are pruned, and goes with the last one', async () => {
    await inbound(ALICE, T0);
    const kept = await inbound(BOB, T0 + 1);
    await inbound(BOB, T0 + 10 * 86_400_000);
    // A mark later than the message that comes after the prune: only a mark that is gone lets it count.
    await store.markConversationRead(a.id, { line: LINE, groupId: '', number: ALICE }, T0 + 40 * 86_400_000);
    // RECEIVED is final: the pruner takes the messages older than the cut.
    expect(await store.pruneMessages(T0 + 5, 100)).toBe(2);
    const left = (await list()).conversations;
    expect(left.map((c) => c.number)).toEqual([BOB]);
    expect(left[0]!.lastMessage.handle).not.toBe(kept.handle);
    expect(await store.pruneMessages(T0 + 20 * 86_400_000, 100)).toBe(1);
    expect((await list()).conversations).toEqual([]);
    // The read mark went with its conversation: a new message starts unread.
    await inbound(ALICE, T0 + 30 * 86_400_000);
    expect((await list()).conversations[0]!.unreadCount).toBe(1);
  });

  it('leaves no conversation behind an account reset or deletion', async () => {
    await outbound(ALICE, T0);
    await inbound(BOB, T0 + 1);
    // A mark later than the message that comes after the reset: only a mark that is gone lets it count.
    await store.markConversationRead(a.id, { line: LINE, groupId: '', number: BOB }, T0 + 50);
    expect((await store.resetAccountData(a.id)).kind).toBe('reset');
    expect((await list()).conversations).toEqual([]);
    await inbound(BOB, T0 + 2);
    const [again] = (await list()).conversations;
    expect([again!.number, again!.unreadCount, again!.lastMessageAt]).toEqual([BOB, 1, T0 + 2]);
    expect((await store.deleteAccount(a.id, { force: true })).kind).toBe('deleted');
    expect((await list()).conversations).toEqual([]);
  });

  it('follows the service of its newest message', async () => {
    const sent = await outbound(ALICE, T0);
    const [claim] = await store.claimJobs({ now: T0 + 1, limit: 10, leaseUntil: T0 + 1000, workerId: 'w' });
    expect(claim?.message.id).toBe(sent.id);
    await store.finishJobs(
      [
        {
          kind: 'done',
          jobId: claim!.job.id,
          attempt: claim!.job.attempts,
          messageId: sent.id,
          patches: [{ status: 'DELIVERED', service: 'SMS' }],
          schedule: [],
        },
      ],
      T0 + 2,
    );
    const [c] = (await list()).conversations;
    expect([c!.service, c!.lastMessage.status, c!.lastMessage.service]).toEqual(['SMS', 'DELIVERED', 'SMS']);
  });
});
