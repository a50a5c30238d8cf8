import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import { eventually, type Receiver, startReceiver } from './support/webhook-receiver.js';

const CONTACT = '+19998887777';

interface WireBody {
  status: string;
  message_handle: string;
  status_sequence: number;
  date_updated: string;
}

async function api(t: TestServer, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: { ...t.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${JSON.stringify(json)}`);
  return json;
}

function send(t: TestServer, extra: Record<string, unknown>): Promise<Record<string, unknown>> {
  return api(t, 'POST', '/api/send-message', { number: CONTACT, from_number: t.line, content: 'hi', ...extra });
}

const headersOf = (h: Record<string, string | string[] | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]));

describe('status callbacks end to end', () => {
  let t: TestServer;
  const receivers: Receiver[] = [];
  const receiver = async (...args: Parameters<typeof startReceiver>): Promise<Receiver> => {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  };

  beforeAll(async () => {
    t = await startTestServer({
      TAPBACK_SANDBOX_SENT_DELAY_MS: '5',
      TAPBACK_SANDBOX_DELIVERED_DELAY_MS: '10',
      TAPBACK_WEBHOOK_RETRY_SCHEDULE: '0,50ms,100ms,200ms',
      TAPBACK_WEBHOOK_TIMEOUT_MS: '2000',
      TAPBACK_WORKER_POLL_MS: '50',
      TAPBACK_WEBHOOK_CONCURRENCY_PER_DESTINATION: '16',
    });
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  afterAll(async () => {
    await t.close();
  });

  it('delivers SENT and DELIVERED, signed so that the standardwebhooks package verifies them', async () => {
    const r = await receiver();
    const sent = await send(t, { status_callback: `${r.url}/cb` });
    const got = await r.waitFor(2);
    const bodies = got.map((x) => JSON.parse(x.body) as WireBody);
    expect(bodies.map((b) => b.status)).toEqual(['SENT', 'DELIVERED']);
    expect(bodies.every((b) => b.message_handle === sent.message_handle)).toBe(true);
    expect(bodies.map((b) => b.status_sequence)).toEqual([1, 2]);
    const { signing_secret } = await api(t, 'GET', '/api/account/webhooks');
    expect(String(signing_secret)).toMatch(/^whsec_/);
    const wh = new Webhook(String(signing_secret));
    for (const x of got) {
      expect(() => wh.verify(x.body, headersOf(x.headers))).not.toThrow();
      expect(x.headers['content-type']).toBe('application/json');
      // Status callbacks carry sb-signing-secret only when the account has a globalSecret.
      expect(x.headers['sb-signing-secret']).toBeUndefined();
    }
  });

  it('verifies 1,000 callbacks with an independent implementation; ids stay stable across retries', async () => {
    const failedOnce = new Set<string>();
    // Every 7th new webhook-id fails its first attempt, so retries are part of the sample.
    let n = 0;
    const r = await receiver((x) => {
      const id = String(x.headers['webhook-id']);
      if (!failedOnce.has(id) && n++ % 7 === 0) {
        failedOnce.add(id);
        return 500;
      }
      return 200;
    });
    // Each message causes 4 deliveries: SENT and DELIVERED, to its status callback and to an
    // account `outbound` entry (which also carries sb-signing-secret).
    await api(t, 'POST', '/api/account/webhooks', {
      type: 'outbound',
      webhooks: [{ url: `${r.url}/outbound`, secret: 's-1' }],
    });
    const messages = 250;
    for (let i = 0; i < messages; i += 50) {
      await Promise.all(Array.from({ length: 50 }, () => send(t, { status_callback: `${r.url}/cb` })));
    }
    await eventually(() => (r.received.length >= messages * 4 + failedOnce.size ? true : undefined), 30_000);
    await api(t, 'DELETE', '/api/account/webhooks', { webhooks: [`${r.url}/outbound`] });
    const wh = new Webhook(String((await api(t, 'GET', '/api/account/webhooks')).signing_secret));
    let verified = 0;
    for (const x of r.received) {
      wh.verify(x.body, headersOf(x.headers));
      verified++;
    }
    expect(verified).toBeGreaterThanOrEqual(1000);
    const byId = new Map<string, typeof r.received>();
    for (const x of r.received)
      byId.set(String(x.headers['webhook-id']), [...(byId.get(String(x.headers['webhook-id'])) ?? []), x]);
    expect(byId.size).toBe(messages * 4);
    expect(
      r.received.filter((x) => x.path === '/outbound').every((x) => x.headers['sb-signing-secret'] === 's-1'),
    ).toBe(true);
    for (const id of failedOnce) {
      const attempts = byId.get(id) ?? [];
      expect(attempts.length).toBe(2);
      expect(attempts[1]?.body).toBe(attempts[0]?.body);
      expect(Number(attempts[1]?.headers['webhook-timestamp'])).toBeGreaterThanOrEqual(
        Number(attempts[0]?.headers['webhook-timestamp']),
      );
    }
  }, 60_000);

  it('survives a receiver outage: every status arrives, in order, once it recovers', async () => {
    let down = true;
    const accepted: WireBody[] = [];
    const r = await receiver((x) => {
      if (down) return 503;
      accepted.push(JSON.parse(x.body) as WireBody);
      return 200;
    });
    const handles = await Promise.all(
      Array.from({ length: 5 }, async () => String((await send(t, { status_callback: r.url })).message_handle)),
    );
    await r.waitFor(5);
    down = false;
    await eventually(() => (accepted.length >= 10 ? true : undefined));
    for (const h of handles) {
      // A later status waits for the earlier ones of the same message: SENT is accepted first.
      expect(accepted.filter((b) => b.message_handle === h).map((b) => b.status)).toEqual(['SENT', 'DELIVERED']);
    }
  });

  it('sends account outbound webhooks with sb-signing-secret, logs every attempt, and replays', async () => {
    const r = await receiver((_x, i) => (i === 0 ? 500 : 200));
    await api(t, 'POST', '/api/account/webhooks', {
      type: 'outbound',
      webhooks: [{ url: `${r.url}/outbound`, secret: 'entry-secret-1' }],
    });
    const sent = await send(t, {});
    const handle = String(sent.message_handle);
    await eventually(() => (r.received.length >= 3 ? true : undefined));
    expect(r.received.every((x) => x.headers['sb-signing-secret'] === 'entry-secret-1')).toBe(true);
    const log = await api(t, 'GET', `/api/account/webhooks/deliveries?message_handle=${handle}`);
    const data = log.data as { id: number; status: string; attempts: number; attempt_log: { http_status: number }[] }[];
    expect(data.map((d) => d.status)).toEqual(['succeeded', 'succeeded']);
    const first = data.find((d) => d.attempts === 2);
    expect(first?.attempt_log.map((a) => a.http_status)).toEqual([500, 200]);
    const replay = await api(t, 'POST', `/api/account/webhooks/deliveries/${first?.id}/replay`);
    expect((replay.data as { replay_of: number }).replay_of).toBe(first?.id);
    await eventually(() => (r.received.length >= 4 ? true : undefined));
    const ids = r.received.map((x) => x.headers['webhook-id']);
    expect(ids.filter((id) => id === ids[3]).length).toBeGreaterThanOrEqual(2);
    await api(t, 'DELETE', '/api/account/webhooks', { webhooks: [`${r.url}/outbound`] });
  });
});
