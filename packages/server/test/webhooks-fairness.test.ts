import { afterEach, describe, expect, it } from 'vitest';
import { addTenant, CONTACT } from './support/api-helpers.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { startBackendServer, type TestServer } from './support/test-server.js';
import { eventually, type Receiver, startReceiver } from './support/webhook-receiver.js';

/**
 * One account whose webhook endpoints accept connections and never answer must not delay
 * another account's webhooks: over real HTTP on loopback, on every backend.
 */

const HUNG_OUTBOUND = 20;
const HUNG_CALLBACKS = 10;
const A_MESSAGES = 10;
const B_MESSAGES = 5;

async function api(
  t: TestServer,
  auth: Record<string, string>,
  method: string,
  path: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${JSON.stringify(json)}`);
  return json;
}

describe.each(SERVER_BACKENDS)('webhook fairness across accounts ($name)', (backend) => {
  let t: TestServer | undefined;
  const receivers: Receiver[] = [];

  afterEach(async () => {
    // Receivers first: closing them ends the hung attempts, which the server's close waits for.
    await Promise.all(receivers.splice(0).map((r) => r.close()));
    await t?.close();
    t = undefined;
  });

  it('delivers every webhook of account B within 10 s while account A’s 30 hosts hang', async () => {
    const server = await startBackendServer(backend, {
      TAPBACK_SANDBOX_SENT_DELAY_MS: '5',
      TAPBACK_SANDBOX_DELIVERED_DELAY_MS: '10',
      TAPBACK_WORKER_POLL_MS: '50',
      // Longer than the test: a hung attempt holds its slot throughout.
      TAPBACK_WEBHOOK_TIMEOUT_MS: '60000',
    });
    t = server;
    const hung = await Promise.all(
      Array.from({ length: HUNG_OUTBOUND + HUNG_CALLBACKS }, () => startReceiver(() => 'hang')),
    );
    receivers.push(...hung);
    const healthy = await startReceiver();
    receivers.push(healthy);
    const b = await addTenant(server, 'b@example.com', '+15550003000');

    // A: 20 outbound entries and 10 status-callback hosts, all hanging. Each message causes 21
    // deliveries to 21 hosts; with 4 in flight per host, A alone could take every global slot.
    await api(server, server.auth, 'POST', '/api/account/webhooks', {
      type: 'outbound',
      webhooks: hung.slice(0, HUNG_OUTBOUND).map((r) => `${r.url}/out`),
    });
    const callbacks = hung.slice(HUNG_OUTBOUND);
    for (let i = 0; i < A_MESSAGES; i++) {
      await api(server, server.auth, 'POST', '/api/send-message', {
        number: CONTACT,
        from_number: server.line,
        content: `a ${i}`,
        status_callback: `${callbacks[i % callbacks.length]?.url}/cb`,
      });
    }
    const hungRequests = () => hung.reduce((n, r) => n + r.received.length, 0);
    // A's attempts are in flight (and hanging) before B sends anything.
    await eventually(() => (hungRequests() >= 16 ? true : undefined), 10_000);

    await api(server, b.auth, 'POST', '/api/account/webhooks', {
      type: 'outbound',
      webhooks: [`${healthy.url}/out`],
    });
    const started = Date.now();
    for (let i = 0; i < B_MESSAGES; i++) {
      await api(server, b.auth, 'POST', '/api/send-message', {
        number: CONTACT,
        from_number: b.line,
        content: `b ${i}`,
        status_callback: `${healthy.url}/cb`,
      });
    }
    // SENT and DELIVERED, each to the status callback and to the outbound entry.
    await healthy.waitFor(B_MESSAGES * 4, 10_000);
    expect(Date.now() - started).toBeLessThan(10_000);
    // A kept hanging meanwhile, within its own share of the dispatcher's slots.
    expect(hungRequests()).toBeGreaterThanOrEqual(16);
    expect(hungRequests()).toBeLessThanOrEqual(16);
  }, 40_000);
});
