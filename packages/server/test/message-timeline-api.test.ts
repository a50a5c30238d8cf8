import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_BACKENDS } from './support/backends.js';
import { type Tenant, addTenant } from './support/api-helpers.js';
import { fetchJson } from './support/json-fetch.js';
import { type TestServer, startBackendServer } from './support/test-server.js';
import { type Receiver, startReceiver } from './support/webhook-receiver.js';

/**
 * GET /api/v2/messages/{handle}/timeline over HTTP on every backend, on a manual clock: every
 * status with its time (and an error's fields), and the message's webhook deliveries as the
 * delivery log shows them; another account's message is not found.
 */

describe.each(SERVER_BACKENDS)('message timeline API ($name)', (backend) => {
  let server: TestServer;
  let other: Tenant;
  let receiver: Receiver;

  beforeAll(async () => {
    server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual' });
    other = await addTenant(server, 'other@example.test', '+15550002000');
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await server.close();
    await receiver.close();
  });

  const call = (method: 'GET' | 'POST', path: string, body?: unknown, auth?: Record<string, string>) =>
    fetchJson(server, method, path, body, auth);
  const clock = async () => Date.parse((await call('GET', '/sandbox/clock')).body.now as string);

  async function sendAndSettle(number: string): Promise<{ handle: string; t0: number }> {
    const t0 = await clock();
    const sent = await call('POST', '/api/send-message', {
      number,
      from_number: server.line,
      content: 'hello',
      status_callback: `${receiver.url}/cb`,
    });
    expect(sent.status).toBe(200);
    await call('POST', '/sandbox/clock/advance', { ms: 2000 });
    return { handle: sent.body.message_handle as string, t0 };
  }

  it('shows QUEUED, SENT and DELIVERED with their times, and the status callbacks', async () => {
    const { handle, t0 } = await sendAndSettle('+19998887777');
    const res = await call('GET', `/api/v2/messages/${handle}/timeline`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('OK');
    expect(res.body.message_handle).toBe(handle);
    const statuses = res.body.statuses as { status: string; at: string; error_code: null; error_message: null }[];
    expect(statuses.map((s) => s.status)).toEqual(['QUEUED', 'SENT', 'DELIVERED']);
    expect(statuses[0]!.at).toBe(new Date(t0).toISOString());
    // The sandbox's delays: SENT 100 ms after acceptance, DELIVERED 400 ms after that.
    expect(Date.parse(statuses[1]!.at) - t0).toBe(100);
    expect(Date.parse(statuses[2]!.at) - t0).toBe(500);
    expect(statuses.every((s) => s.error_code === null && s.error_message === null)).toBe(true);
    const log = await call('GET', `/api/account/webhooks/deliveries?message_handle=${handle}`);
    expect(log.body.data.length).toBeGreaterThanOrEqual(2);
    expect(res.body.webhook_deliveries).toEqual(log.body.data);
  });

  it('shows an ERROR with its error fields', async () => {
    // A sandbox recipient ending in 0004 is unreachable: QUEUED → ERROR, error_code 10001.
    const { handle } = await sendAndSettle('+19998880004');
    const res = await call('GET', `/api/v2/messages/${handle}/timeline`);
    const statuses = res.body.statuses as { status: string; error_code: number | null; error_message: string | null }[];
    expect(statuses.map((s) => s.status)).toEqual(['QUEUED', 'ERROR']);
    expect(statuses[1]!.error_code).toBe(10001);
    expect(statuses[1]!.error_message).toEqual(expect.any(String));
    expect(statuses[0]!.error_code).toBeNull();
  });

  it('answers 404 for another account’s message or an unknown handle', async () => {
    const { handle } = await sendAndSettle('+19998887777');
    const theirs = await call('GET', `/api/v2/messages/${handle}/timeline`, undefined, other.auth);
    expect([theirs.status, theirs.body.code]).toEqual([404, 'not_found']);
    const unknown = await call('GET', '/api/v2/messages/no-such-message/timeline');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'not_found']);
  });
});
