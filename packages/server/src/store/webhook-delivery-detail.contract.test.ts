import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BackendInstance, STORE_BACKENDS, twoAccounts } from '../../test/support/backends.js';
import type { Account } from '../domain/account.js';
import type { NewWebhookDelivery, WebhookOutcome } from '../domain/webhook-delivery.js';
import type { Store } from './store.js';

/**
 * A delivery in full (`getWebhookDelivery`): its exact payload and every attempt with the headers
 * it was signed with and the excerpt of the answer, whichever way the backend recorded the attempt
 * (PostgreSQL's one-statement batch, or its transaction when an endpoint answered 410).
 */

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const PAYLOAD = '{"accountEmail":"a@example.com","content":"h\u00e9llo","number":"+19998887777"}';
const HEADERS = { 'content-type': 'application/json', 'webhook-id': 'msg_1', 'webhook-timestamp': '1893499200' };

describe.each(STORE_BACKENDS)('Store webhook delivery detail contract ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let a: Account;
  let b: Account;

  beforeEach(async () => {
    instance = await backend.create();
    store = instance.store;
    ({ a, b } = await twoAccounts(store, { a: ['+15550001000'], b: ['+15550002000'] }));
  });
  afterEach(async () => {
    await instance.dispose();
  });

  const delivery = (url: string): NewWebhookDelivery => ({
    accountId: a.id,
    kind: 'status_callback',
    endpointId: null,
    url,
    messageId: null,
    messageHandle: null,
    statusSeq: null,
    payload: PAYLOAD,
  });

  async function attemptOnce(url: string, outcome: WebhookOutcome, bodies: boolean) {
    await store.enqueueWebhooks([delivery(url)], T0);
    const [c] = await store.claimWebhookDeliveries({
      now: T0,
      leaseUntil: T0 + 30_000,
      workerId: 'd',
      limit: 1,
      perDestination: 10,
      perAccount: 10,
      inFlight: { byDestination: new Map(), byAccount: new Map() },
    });
    if (c === undefined) throw new Error('nothing claimed');
    await store.recordWebhookAttempt({
      deliveryId: c.delivery.id,
      attempt: {
        startedAt: T0,
        durationMs: 12,
        httpStatus: outcome.kind === 'gone' ? 410 : 500,
        error: 'HTTP 500',
        ...(bodies
          ? { requestHeaders: HEADERS, responseExcerpt: '{"error":"boom"}', responseContentType: 'application/json' }
          : {}),
      },
      outcome,
      now: T0 + 12,
    });
    return c.delivery.id;
  }

  it('returns the payload and each attempt with its headers and answer, by id and account', async () => {
    for (const [url, outcome] of [
      ['http://127.0.0.1:9/retry', { kind: 'retry', at: T0 + 1000 }],
      ['http://127.0.0.1:9/gone', { kind: 'gone' }],
    ] as const) {
      const id = await attemptOnce(url, outcome, true);
      const d = await store.getWebhookDelivery(a.id, id);
      expect(d, url).toMatchObject({ id, url, payload: PAYLOAD, webhookId: expect.any(String) });
      expect(d?.attemptLog, url).toEqual([
        {
          attempt: 1,
          startedAt: T0,
          durationMs: 12,
          httpStatus: outcome.kind === 'gone' ? 410 : 500,
          error: 'HTTP 500',
          requestHeaders: HEADERS,
          responseExcerpt: '{"error":"boom"}',
          responseContentType: 'application/json',
        },
      ]);
      expect(await store.getWebhookDelivery(b.id, id)).toBeUndefined();
      const listed = (await store.listWebhookDeliveries(a.id, { limit: 10, offset: 0 })).deliveries;
      expect(listed.find((x) => x.id === id)?.attemptLog).toEqual(d?.attemptLog);
    }
    expect(await store.getWebhookDelivery(a.id, 2_000_000)).toBeUndefined();
  });

  it('logs an attempt recorded without them with nulls', async () => {
    const id = await attemptOnce('http://127.0.0.1:9/bare', { kind: 'failed' }, false);
    expect((await store.getWebhookDelivery(a.id, id))?.attemptLog[0]).toMatchObject({
      requestHeaders: null,
      responseExcerpt: null,
      responseContentType: null,
    });
  });
});
