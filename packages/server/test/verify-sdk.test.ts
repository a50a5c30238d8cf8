import SendblueAPI, { BadRequestError, NotFoundError } from 'sendblue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Tenant, addTenant, advanceClock, expectError, inject } from './support/api-helpers.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { SdkEventReader } from './support/event-stream-reader.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer, startBackendServer } from './support/test-server.js';

/**
 * Sendblue Verify end to end: services over HTTP (the SDK has no service methods), verifications
 * through the official SDK's `verify.verifications` and `messages.v2.verify.services.verifications`,
 * approved by a message the sandbox injects from the user, expired by the manual clock, recovered
 * with `updated_at_gte`, and invisible to another account.
 */
const USER = '+15557770002';
const OTHER_LINE = '+15550009001';

function sdk(server: TestServer, auth = { apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET }): SendblueAPI {
  return new SendblueAPI({ ...auth, baseURL: server.url, maxRetries: 0 });
}

async function call(
  server: TestServer,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  body?: unknown,
  auth = server.auth,
) {
  return inject(server, {
    method,
    url,
    headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

interface WireService {
  sid: string;
  friendly_name: string;
  code_length: number;
  ttl_seconds: number;
  url: string;
}

async function createService(server: TestServer, body: Record<string, unknown> = {}): Promise<WireService> {
  const res = await call(server, 'POST', '/api/v2/verify/services', { friendly_name: 'Login', ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as WireService;
}

async function inbound(server: TestServer, from: string, to: string, content: string): Promise<void> {
  const res = await call(server, 'POST', '/sandbox/inbound', { from, to, content });
  expect(res.statusCode, res.body).toBe(200);
}

describe.each(SERVER_BACKENDS)('Verify through the official SDK ($name)', (backend) => {
  let server: TestServer;
  let client: SendblueAPI;
  let other: Tenant;
  let otherClient: SendblueAPI;

  beforeAll(async () => {
    server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual' });
    client = sdk(server);
    other = await addTenant(server, 'other@example.com', OTHER_LINE);
    otherClient = sdk(server, {
      apiKey: other.auth['sb-api-key-id'] ?? '',
      apiSecret: other.auth['sb-api-secret-key'] ?? '',
    });
  });
  afterAll(() => server.close());

  it('creates, reads, lists, updates and deletes a service', async () => {
    const created = await createService(server, { code_length: 8, ttl_seconds: 120 });
    expect(created).toMatchObject({ friendly_name: 'Login', code_length: 8, ttl_seconds: 120 });
    expect(created.sid).toMatch(/^SV[0-9a-f]{32}$/);
    expect(created.url).toMatch(new RegExp(`^http://[^/]+/api/v2/verify/services/${created.sid}$`));
    const path = `/api/v2/verify/services/${created.sid}`;
    expect((await call(server, 'GET', path)).json()).toMatchObject({ sid: created.sid, code_length: 8 });
    const updated = await call(server, 'POST', path, { friendly_name: 'Sign-up', ttl_seconds: 600 });
    expect(updated.json()).toMatchObject({ friendly_name: 'Sign-up', ttl_seconds: 600, code_length: 8 });
    expect((await call(server, 'PATCH', path, { code_length: 4 })).json()).toMatchObject({ code_length: 4 });
    const list = (await call(server, 'GET', '/api/v2/verify/services')).json() as { services: WireService[] };
    expect(list.services.map((s) => s.sid)).toContain(created.sid);
    expect((await call(server, 'DELETE', path)).statusCode).toBe(204);
    expectError(await call(server, 'GET', path), 404, 'not_found');
  });

  it('rejects invalid service settings with field-named 400s', async () => {
    const bad = async (body: Record<string, unknown>, field: string) => {
      const error = expectError(await call(server, 'POST', '/api/v2/verify/services', body), 400, 'validation_failed');
      expect(error.message).toContain(field);
    };
    await bad({}, 'friendly_name');
    await bad({ friendly_name: 'x', code_length: 3 }, 'code_length');
    await bad({ friendly_name: 'x', ttl_seconds: 59 }, 'ttl_seconds');
    await bad({ friendly_name: '   ' }, 'friendly_name');
  });

  it('creates a pending verification whose code the user must text to the line', async () => {
    const service = await createService(server);
    const before = Date.now();
    const v = await client.verify.verifications.create(service.sid, { to: USER });
    expect(v).toMatchObject({ service_sid: service.sid, to: USER, status: 'pending', channel: 'imessage' });
    expect(v.sid).toMatch(/^VR[0-9a-f]{32}$/);
    expect(v.delivery_target?.code).toMatch(/^\d{6}$/);
    expect(v.delivery_target?.pool_number).toBe(server.line);
    expect(v.delivery_target?.sms_deep_link).toBe(`sms:${server.line}&body=${v.delivery_target?.code}`);
    expect(Date.parse(v.expires_at) - Date.parse(v.date_created)).toBe(300_000);
    expect(Date.parse(v.date_created)).toBeGreaterThanOrEqual(before - 60_000);
    const again = await client.messages.v2.verify.services.verifications.retrieve(v.sid, { service_sid: service.sid });
    expect(again).toMatchObject({ sid: v.sid, status: 'pending', delivery_target: v.delivery_target });
  });

  it('approves it when the sandbox user texts the code, and only then', async () => {
    const service = await createService(server);
    const reader = await SdkEventReader.open(client, { types: 'verification.approved' });
    try {
      const v = await client.messages.v2.verify.services.verifications.create(service.sid, { to: USER });
      const code = v.delivery_target?.code ?? '';
      const status = async () =>
        (await client.verify.verifications.retrieve(v.sid, { service_sid: service.sid })).status;
      await inbound(server, '+15557770003', server.line, code);
      await inbound(server, USER, server.line, `not ${code}9`);
      expect(await status()).toBe('pending');
      await inbound(server, USER, server.line, `My code: ${code}`);
      const approved = await client.verify.verifications.retrieve(v.sid, { service_sid: service.sid });
      expect(approved).toMatchObject({ status: 'approved' });
      expect(approved.delivery_target).toBeUndefined();
      const events = await reader.until((e) => e.length === 1);
      expect(events[0]).toMatchObject({
        type: 'verification.approved',
        data: { sid: v.sid, service_sid: service.sid, to: USER, status: 'approved' },
      });
      await inbound(server, USER, server.line, code);
      expect(await status()).toBe('approved');
    } finally {
      reader.close();
    }
  });

  it('expires it when the manual clock passes the window, firing verification.expired once', async () => {
    const service = await createService(server, { ttl_seconds: 60 });
    const reader = await SdkEventReader.open(client, { types: 'verification.expired' });
    try {
      const v = await client.verify.verifications.create(service.sid, { to: USER });
      await advanceClock(server, 59_000);
      const events = () => reader.events.filter((e) => e.data.sid === v.sid);
      expect(events()).toEqual([]);
      // The sweep, not a read, reports it: nothing reads the verification before the event arrives.
      await advanceClock(server, 1_000);
      await reader.until(() => events().length === 1);
      const expired = await client.verify.verifications.retrieve(v.sid, { service_sid: service.sid });
      expect(expired).toMatchObject({ status: 'expired', date_updated: v.expires_at });
      await inbound(server, USER, server.line, v.delivery_target?.code ?? '');
      expect((await client.verify.verifications.retrieve(v.sid, { service_sid: service.sid })).status).toBe('expired');
      await client.verify.verifications.list();
      await advanceClock(server, 60_000);
      expect(events()).toHaveLength(1);
    } finally {
      reader.close();
    }
  });

  it('lists changes since updated_at_gte in updated_at order, for recovering missed events', async () => {
    const service = await createService(server);
    const first = await client.verify.verifications.create(service.sid, { to: USER });
    await advanceClock(server, 1_000);
    const second = await client.verify.verifications.create(service.sid, { to: '+15557770004' });
    await advanceClock(server, 1_000);
    const mark = new Date(Date.parse(second.date_created) + 1_000).toISOString();
    await inbound(server, USER, server.line, first.delivery_target?.code ?? '');
    const page = await client.verify.verifications.list({ updated_at_gte: mark });
    expect(page.data.map((v) => [v.sid, v.status])).toEqual([[first.sid, 'approved']]);
    expect(page.pagination).toEqual({ count: 1, has_more: false, limit: 100, offset: 0 });
    const all = await client.verify.verifications.list({ updated_at_gte: second.date_created, limit: 1 });
    expect(all.data.map((v) => v.sid)).toEqual([second.sid]);
    expect(all.pagination).toMatchObject({ count: 2, has_more: true, limit: 1 });
    await expect(client.verify.verifications.list({ updated_at_gte: 'yesterday' })).rejects.toBeInstanceOf(
      BadRequestError,
    );
  });

  it('cancels a pending verification with Twilio’s Status=canceled, once', async () => {
    const service = await createService(server);
    const v = await client.verify.verifications.create(service.sid, { to: USER });
    const path = `/api/v2/verify/services/${service.sid}/verifications/${v.sid}`;
    const form = () =>
      inject(server, {
        method: 'POST',
        url: path,
        headers: { ...server.auth, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'Status=canceled',
      });
    const res = await form();
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ sid: v.sid, status: 'canceled' });
    expectError(await form(), 400, 'validation_failed');
    await inbound(server, USER, server.line, v.delivery_target?.code ?? '');
    expect((await client.verify.verifications.retrieve(v.sid, { service_sid: service.sid })).status).toBe('canceled');
  });

  it('answers invalid input with the SDK’s BadRequestError and unknown ids with NotFoundError', async () => {
    const service = await createService(server);
    await expect(client.verify.verifications.create(service.sid, { to: '555-1234' })).rejects.toBeInstanceOf(
      BadRequestError,
    );
    await expect(
      client.verify.verifications.create(service.sid, { to: USER, hosted: { parent_origin: 'https://a.example' } }),
    ).rejects.toBeInstanceOf(BadRequestError);
    await expect(client.verify.verifications.create(`SV${'0'.repeat(32)}`, { to: USER })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      client.verify.verifications.retrieve(`VR${'0'.repeat(32)}`, { service_sid: service.sid }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('shows another account none of it: services, verifications and lists are 404 or empty', async () => {
    const service = await createService(server);
    const v = await client.verify.verifications.create(service.sid, { to: USER });
    await expect(otherClient.verify.verifications.create(service.sid, { to: USER })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(otherClient.verify.verifications.retrieve(v.sid, { service_sid: service.sid })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect((await otherClient.verify.verifications.list()).data).toEqual([]);
    const path = `/api/v2/verify/services/${service.sid}`;
    expectError(await call(server, 'GET', path, undefined, other.auth), 404, 'not_found');
    expectError(await call(server, 'POST', path, { friendly_name: 'x' }, other.auth), 404, 'not_found');
    expectError(await call(server, 'DELETE', path, undefined, other.auth), 404, 'not_found');
    // The other account's user texting the code to the other account's line approves nothing here.
    await inbound(server, USER, server.line, 'nothing');
    const otherInbound = await call(
      server,
      'POST',
      '/sandbox/inbound',
      { from: USER, to: OTHER_LINE, content: v.delivery_target?.code ?? '' },
      other.auth,
    );
    expect(otherInbound.statusCode).toBe(200);
    expect((await client.verify.verifications.retrieve(v.sid, { service_sid: service.sid })).status).toBe('pending');
  });
});
