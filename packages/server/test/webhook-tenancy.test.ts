import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_TYPES } from '../src/domain/webhook.js';
import { CONTACT, type Tenant, addTenant, bootstrapTenant } from './support/api-helpers.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { type TestServer, startBackendServer } from './support/test-server.js';
import { type Receiver, eventually, startReceiver } from './support/webhook-receiver.js';

/**
 * Webhook tenancy end to end, through the API over HTTP: two accounts on one server, each with an
 * entry of every webhook type (and a status callback on its send) pointing at its own receiver.
 * Each account makes every event that produces a webhook today: a send (status callbacks and
 * `outbound`, for SENT and DELIVERED), an inbound message (`receive`) and a contact typing
 * (`typing_indicator`). Only once every delivery of both accounts has reached a final state
 * (the outbox has drained) is it checked that no event reached the other account's receiver.
 * `call_log`, `line_blocked`, `line_assigned` and `contact_created` entries are registered too,
 * but no event produces them yet, so they can only be checked to receive nothing.
 */

const TYPING_CONTACT = '+19998886666';
const FINAL = new Set(['succeeded', 'failed', 'disabled']);

interface WireDelivery {
  type: string;
  url: string;
  status: string;
}

describe.each(SERVER_BACKENDS)('webhook tenancy end to end ($name)', (backend) => {
  let t: TestServer;
  const tenants: { tenant: Tenant; receiver: Receiver }[] = [];

  async function call(tenant: Tenant, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: { ...tenant.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as unknown;
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${JSON.stringify(json)}`);
    return json as Record<string, unknown>;
  }

  const deliveries = async (tenant: Tenant): Promise<WireDelivery[]> =>
    (await call(tenant, 'GET', '/api/account/webhooks/deliveries?limit=100')).data as WireDelivery[];

  beforeAll(async () => {
    t = await startBackendServer(backend, {
      TAPBACK_SANDBOX_SENT_DELAY_MS: '10',
      TAPBACK_SANDBOX_DELIVERED_DELAY_MS: '20',
    });
    const a = await bootstrapTenant(t);
    const b = await addTenant(t, 'b@example.com', '+15559990000');
    for (const tenant of [a, b]) {
      const receiver = await startReceiver();
      tenants.push({ tenant, receiver });
      await call(tenant, 'PUT', '/api/account/webhooks', {
        webhooks: Object.fromEntries(WEBHOOK_TYPES.map((type) => [type, [`${receiver.url}/${type}`]])),
      });
    }
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all(tenants.map((x) => x.receiver.close()));
  });

  it("delivers every account's events to its own endpoints only, once the outbox has drained", async () => {
    const handles = new Map<Tenant, string>();
    for (const { tenant, receiver } of tenants) {
      const sent = await call(tenant, 'POST', '/api/send-message', {
        number: CONTACT,
        from_number: tenant.line,
        content: `from ${tenant.email}`,
        status_callback: `${receiver.url}/status_callback`,
      });
      handles.set(tenant, String(sent.message_handle));
      await call(tenant, 'POST', '/sandbox/inbound', { from: CONTACT, to: tenant.line, content: `to ${tenant.email}` });
      await call(tenant, 'POST', '/sandbox/typing', { from: TYPING_CONTACT, to: tenant.line });
    }

    // Drained: each send reached DELIVERED, and every delivery in either log is final. The inbound
    // and typing requests queue their deliveries before they answer, and a status change queues its
    // own in the transaction that applies it, so by then nothing more is on its way.
    const drained = async () => {
      for (const { tenant } of tenants) {
        const status = await call(tenant, 'GET', `/api/status?handle=${handles.get(tenant)}`);
        if (status.status !== 'DELIVERED') return undefined;
        const log = await deliveries(tenant);
        if (log.some((d) => !FINAL.has(d.status))) return undefined;
      }
      return true;
    };
    await eventually(drained, 15_000);

    for (const { tenant, receiver } of tenants) {
      const others = tenants.filter((x) => x.tenant !== tenant);
      const log = await deliveries(tenant);
      expect(log.map((d) => [d.type, d.url, d.status]).sort()).toEqual(
        [
          ['outbound', `${receiver.url}/outbound`],
          ['outbound', `${receiver.url}/outbound`],
          ['receive', `${receiver.url}/receive`],
          ['status_callback', `${receiver.url}/status_callback`],
          ['status_callback', `${receiver.url}/status_callback`],
          ['typing_indicator', `${receiver.url}/typing_indicator`],
        ].map((d) => [...d, 'succeeded']),
      );
      expect(receiver.received.map((r) => r.path).sort()).toEqual([
        '/outbound',
        '/outbound',
        '/receive',
        '/status_callback',
        '/status_callback',
        '/typing_indicator',
      ]);
      for (const r of receiver.received) {
        expect(r.body, r.path).toContain(tenant.line);
        for (const other of others) {
          expect(r.body, r.path).not.toContain(other.tenant.line);
          expect(r.body, r.path).not.toContain(handles.get(other.tenant));
        }
      }
    }
  });
});
