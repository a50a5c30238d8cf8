import SendblueAPI, { APIError, NotFoundError } from 'sendblue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTACT, type Tenant, addTenant, advanceClock, bootstrapTenant } from './support/api-helpers.js';
import { SERVER_BACKENDS } from './support/backends.js';
import {
  TEST_KEY_ID,
  TEST_SECRET,
  type TestServer,
  startBackendServer,
  startTestServer,
} from './support/test-server.js';

/**
 * POST /sandbox/reset over real HTTP, driven by the official SDK: one account's traffic goes, the
 * other's stays; an account with a real line is refused; without the sandbox there is no route.
 */

const sdk = (t: TestServer, tenant: Tenant): SendblueAPI =>
  new SendblueAPI({
    apiKey: tenant.auth['sb-api-key-id']!,
    apiSecret: tenant.auth['sb-api-secret-key']!,
    baseURL: t.url,
    maxRetries: 0,
  });

interface ResetAnswer {
  status: 'OK';
  removed: Record<string, number>;
}

describe.each(SERVER_BACKENDS)('POST /sandbox/reset ($name)', (backend) => {
  let t: TestServer;
  let a: Tenant;
  let b: Tenant;

  beforeAll(async () => {
    t = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual' });
    a = await bootstrapTenant(t);
    b = await addTenant(t, 'b@example.com', '+15550002000');
  });
  afterAll(async () => {
    await t?.close();
  });

  async function traffic(tenant: Tenant): Promise<void> {
    const client = sdk(t, tenant);
    await client.messages.send({ number: CONTACT, from_number: tenant.line, content: 'before' });
    await client.post('/sandbox/inbound', { body: { from: '+19998887001', to: tenant.line, content: 'STOP' } });
    await client.contacts.create({ number: '+19998887002', first_name: 'Ada' });
  }

  const total = async (tenant: Tenant) => (await sdk(t, tenant).messages.list({ limit: 100 })).pagination?.total;

  it("clears the calling account's messages, contacts and opt-outs, and counts them; the other account keeps its own", async () => {
    await traffic(a);
    await traffic(b);
    const bTotal = await total(b);
    const bContacts = (await sdk(t, b).contacts.list()).length;
    expect(bContacts).toBe(1);
    expect(bTotal).toBeGreaterThanOrEqual(2);

    const answer = await sdk(t, a).post<ResetAnswer>('/sandbox/reset');

    expect(answer.status).toBe('OK');
    expect(answer.removed).toMatchObject({ messages: expect.any(Number), contacts: 2, jobs: expect.any(Number) });
    expect(answer.removed.messages).toBeGreaterThanOrEqual(2);
    expect(await total(a)).toBe(0);
    expect((await sdk(t, a).contacts.list()).length).toBe(0);
    // The opt-out went with the contact: a send to it is no longer declined.
    const again = await sdk(t, a).messages.send({ number: '+19998887001', from_number: a.line, content: 'after' });
    expect(again.status).not.toBe('DECLINED');
    // b is untouched, and a's key and line still work.
    expect(await total(b)).toBe(bTotal);
    expect((await sdk(t, b).contacts.list()).length).toBe(bContacts);
  });

  it('stops deliveries in flight: their scheduled status changes never run, and the worker carries on', async () => {
    const client = sdk(t, a);
    const before = await client.messages.send({ number: CONTACT, from_number: a.line, content: 'in flight' });
    await sdk(t, a).post('/sandbox/reset');
    await advanceClock(t, 60_000);
    await expect(client.messages.retrieve(before.message_handle!)).rejects.toBeInstanceOf(NotFoundError);
    expect(await total(a)).toBe(0);
    const after = await client.messages.send({ number: CONTACT, from_number: a.line, content: 'after reset' });
    await advanceClock(t, 60_000);
    expect((await client.messages.retrieve(after.message_handle!)).data?.status).toBe('DELIVERED');
  });

  it('refuses an account that owns a line on a real network, naming the line, and removes nothing', async () => {
    const c = await addTenant(t, 'c@example.com', '+15550003000');
    await sdk(t, c).messages.send({ number: CONTACT, from_number: c.line, content: 'kept' });
    await t.server.store.addLine({
      accountId: c.accountId,
      number: '+15550003001',
      provider: 'smpp',
      settings: { url: 'smpp://tapback:secret@127.0.0.1:1' },
      now: Date.now(),
    });
    const error = await sdk(t, c)
      .post('/sandbox/reset')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(409);
    expect((error as APIError).error).toMatchObject({ code: 'reset_refused_real_lines' });
    expect((error as APIError).message).toContain('+15550003001');
    expect(await total(c)).toBe(1);
  });
});

describe('POST /sandbox/reset with the sandbox off', () => {
  it('does not exist', async () => {
    const t = await startTestServer({ TAPBACK_SANDBOX: 'off', TAPBACK_BOOTSTRAP_LINE: '' });
    try {
      const client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: t.url, maxRetries: 0 });
      const error = await client.post('/sandbox/reset').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotFoundError);
      expect((error as NotFoundError).error).toMatchObject({ code: 'route_not_found' });
    } finally {
      await t.close();
    }
  });
});
