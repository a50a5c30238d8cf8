import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BackendInstance, STORE_BACKENDS, twoAccounts } from '../../test/support/backends.js';
import { messageDraft } from '../../test/support/message-draft.js';
import type { Account } from '../domain/account.js';
import type { ContactQuery } from '../domain/contact-record.js';
import type { Store } from './store.js';

/**
 * The contact-records half of the Store contract: saved contacts on the opt-out row, their lists
 * and counts, deletes that keep opt-out state, and verification read from inbound messages. Runs
 * unchanged against every backend.
 */

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const LINE_A = '+15550001000';
const LINE_B = '+15550002000';
const C1 = '+19998887701';
const C2 = '+19998887702';
const C3 = '+19998887703';

const LIST: ContactQuery = { orderBy: 'createdAt', orderDirection: 'desc', limit: 100, offset: 0 };

describe.each(STORE_BACKENDS)('Store contact records contract ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let a: Account;
  let b: Account;

  beforeEach(async () => {
    instance = await backend.create();
    store = instance.store;
    ({ a, b } = await twoAccounts(store, { a: [LINE_A], b: [LINE_B] }));
  });
  afterEach(async () => {
    await instance.dispose();
  });

  const save = (account: Account, number: string, at: number, fields = {}, ifExists: 'update' | 'keep' = 'update') =>
    store.saveContactRecords({
      accountId: account.id,
      contacts: [{ number, contactId: `id-${account.id}-${number}-${at}`, fields }],
      ifExists,
      now: at,
    });

  async function inboundFrom(number: string, at: number): Promise<void> {
    const message = {
      ...messageDraft(a, LINE_A, number, { createdAt: at }),
      isOutbound: false,
      status: 'RECEIVED' as const,
      fromNumber: number,
      toNumber: LINE_A,
      number,
      sendblueNumber: LINE_A,
    };
    await store.acceptInbound({ message, keyword: null });
  }

  it('saves a contact once per number: a second save updates it, or keeps it as it is', async () => {
    const [first] = await save(a, C1, T0, { firstName: 'Ada', tags: ['vip'], customVariables: { Plan: 'Pro' } });
    expect(first).toMatchObject({
      created: true,
      contact: { number: C1, firstName: 'Ada', tags: ['vip'], customVariables: { Plan: 'Pro' }, createdAt: T0 },
    });
    const [kept] = await save(a, C1, T0 + 1, { firstName: 'Eve' }, 'keep');
    expect(kept).toMatchObject({ created: false, contact: { firstName: 'Ada', contactId: first?.contact.contactId } });
    const [updated] = await save(a, C1, T0 + 2, { lastName: 'Lovelace', customVariables: { Source: 'web' } });
    expect(updated).toMatchObject({
      created: false,
      contact: {
        contactId: first?.contact.contactId,
        firstName: 'Ada',
        lastName: 'Lovelace',
        customVariables: { Plan: 'Pro', Source: 'web' },
        createdAt: T0,
        updatedAt: T0 + 2,
      },
    });
    expect(await store.countContactRecords(a.id)).toBe(1);
  });

  it('keeps one row per number: opt-out state set before, during and after the record is the same value', async () => {
    await store.setContactOptOut({ accountId: a.id, number: C1, optedOut: true, now: T0 });
    expect(await store.getContactRecord(a.id, C1)).toBeUndefined();
    expect(await store.countContactRecords(a.id)).toBe(0);
    const [saved] = await save(a, C1, T0 + 1, { firstName: 'Ada' });
    expect(saved).toMatchObject({ created: true, contact: { optedOut: true } });
    await store.updateContactRecord({ accountId: a.id, number: C1, fields: {}, optedOut: false, now: T0 + 2 });
    expect((await store.getContact(a.id, C1)).optedOut).toBe(false);
    await store.setContactOptOut({ accountId: a.id, number: C1, optedOut: true, now: T0 + 3 });
    expect(await store.getContactRecord(a.id, C1)).toMatchObject({ optedOut: true, firstName: 'Ada' });
  });

  it('deletes the record but keeps an opt-out, and reports only what it deleted', async () => {
    await save(a, C1, T0, { firstName: 'Ada' });
    await save(a, C2, T0, { firstName: 'Bob' });
    await store.setContactOptOut({ accountId: a.id, number: C1, optedOut: true, now: T0 + 1 });
    const [c2] = (await store.listContactRecords(a.id, { ...LIST, number: C2 })).contacts;
    const deleted = await store.deleteContactRecords({
      accountId: a.id,
      numbers: [C1, C3],
      contactIds: [c2?.contactId ?? '', 'no-such-id'],
    });
    expect(deleted).toEqual([C1, C2]);
    expect(await store.countContactRecords(a.id)).toBe(0);
    expect(await store.getContact(a.id, C1)).toMatchObject({ optedOut: true });
    expect(await store.deleteContactRecords({ accountId: a.id, numbers: [C1, C2], contactIds: [] })).toEqual([]);
    const [again] = await save(a, C1, T0 + 5, {});
    expect(again).toMatchObject({ created: true, contact: { firstName: '', optedOut: true, createdAt: T0 + 5 } });
    expect(again?.contact.contactId).not.toBe(c2?.contactId);
  });

  it('lists in the asked order with exact totals, filters and pages that never overlap', async () => {
    await save(a, C2, T0, { firstName: 'Bob' });
    await save(a, C1, T0 + 10, { firstName: 'Cy' });
    await save(a, C3, T0 + 10, { firstName: 'Al' });
    await save(b, C1, T0, {});
    const numbers = async (query: Partial<ContactQuery>) => {
      const r = await store.listContactRecords(a.id, { ...LIST, ...query });
      return { numbers: r.contacts.map((c) => c.number), total: r.total };
    };
    expect(await numbers({})).toEqual({ numbers: [C3, C1, C2], total: 3 });
    expect(await numbers({ orderDirection: 'asc' })).toEqual({ numbers: [C2, C1, C3], total: 3 });
    expect(await numbers({ orderBy: 'firstName', orderDirection: 'asc' })).toEqual({ numbers: [C3, C2, C1], total: 3 });
    expect(await numbers({ orderBy: 'phone', orderDirection: 'asc' })).toEqual({ numbers: [C1, C2, C3], total: 3 });
    expect(await numbers({ createdAtGte: T0 + 10 })).toEqual({ numbers: [C3, C1], total: 2 });
    expect(await numbers({ limit: 2, offset: 1 })).toEqual({ numbers: [C1, C2], total: 3 });
    expect(await numbers({ number: C2 })).toEqual({ numbers: [C2], total: 1 });
    expect(await store.countContactRecords(b.id)).toBe(1);
  });

  it('reads verification from inbound messages: asked, then verified by the first one', async () => {
    await save(a, C1, T0, {});
    expect(await store.getContactRecord(a.id, C1)).toMatchObject({ verified: false });
    expect(await store.requestContactVerification({ accountId: a.id, number: C1, now: T0 + 1 })).toEqual({
      number: C1,
      verified: false,
      createdAt: T0 + 1,
      updatedAt: T0 + 1,
    });
    await inboundFrom(C1, T0 + 5);
    expect(await store.getContactRecord(a.id, C1)).toMatchObject({ verified: true });
    expect(await store.requestContactVerification({ accountId: a.id, number: C1, now: T0 + 9 })).toEqual({
      number: C1,
      verified: true,
      createdAt: T0 + 1,
      updatedAt: T0 + 5,
    });
    await store.requestContactVerification({ accountId: a.id, number: C2, now: T0 + 2 });
    expect((await store.listVerifiedContacts(a.id)).map((v) => [v.number, v.verified])).toEqual([
      [C1, true],
      [C2, false],
    ]);
    expect(await store.listVerifiedContacts(b.id)).toEqual([]);
    expect(await store.getVerifiedContact(b.id, C1)).toBeUndefined();
    // A verification is not a saved contact.
    expect(await store.getContactRecord(a.id, C2)).toBeUndefined();
  });

  it("never shows or changes another account's contacts", async () => {
    await save(a, C1, T0, { firstName: 'Ada' });
    expect(await store.getContactRecord(b.id, C1)).toBeUndefined();
    expect(await store.updateContactRecord({ accountId: b.id, number: C1, fields: {}, now: T0 })).toBeUndefined();
    expect(await store.deleteContactRecords({ accountId: b.id, numbers: [C1], contactIds: [] })).toEqual([]);
    expect((await store.listContactRecords(b.id, LIST)).total).toBe(0);
    expect(await store.getContactRecord(a.id, C1)).toMatchObject({ firstName: 'Ada' });
  });

  it('records a service without saving a contact, and keeps it through a save', async () => {
    await store.setContactService({ accountId: a.id, number: C1, service: 'SMS', now: T0 });
    expect(await store.getContactRecord(a.id, C1)).toBeUndefined();
    const [saved] = await store.saveContactRecords({
      accountId: a.id,
      contacts: [{ number: C1, contactId: 'x', fields: {}, service: 'iMessage' }],
      ifExists: 'update',
      now: T0 + 1,
    });
    expect(saved?.contact.service).toBe('SMS');
  });
});
