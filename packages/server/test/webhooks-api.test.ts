import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyPair } from '../src/accounts/credentials.js';
import { startTestServer, type TestServer } from './support/test-server.js';
import { startReceiver } from './support/webhook-receiver.js';

describe('/api/account/webhooks', () => {
  let t: TestServer;
  let other: Record<string, string>;

  beforeAll(async () => {
    t = await startTestServer({ TAPBACK_CLOCK: 'manual' });
    const account = await t.server.store.createAccount({ email: 'other@example.test', now: Date.now() });
    const pair = await createKeyPair(t.server.store, account.id, Date.now());
    await t.server.store.addLine({
      accountId: account.id,
      number: '+15550002000',
      provider: 'sandbox',
      now: Date.now(),
    });
    other = { 'sb-api-key-id': pair.key.keyId, 'sb-api-secret-key': pair.secret };
  });
  afterAll(async () => {
    await t.close();
  });

  const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, auth = t.auth) => {
    const res = await t.server.app.inject({
      method,
      url,
      headers: auth,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  };

  it('starts empty with every type, and a whsec_ signing secret', async () => {
    const { status, body } = await call('GET', '/api/account/webhooks');
    expect(status).toBe(200);
    expect(body.webhooks).toEqual({
      receive: [],
      outbound: [],
      typing_indicator: [],
      call_log: [],
      line_blocked: [],
      line_assigned: [],
      contact_created: [],
    });
    expect(String(body.signing_secret)).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  });

  it('appends to receive by default, updates an entry given again, and keeps globalSecret', async () => {
    await call('POST', '/api/account/webhooks', { webhooks: ['http://127.0.0.1:9/a'] });
    const { body } = await call('POST', '/api/account/webhooks', {
      webhooks: [{ url: 'http://127.0.0.1:9/a', secret: 's1', sendblue_numbers: [t.line] }, 'http://127.0.0.1:9/b'],
      globalSecret: 'global-1',
    });
    expect(body.message).toBe('Webhooks added');
    expect((body.webhooks as Record<string, unknown>).receive).toEqual([
      { url: 'http://127.0.0.1:9/a', secret: 's1', sendblue_numbers: [t.line] },
      'http://127.0.0.1:9/b',
    ]);
    expect((body.webhooks as Record<string, unknown>).globalSecret).toBe('global-1');
  });

  it('replaces everything with PUT and deletes by url', async () => {
    const put = await call('PUT', '/api/account/webhooks', {
      webhooks: { outbound: ['http://127.0.0.1:9/out'], contact_created: ['http://127.0.0.1:9/c'] },
    });
    const hooks = put.body.webhooks as Record<string, unknown>;
    expect(hooks.receive).toEqual([]);
    expect(hooks.outbound).toEqual(['http://127.0.0.1:9/out']);
    expect(hooks.globalSecret).toBeUndefined();
    const del = await call('DELETE', '/api/account/webhooks', { webhooks: ['http://127.0.0.1:9/out'] });
    expect(del.body).toEqual({ status: 'OK', message: '1 webhook deleted' });
    const after = await call('GET', '/api/account/webhooks');
    expect((after.body.webhooks as Record<string, unknown>).outbound).toEqual([]);
  });

  it.each([
    [
      { webhooks: [{ url: 'http://127.0.0.1:9/1', sendblue_numbers: ['+15550001000'] }], type: 'outbound' },
      'validation_failed',
    ],
    [{ webhooks: [{ url: 'http://127.0.0.1:9/1' }], type: 'contact_created' }, 'validation_failed'],
    [{ webhooks: [{ url: 'http://127.0.0.1:9/1', sendblue_numbers: ['+15550002000'] }] }, 'unknown_line'],
    [{ webhooks: ['ftp://127.0.0.1:9/1'] }, 'validation_failed'],
    [{ webhooks: ['http://user:pw@127.0.0.1:9/1'] }, 'validation_failed'],
    [{ webhooks: ['http://10.0.0.1/hook'] }, 'url_not_allowed'],
    [{ webhooks: ['http://169.254.169.254/latest'] }, 'url_not_allowed'],
    [{ webhooks: ['http://[fd00::1]/hook'] }, 'url_not_allowed'],
    [{ webhooks: [] }, 'validation_failed'],
    [{ webhooks: ['http://127.0.0.1:9/1'], type: 'nope' }, 'validation_failed'],
  ])('rejects %j with %s', async (payload, code) => {
    const { status, body } = await call('POST', '/api/account/webhooks', payload);
    expect(status).toBe(400);
    expect(body.code).toBe(code);
  });

  it('keeps accounts apart: deliveries, replays and entries', async () => {
    await t.server.store.enqueueWebhooks(
      [
        {
          accountId: (await t.server.store.findApiKey(t.auth['sb-api-key-id'] ?? ''))?.accountId ?? 0,
          kind: 'status_callback',
          endpointId: null,
          url: 'http://127.0.0.1:9/cb',
          messageId: null,
          messageHandle: 'h-1',
          statusSeq: 1,
          payload: '{}',
        },
      ],
      t.server.clock.now(),
    );
    const mine = await call('GET', '/api/account/webhooks/deliveries?message_handle=h-1');
    const data = mine.body.data as { id: number; webhook_id: string; status: string }[];
    expect(data).toHaveLength(1);
    expect(data[0]?.webhook_id).toMatch(/^msg_/);
    const theirs = await call('GET', '/api/account/webhooks/deliveries', undefined, other);
    expect(theirs.body.data).toEqual([]);
    const replay = await call('POST', `/api/account/webhooks/deliveries/${data[0]?.id}/replay`, undefined, other);
    expect(replay.status).toBe(404);
    const own = await call('POST', `/api/account/webhooks/deliveries/${data[0]?.id}/replay`);
    expect(own.status).toBe(200);
    expect((own.body.data as { webhook_id: string }).webhook_id).toBe(data[0]?.webhook_id);
    const otherHooks = await call('GET', '/api/account/webhooks', undefined, other);
    expect(otherHooks.body.signing_secret).not.toBe((await call('GET', '/api/account/webhooks')).body.signing_secret);
  });

  it('runs due callbacks and their retries when the sandbox clock is advanced', async () => {
    const r = await startReceiver((_x, i) => (i === 0 ? 500 : 200));
    try {
      const sent = await call('POST', '/api/send-message', {
        number: '+19998887777',
        from_number: t.line,
        content: 'hi',
        status_callback: `${r.url}/cb`,
      });
      expect(sent.status).toBe(200);
      await call('POST', '/sandbox/clock/advance', { ms: 1000 });
      // SENT failed once; DELIVERED waits behind it so the receiver sees them in order.
      expect(r.received.map((x) => JSON.parse(x.body).status)).toEqual(['SENT']);
      await call('POST', '/sandbox/clock/advance', { ms: 5000 });
      expect(r.received.map((x) => JSON.parse(x.body).status)).toEqual(['SENT', 'SENT', 'DELIVERED']);
    } finally {
      await r.close();
    }
  });

  it('filters the delivery log and validates its query', async () => {
    expect((await call('GET', '/api/account/webhooks/deliveries?status=pending')).status).toBe(200);
    expect((await call('GET', '/api/account/webhooks/deliveries?status=bogus')).status).toBe(400);
    expect((await call('GET', '/api/account/webhooks/deliveries?limit=1000')).status).toBe(400);
    const byUrl = await call(
      'GET',
      `/api/account/webhooks/deliveries?url=${encodeURIComponent('http://127.0.0.1:9/nowhere')}`,
    );
    expect(byUrl.body.data).toEqual([]);
  });
});
