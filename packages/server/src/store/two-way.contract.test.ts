import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newHandle } from '../domain/ids.js';
import type { Message } from '../domain/message.js';
import { declinedForOptOut } from '../domain/opt-out.js';
import { type BackendInstance, STORE_BACKENDS, twoAccounts } from '../../test/support/backends.js';
import { messageDraft } from '../../test/support/message-draft.js';
import type { Account } from '../domain/account.js';
import type { InboundInput } from './ports/messages-port.js';
import type { NewMessage } from '../domain/message.js';
import type { Store } from './store.js';

/**
 * The two-way half of the Store contract: inbound messages with their `receive` deliveries,
 * compliance keywords, opt-out at accept time, account settings and groups. Runs unchanged
 * against every backend.
 */

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const LINE_A = '+15550001000';
const LINE_A2 = '+15550001001';
const LINE_B = '+15550002000';
const CONTACT = '+19998887777';
const OTHER = '+19998886666';
const HOOK = 'http://127.0.0.1:9/receive';
const HOOK_A2 = 'http://127.0.0.1:9/receive-a2';

describe.each(STORE_BACKENDS)('Store two-way contract ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let a: Account;
  let b: Account;

  beforeEach(async () => {
    instance = await backend.create();
    store = instance.store;
    ({ a, b } = await twoAccounts(store, { a: [LINE_A, LINE_A2], b: [LINE_B] }));
  });
  afterEach(async () => {
    await instance.dispose();
  });

  function inbound(account: Account, line: string, from: string, content: string, at = T0): NewMessage {
    return {
      ...messageDraft(account, line, from, { createdAt: at }),
      isOutbound: false,
      status: 'RECEIVED',
      content,
      fromNumber: from,
      toNumber: line,
      number: from,
      sendblueNumber: line,
    };
  }

  const receive = (input: InboundInput) => store.acceptInbound(input);
  const deliveries = async (account = a) =>
    (await store.listWebhookDeliveries(account.id, { limit: 100, offset: 0 })).deliveries;

  async function sendTo(to: string, at = T0): Promise<Message> {
    const message = messageDraft(a, LINE_A, to, { createdAt: at, statusCallback: 'http://127.0.0.1:9/cb' });
    const r = await store.acceptOutbound({
      message,
      queueLimit: 1000,
      whenOptedOut: { message: declinedForOptOut(message), responseBody: 'declined' },
    });
    if (r.kind !== 'accepted') throw new Error(r.kind);
    return r.message;
  }

  describe('acceptInbound', () => {
    it('stores the message as RECEIVED and lists it among the inbound messages', async () => {
      const r = await receive({ message: inbound(a, LINE_A, CONTACT, 'hi'), keyword: null });
      expect(r).toMatchObject({ duplicate: false, reply: null });
      expect(r.message).toMatchObject({ isOutbound: false, status: 'RECEIVED', number: CONTACT, optedOut: false });
      expect(await store.getMessage(a.id, r.message.handle)).toEqual(r.message);
      const list = await store.listMessages(a.id, {
        limit: 10,
        offset: 0,
        orderBy: 'createdAt',
        orderDirection: 'desc',
        isOutbound: false,
      });
      expect(list.messages.map((m) => m.handle)).toEqual([r.message.handle]);
      expect(await store.countJobs()).toBe(0);
    });

    it('queues receive deliveries for entries of the line only, with the wire message', async () => {
      await store.updateWebhookConfig(
        a.id,
        {
          mode: 'append',
          endpoints: [
            { type: 'receive', url: HOOK, secret: null, sendblueNumbers: null },
            { type: 'receive', url: HOOK_A2, secret: null, sendblueNumbers: [LINE_A2] },
            { type: 'outbound', url: 'http://127.0.0.1:9/out', secret: null, sendblueNumbers: null },
          ],
        },
        Date.now(),
      );
      const r = await receive({ message: inbound(a, LINE_A, CONTACT, 'to line A'), keyword: null });
      const queued = await deliveries();
      expect(queued.map((d) => [d.kind, d.url, d.messageHandle])).toEqual([['receive', HOOK, r.message.handle]]);
      await receive({ message: inbound(a, LINE_A2, CONTACT, 'to line A2'), keyword: null });
      expect((await deliveries()).map((d) => d.url).sort()).toEqual([HOOK, HOOK, HOOK_A2].sort());
      expect(await deliveries(b)).toEqual([]);
      const [claimed] = await store.claimWebhookDeliveries({
        now: T0,
        leaseUntil: T0 + 1000,
        workerId: 'd',
        limit: 1,
        perDestination: 10,
        perAccount: 10,
        inFlight: { byDestination: new Map(), byAccount: new Map() },
      });
      expect(JSON.parse(claimed?.payload ?? '{}')).toMatchObject({
        is_outbound: false,
        status: 'RECEIVED',
        content: 'to line A',
        from_number: CONTACT,
        number: CONTACT,
        to_number: LINE_A,
        sendblue_number: LINE_A,
      });
    });

    it('stores a handle once: a repeated message is a duplicate and queues nothing', async () => {
      await store.updateWebhookConfig(
        a.id,
        {
          mode: 'append',
          endpoints: [{ type: 'receive', url: HOOK, secret: null, sendblueNumbers: null }],
        },
        Date.now(),
      );
      const message = inbound(a, LINE_A, CONTACT, 'once');
      const first = await receive({ message, keyword: null });
      const again = await receive({ message, keyword: null });
      expect(again).toMatchObject({ duplicate: true, message: { id: first.message.id } });
      expect(await deliveries()).toHaveLength(1);
    });

    it('opts the contact out with STOP and back in with START, per account', async () => {
      const stop = await receive({ message: inbound(a, LINE_A, CONTACT, 'STOP'), keyword: 'stop' });
      expect(stop.message.optedOut).toBe(true);
      expect(await store.getContact(a.id, CONTACT)).toMatchObject({ optedOut: true, updatedAt: T0 });
      expect((await store.getContact(b.id, CONTACT)).optedOut).toBe(false);
      const later = await receive({ message: inbound(a, LINE_A2, CONTACT, 'still here', T0 + 1), keyword: null });
      expect(later.message.optedOut).toBe(true);
      const start = await receive({ message: inbound(a, LINE_A, CONTACT, 'START', T0 + 2), keyword: 'start' });
      expect(start.message.optedOut).toBe(false);
      expect(await store.getContact(a.id, CONTACT)).toMatchObject({ optedOut: false, updatedAt: T0 + 2 });
    });

    it('stores the HELP reply with its send job, or DECLINED when the contact has opted out', async () => {
      const help = messageDraft(a, LINE_A, CONTACT, { createdAt: T0, content: 'Help text' });
      const r = await receive({ message: inbound(a, LINE_A, CONTACT, 'HELP'), keyword: 'help', helpReply: help });
      expect(r.reply).toMatchObject({ status: 'QUEUED', content: 'Help text', isOutbound: true, optedOut: false });
      expect(await store.countJobs()).toBe(1);
      await store.setContactOptOut({ accountId: a.id, number: CONTACT, optedOut: true, now: T0 });
      const help2 = messageDraft(a, LINE_A, CONTACT, { createdAt: T0 + 1, content: 'Help text' });
      const r2 = await receive({
        message: inbound(a, LINE_A, CONTACT, 'INFO', T0 + 1),
        keyword: 'help',
        helpReply: help2,
      });
      expect(r2.reply).toMatchObject({ status: 'DECLINED', optedOut: true });
      expect(await store.countJobs()).toBe(1);
    });
  });

  describe('opt-out at accept time', () => {
    it('stores a send to an opted-out contact as its DECLINED copy: no job, its callback queued', async () => {
      await store.setContactOptOut({ accountId: a.id, number: CONTACT, optedOut: true, now: T0 });
      const declined = await sendTo(CONTACT);
      expect(declined).toMatchObject({ status: 'DECLINED', optedOut: true, errorReason: 'opted_out' });
      expect(await store.countJobs()).toBe(0);
      expect((await deliveries()).map((d) => [d.kind, d.messageHandle])).toEqual([
        ['status_callback', declined.handle],
      ]);
      // Other contacts, and the same contact of another account, are unaffected.
      expect((await sendTo(OTHER)).status).toBe('QUEUED');
      expect(await store.countJobs()).toBe(1);
    });

    it('replays the declined response under an idempotency key', async () => {
      await store.setContactOptOut({ accountId: a.id, number: CONTACT, optedOut: true, now: T0 });
      const message = messageDraft(a, LINE_A, CONTACT, { createdAt: T0 });
      const input = {
        message,
        queueLimit: 1000,
        idempotency: { key: 'k1', requestHash: 'h', responseBody: 'queued' },
        whenOptedOut: { message: declinedForOptOut(message), responseBody: 'declined' },
      };
      expect((await store.acceptOutbound(input)).kind).toBe('accepted');
      expect(await store.acceptOutbound(input)).toEqual({ kind: 'replay', requestHash: 'h', responseBody: 'declined' });
    });

    it('sends again once the contact opts back in', async () => {
      await store.setContactOptOut({ accountId: a.id, number: CONTACT, optedOut: true, now: T0 });
      await store.setContactOptOut({ accountId: a.id, number: CONTACT, optedOut: false, now: T0 + 1 });
      expect(await sendTo(CONTACT)).toMatchObject({ status: 'QUEUED', optedOut: false });
    });
  });

  describe('account settings', () => {
    it('has no help reply until one is set, and forgets it when cleared', async () => {
      expect(await store.getAccountSettings(a.id)).toEqual({ helpReply: null });
      await store.updateAccountSettings(a.id, { helpReply: 'Call us', now: T0 });
      expect(await store.getAccountSettings(a.id)).toEqual({ helpReply: 'Call us' });
      expect(await store.getAccountSettings(b.id)).toEqual({ helpReply: null });
      await store.updateAccountSettings(a.id, { helpReply: null, now: T0 });
      expect(await store.getAccountSettings(a.id)).toEqual({ helpReply: null });
    });
  });

  describe('groups', () => {
    const create = (members: string[], groupId = newHandle(), line = LINE_A, account = a) =>
      store.findOrCreateGroup({ accountId: account.id, line, members, groupId, now: T0 });

    it('creates a group for a new member set and finds it again in any order', async () => {
      const g = await create([CONTACT, OTHER], 'g-1');
      expect(g).toMatchObject({ groupId: 'g-1', line: LINE_A, members: [CONTACT, OTHER], name: '', latest: null });
      expect((await create([OTHER, CONTACT], 'g-2')).groupId).toBe('g-1');
      expect((await create([CONTACT, OTHER], 'g-3', LINE_A2)).groupId).toBe('g-3');
      expect(await store.getGroup(b.id, 'g-1')).toBeUndefined();
      expect(await store.getGroup(a.id, 'g-1')).toEqual(g);
    });

    it('creates one group for concurrent sends to the same new member set', async () => {
      const made = await Promise.all([create([CONTACT, OTHER]), create([OTHER, CONTACT]), create([CONTACT, OTHER])]);
      expect(new Set(made.map((g) => g.groupId)).size).toBe(1);
    });

    it('changes members, and reports the latest message of the group', async () => {
      await create([CONTACT, OTHER], 'g-1');
      const updated = await store.setGroupMembers({
        accountId: a.id,
        groupId: 'g-1',
        members: [CONTACT, OTHER, '+19998885555'],
        now: T0 + 5,
      });
      expect(updated).toMatchObject({ members: [CONTACT, OTHER, '+19998885555'], updatedAt: T0 + 5 });
      expect(await store.setGroupMembers({ accountId: b.id, groupId: 'g-1', members: [], now: T0 })).toBeUndefined();
      const r = await store.acceptOutbound({
        message: messageDraft(a, LINE_A, '', { createdAt: T0 + 9, messageType: 'group', groupId: 'g-1' }),
        queueLimit: 1000,
      });
      if (r.kind !== 'accepted') throw new Error(r.kind);
      expect((await store.getGroup(a.id, 'g-1'))?.latest).toEqual({ handle: r.message.handle, createdAt: T0 + 9 });
    });

    it('finds nothing, and fails nothing, by a group id containing U+0000', async () => {
      expect(await store.getGroup(a.id, 'g\u0000')).toBeUndefined();
      expect(
        await store.setGroupMembers({ accountId: a.id, groupId: 'g\u0000', members: [CONTACT, OTHER], now: T0 }),
      ).toBeUndefined();
    });

    it('reads a contact whose number contains U+0000 as one never seen', async () => {
      await store.setContactOptOut({ accountId: a.id, number: CONTACT, optedOut: true, now: T0 });
      expect(await store.getContact(a.id, `${CONTACT}\u0000`)).toEqual({
        accountId: a.id,
        number: `${CONTACT}\u0000`,
        optedOut: false,
        updatedAt: null,
      });
    });
  });
});
