import SendblueAPI, { BadRequestError, ConflictError, NotFoundError } from 'sendblue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BroadcastEvent } from '../src/store/ports/events-port.js';
import { VERIFICATION_TEXT } from '../src/messaging/contacts.js';
import { type Tenant, addTenant, advanceClock, seedMessage } from './support/api-helpers.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { type TestServer, startBackendServer } from './support/test-server.js';
import { eventually, startReceiver } from './support/webhook-receiver.js';

/**
 * The Contacts API and verified contacts through the official SDK, unmodified but for `baseURL`,
 * against a real listening Tapback on every backend.
 */
describe.each(SERVER_BACKENDS)('contacts through the official SDK ($name)', (backend) => {
  let server: TestServer;
  let tenants = 0;

  beforeAll(async () => {
    server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual' });
  });
  afterAll(() => server.close());

  const sdk = (t: Tenant) =>
    new SendblueAPI({
      apiKey: t.auth['sb-api-key-id'] ?? '',
      apiSecret: t.auth['sb-api-secret-key'] ?? '',
      baseURL: server.url,
      maxRetries: 0,
    });

  /** A fresh account with its own line and client, so counts and lists see only this test's contacts. */
  async function tenant(): Promise<{ t: Tenant; client: SendblueAPI }> {
    tenants += 1;
    const t = await addTenant(server, `contacts-${tenants}@example.com`, `+1555100${String(tenants).padStart(4, '0')}`);
    return { t, client: sdk(t) };
  }

  async function rejection(promise: Promise<unknown>): Promise<Error & { status?: number; error?: unknown }> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(error instanceof Error)) throw new Error('expected the call to fail');
    return error;
  }

  it('creates, retrieves, updates, counts and deletes a contact', async () => {
    const { client } = await tenant();
    const created = await client.contacts.create({
      number: '+19998880001',
      first_name: 'Ada',
      lastName: 'Lovelace',
      tags: ['vip'],
      custom_variables: { Plan: 'Pro' },
    });
    expect(created).toMatchObject({
      status: 'OK',
      contact: {
        phone: '+19998880001',
        first_name: 'Ada',
        last_name: 'Lovelace',
        tags: ['vip'],
        custom_variables: { Plan: 'Pro' },
        opt_out: false,
        verified: false,
      },
    });
    expect(created.contact?.contact_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await client.contacts.retrieve('+19998880001')).toEqual(created);

    const updated = await client.contacts.update('+19998880001', {
      company_name: 'Analytical Engines',
      custom_variables: { Source: 'web' },
    });
    expect(updated.contact).toMatchObject({
      contact_id: created.contact?.contact_id,
      first_name: 'Ada',
      company_name: 'Analytical Engines',
      custom_variables: { Plan: 'Pro', Source: 'web' },
    });
    expect(await client.contacts.count()).toEqual({ count: 1 });
    expect(await client.contacts.delete('+19998880001')).toEqual({ status: 'OK' });
    expect(await client.contacts.count()).toEqual({ count: 0 });
    await expect(client.contacts.retrieve('+19998880001')).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.contacts.delete('+19998880001')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('shares opt-out state with sends: a contact opted out by update is DECLINED, and stays so through a delete', async () => {
    const { t, client } = await tenant();
    await client.contacts.create({ number: '+19998880002' });
    expect((await client.contacts.update('+19998880002', { opt_out: true })).contact?.opt_out).toBe(true);
    const sent = await client.messages.send({ number: '+19998880002', from_number: t.line, content: 'hi' });
    expect(sent).toMatchObject({ status: 'DECLINED', opted_out: true });
    await client.contacts.delete('+19998880002');
    const again = await client.contacts.create({ number: '+19998880002' });
    expect(again.contact?.opt_out).toBe(true);
    await client.contacts.optOut({ number: '+19998880002', opted_out: false });
    expect((await client.contacts.retrieve('+19998880002')).contact?.opt_out).toBe(false);
  });

  it('answers a second create with ConflictError unless update_if_exists', async () => {
    const { client } = await tenant();
    await client.contacts.create({ number: '+19998880003', first_name: 'Ada' });
    const conflict = await rejection(client.contacts.create({ number: '+19998880003', first_name: 'Eve' }));
    expect(conflict).toBeInstanceOf(ConflictError);
    expect(conflict.error).toMatchObject({ code: 'contact_exists', details: [{ field: 'number' }] });
    expect((await client.contacts.retrieve('+19998880003')).contact?.first_name).toBe('Ada');
    const updated = await client.contacts.create({ number: '+19998880003', first_name: 'Eve', update_if_exists: true });
    expect(updated.contact?.first_name).toBe('Eve');
    expect(await client.contacts.count()).toEqual({ count: 1 });
  });

  it('refuses bad input with BadRequestError naming the field', async () => {
    const { client } = await tenant();
    const cases: [() => Promise<unknown>, string, string][] = [
      [() => client.contacts.create({ number: '555-1234' }), 'invalid_phone_number', 'number'],
      [() => client.contacts.create({ first_name: 'Ada' } as never), 'validation_failed', 'number'],
      [() => client.contacts.create({ number: '+12', phone_number: '+19998880004' }), 'invalid_phone_number', 'number'],
      [() => client.contacts.create({ phone_number: '+12' } as never), 'invalid_phone_number', 'phone_number'],
      [() => client.contacts.retrieve('12345'), 'invalid_phone_number', 'phone_number'],
      [
        () => client.contacts.create({ number: '+19998880004', sendblue_number: '+15550009999' }),
        'unknown_line',
        'sendblue_number',
      ],
      [() => client.contacts.list({ order_by: 'shoe_size' }), 'validation_failed', 'order_by'],
      [() => client.contacts.list({ phone_number: 'abc' }), 'invalid_phone_number', 'phone_number'],
      [() => client.contacts.list({ created_at_gte: 'yesterday' }), 'validation_failed', 'created_at_gte'],
      [
        () => client.contacts.bulk.create({ contacts: [{ phone: '+19998880005' }, { phone: '911' }] }),
        'invalid_phone_number',
        'contacts[1].phone',
      ],
      [() => client.contacts.bulk.delete({ contact_ids: ['+1'] }), 'invalid_phone_number', 'contact_ids[0]'],
      [() => client.contacts.verify({ number: 'nope' }), 'invalid_phone_number', 'number'],
    ];
    for (const [call, code, field] of cases) {
      const error = await rejection(call());
      expect(error, `${code} ${field}`).toBeInstanceOf(BadRequestError);
      expect(error.error, `${code} ${field}`).toMatchObject({ code, details: [{ field }] });
    }
    // Nothing was stored by any of them.
    expect(await client.contacts.count()).toEqual({ count: 0 });
  });

  it("answers another account's contact with NotFoundError, and never lists, counts or deletes it", async () => {
    const { client: owner } = await tenant();
    const { client: other } = await tenant();
    await owner.contacts.create({ number: '+19998880006', first_name: 'Ada' });
    await expect(other.contacts.retrieve('+19998880006')).rejects.toBeInstanceOf(NotFoundError);
    await expect(other.contacts.update('+19998880006', { first_name: 'Eve' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(other.contacts.delete('+19998880006')).rejects.toBeInstanceOf(NotFoundError);
    expect(await other.contacts.bulk.delete({ contact_ids: ['+19998880006'] })).toEqual({ status: 'OK', amount: 0 });
    expect(await other.contacts.list()).toEqual([]);
    expect(await other.contacts.count()).toEqual({ count: 0 });
    expect((await owner.contacts.retrieve('+19998880006')).contact?.first_name).toBe('Ada');
  });

  it('lists in the asked order with filters, pages and the exact total in x-total-count', async () => {
    const { client } = await tenant();
    const names = ['Cy', 'Al', 'Bo', 'Di'];
    const numbers = names.map((_, i) => `+1999888010${i}`);
    const times: string[] = [];
    for (const [i, name] of names.entries()) {
      const created = await client.contacts.create({ number: numbers[i] ?? '', first_name: name });
      times.push(created.contact?.created_at ?? '');
      await advanceClock(server, 1000);
    }
    const phones = async (query: SendblueAPI.Contacts.ContactListParams = {}) => {
      const { data, response } = await client.contacts.list(query).withResponse();
      return { phones: data.map((c) => c.phone), total: Number(response.headers.get('x-total-count')) };
    };
    const [n0, n1, n2, n3] = numbers;
    expect(await phones()).toEqual({ phones: [n3, n2, n1, n0], total: 4 });
    expect(await phones({ order_direction: 'asc' })).toEqual({ phones: [n0, n1, n2, n3], total: 4 });
    expect(await phones({ order_by: 'firstName', order_direction: 'asc' })).toEqual({
      phones: [n1, n2, n0, n3],
      total: 4,
    });
    expect(await phones({ order_by: 'phone', order_direction: 'desc' })).toEqual({
      phones: [n3, n2, n1, n0],
      total: 4,
    });
    expect(await phones({ created_at_gte: times[2] })).toEqual({ phones: [n3, n2], total: 2 });
    expect(await phones({ limit: 2, offset: 1 })).toEqual({ phones: [n2, n1], total: 4 });
    expect(await phones({ phone_number: n1 })).toEqual({ phones: [n1], total: 1 });
    const [second] = await client.contacts.list({ phone_number: n2 });
    expect(await phones({ cid: second?.contact_id ?? '' })).toEqual({ phones: [n2], total: 1 });
    expect(await client.contacts.count()).toEqual({ count: 4 });
  });

  it('bulk-creates idempotently per number and bulk-deletes what exists, reporting the amount', async () => {
    const { client } = await tenant();
    const first = await client.contacts.bulk.create({
      contacts: [{ phone: '+19998880201', first_name: 'Ada' }, { phone: '+19998880202' }],
    });
    expect(first.contacts?.map((c) => c.phone)).toEqual(['+19998880201', '+19998880202']);
    const again = await client.contacts.bulk.create({
      contacts: [
        { phone: '+19998880201', last_name: 'Lovelace' },
        { phone: '+19998880203', first_name: 'Bo' },
        { phone: '+19998880203', first_name: 'Cy' },
      ],
    });
    expect(again.contacts?.map((c) => [c.phone, c.first_name, c.last_name])).toEqual([
      ['+19998880201', 'Ada', 'Lovelace'],
      ['+19998880203', 'Cy', ''],
    ]);
    expect(again.contacts?.[0]?.contact_id).toBe(first.contacts?.[0]?.contact_id);
    expect(await client.contacts.count()).toEqual({ count: 3 });
    const third = (await client.contacts.retrieve('+19998880203')).contact?.contact_id ?? '';
    const deleted = await client.contacts.bulk.delete({
      contact_ids: ['+19998880201', '+19998880202', '+19998889999', third, 'not-a-contact'],
    });
    expect(deleted).toEqual({ status: 'OK', amount: 3 });
    expect(await client.contacts.count()).toEqual({ count: 0 });
    expect(await client.contacts.bulk.delete({ contact_ids: ['+19998880201'] })).toEqual({ status: 'OK', amount: 0 });
  });

  it('publishes contact.created once per contact actually created, after it is stored', async () => {
    const { t, client } = await tenant();
    const store = server.server.store;
    const unwatch = await store.watchAccountEvents(t.accountId);
    const seen: BroadcastEvent[] = [];
    const stop = store.onEvents((events) => {
      for (const e of events) if (e.accountId === t.accountId) seen.push(e);
    });
    try {
      const created = await client.contacts.create({ number: '+19998880301' });
      await client.contacts.create({ number: '+19998880301', update_if_exists: true });
      await client.contacts.bulk.create({ contacts: [{ phone: '+19998880301' }, { phone: '+19998880302' }] });
      await expect.poll(() => seen.length).toBe(2);
      expect(seen.map((e) => [e.type, e.data?.phone])).toEqual([
        ['contact.created', '+19998880301'],
        ['contact.created', '+19998880302'],
      ]);
      expect(seen[0]?.data).toMatchObject({ contact_id: created.contact?.contact_id });
    } finally {
      stop();
      unwatch();
    }
  });

  it('verify sends a verification message; an inbound message verifies the contact', async () => {
    const { t, client } = await tenant();
    await client.contacts.create({ number: '+19998880401' });
    expect(await client.contacts.verify({ number: '+19998880401' })).toEqual({ status: 'OK' });
    const sent = await client.messages.list({ number: '+19998880401' });
    expect(sent.data?.map((m) => [m.content, m.from_number, m.is_outbound])).toEqual([
      [VERIFICATION_TEXT, t.line, true],
    ]);
    expect((await client.verifiedContacts.retrieve('+19998880401')).data?.contact).toMatchObject({
      verification_status: 'pending',
      verified: false,
    });
    await seedMessage(server, t, { fromNumber: '+19998880401', toNumber: t.line, isOutbound: false });
    expect((await client.contacts.retrieve('+19998880401')).contact?.verified).toBe(true);
    expect((await client.verifiedContacts.retrieve('+19998880401')).data?.contact).toMatchObject({
      verification_status: 'verified',
      verified: true,
    });
    // Verified already: nothing more is sent.
    await client.contacts.verify({ number: '+19998880401' });
    expect((await client.messages.list({ number: '+19998880401', is_outbound: 'true' })).data).toHaveLength(1);
  });

  it('verified contacts: creates pending asks, accepts US local numbers, and keeps them per account', async () => {
    const { t, client } = await tenant();
    const created = await client.verifiedContacts.create({ phone_number: '(212) 555-0199' });
    expect(created.data).toMatchObject({
      contact: { phone_number: '+12125550199', verification_status: 'pending', verified: false },
      line: { phone_number: t.line, type: 'shared' },
    });
    expect(created.data?.verification_instructions).toContain(t.line);
    const again = await client.verifiedContacts.create({ phone_number: '+12125550199' });
    expect(again.data?.contact.created_at).toBe(created.data?.contact.created_at);
    expect((await client.verifiedContacts.list()).data?.contacts.map((c) => c.phone_number)).toEqual(['+12125550199']);
    // A verification ask is not a saved contact.
    expect(await client.contacts.count()).toEqual({ count: 0 });

    const { client: other } = await tenant();
    expect((await other.verifiedContacts.retrieve('+12125550199')).data?.contact).toBeNull();
    expect((await other.verifiedContacts.list()).data?.contacts).toEqual([]);
    const bad = await rejection(other.verifiedContacts.create({ phone_number: '12' }));
    expect(bad).toBeInstanceOf(BadRequestError);
    expect(bad.error).toMatchObject({ code: 'invalid_phone_number', details: [{ field: 'phone_number' }] });

    await seedMessage(server, t, { fromNumber: '+12125550199', toNumber: t.line, isOutbound: false });
    const verified = await client.verifiedContacts.create({ phone_number: '+12125550199' });
    expect(verified.data).toMatchObject({
      contact: { verification_status: 'verified', verified: true },
      verification_instructions: null,
    });
  });

  it('sends one contact_created webhook per contact created, with the contact as the API shows it', async () => {
    const { client } = await tenant();
    const hooks = await startReceiver();
    try {
      await client.webhooks.create({ webhooks: [`${hooks.url}/contacts`], type: 'contact_created' });
      const created = await client.contacts.create({ number: '+14155550142', first_name: 'Ada' });
      await client.contacts.update('+14155550142', { last_name: 'Lovelace' });
      await client.contacts.bulk.create({ contacts: [{ phone: '+14155550142' }, { phone: '+14155550143' }] });
      const received = await eventually(() => (hooks.received.length >= 2 ? hooks.received : undefined));
      await new Promise((r) => setTimeout(r, 200));
      expect(hooks.received).toHaveLength(2);
      const bodies = received.map((r) => JSON.parse(r.body) as Record<string, unknown>);
      expect(bodies[0]).toMatchObject({
        phone: '+14155550142',
        first_name: 'Ada',
        contact_id: created.contact?.contact_id,
      });
      expect(bodies[1]).toMatchObject({ phone: '+14155550143' });
    } finally {
      await hooks.close();
    }
  });
});
