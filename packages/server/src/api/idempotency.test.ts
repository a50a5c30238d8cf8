import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTACT,
  type Tenant,
  addTenant,
  advanceClock,
  expectError,
  messageCount,
  send,
} from '../../test/support/api-helpers.js';
import { SERVER_BACKENDS } from '../../test/support/backends.js';
import { type TestServer, startBackendServer } from '../../test/support/test-server.js';

/** The `Idempotency-Key` header de-duplicates sends per account. */
describe.each(SERVER_BACKENDS)('Idempotency-Key on POST /api/send-message ($name)', (backend) => {
  let server: TestServer;
  let other: Tenant;

  beforeAll(async () => {
    server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual', TAPBACK_LIST_RATE_MAX: '100000' });
    other = await addTenant(server, 'other@example.com', '+15550002000');
  });
  afterAll(() => server.close());

  const body = (content: string): Record<string, string> => ({ number: CONTACT, from_number: server.line, content });

  it('replays the first response byte for byte, marked idempotent-replayed, and stores one message', async () => {
    const before = await messageCount(server, server.auth);
    const first = await send(server, server.auth, body('once'), { 'idempotency-key': 'replay-1' });
    expect(first.statusCode).toBe(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    for (let i = 0; i < 3; i++) {
      const again = await send(server, server.auth, body('once'), { 'idempotency-key': 'replay-1' });
      expect(again.statusCode).toBe(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toBe(first.body);
    }
    expect(await messageCount(server, server.auth)).toBe(before + 1);
  });

  it('replays the QUEUED response even after the message has moved on', async () => {
    const first = await send(server, server.auth, body('moves on'), { 'idempotency-key': 'replay-2' });
    await advanceClock(server, 10_000);
    const again = await send(server, server.auth, body('moves on'), { 'idempotency-key': 'replay-2' });
    expect(again.body).toBe(first.body);
    expect((again.json() as { status: string }).status).toBe('QUEUED');
  });

  it('treats the same fields in another order or as a form body as the same request', async () => {
    const first = await send(server, server.auth, body('same meaning'), { 'idempotency-key': 'replay-3' });
    const reordered = JSON.stringify({ content: 'same meaning', from_number: server.line, number: CONTACT });
    const again = await send(server, server.auth, reordered, {
      'idempotency-key': 'replay-3',
      'content-type': 'application/json',
    });
    expect(again.body).toBe(first.body);
    const form = new URLSearchParams(body('same meaning')).toString();
    const asForm = await send(server, server.auth, form, {
      'idempotency-key': 'replay-3',
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(asForm.body).toBe(first.body);
  });

  it('answers the same key with a different body with 422 and stores nothing', async () => {
    await send(server, server.auth, body('original'), { 'idempotency-key': 'conflict-1' });
    const before = await messageCount(server, server.auth);
    for (const changed of [
      body('changed'),
      { ...body('original'), send_style: 'slam' },
      { ...body('original'), number: '+19998887778' },
    ]) {
      const res = await send(server, server.auth, changed, { 'idempotency-key': 'conflict-1' });
      expectError(res, 422, 'idempotency_key_reused');
    }
    expect(await messageCount(server, server.auth)).toBe(before);
  });

  it('does not spend a key on a rejected request', async () => {
    const bad = await send(
      server,
      server.auth,
      { ...body('x'), number: 'not a number' },
      { 'idempotency-key': 'spare-1' },
    );
    expectError(bad, 400, 'invalid_phone_number');
    const good = await send(server, server.auth, body('after a 400'), { 'idempotency-key': 'spare-1' });
    expect(good.statusCode).toBe(200);
    expect(good.headers['idempotent-replayed']).toBeUndefined();
  });

  it('keeps keys per account: the same key from another account is a new message', async () => {
    const mine = await send(server, server.auth, body('mine'), { 'idempotency-key': 'shared-key' });
    const theirs = await send(
      server,
      other.auth,
      { number: CONTACT, from_number: other.line, content: 'theirs' },
      { 'idempotency-key': 'shared-key' },
    );
    expect(theirs.statusCode).toBe(200);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect((theirs.json() as { account_email: string }).account_email).toBe('other@example.com');
    expect(await messageCount(server, other.auth)).toBe(1);
    // Another account may even reuse the key with the first account's exact body: still no replay.
    const same = await send(server, other.auth, body('mine'), { 'idempotency-key': 'shared-key-2' });
    expectError(same, 400, 'unknown_line');
    const again = await send(server, server.auth, body('mine'), { 'idempotency-key': 'shared-key' });
    expect(again.body).toBe(mine.body);
  });

  it('stores exactly one message for 50 concurrent HTTP sends with one key, all answered alike', async () => {
    const before = await messageCount(server, server.auth);
    const payload = JSON.stringify(body('concurrent'));
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        fetch(`${server.url}/api/send-message`, {
          method: 'POST',
          headers: { ...server.auth, 'content-type': 'application/json', 'idempotency-key': 'burst-1' },
          body: payload,
        }).then(async (r) => ({
          status: r.status,
          replayed: r.headers.get('idempotent-replayed'),
          text: await r.text(),
        })),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(new Set(responses.map((r) => r.text)).size).toBe(1);
    expect(responses.filter((r) => r.replayed === 'true')).toHaveLength(49);
    expect(await messageCount(server, server.auth)).toBe(before + 1);
  });

  it('stores one message when 50 concurrent sends race one key with two different bodies', async () => {
    const before = await messageCount(server, server.auth);
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        fetch(`${server.url}/api/send-message`, {
          method: 'POST',
          headers: { ...server.auth, 'content-type': 'application/json', 'idempotency-key': 'burst-2' },
          body: JSON.stringify(body(i % 2 === 0 ? 'even' : 'odd')),
        }).then(async (r) => ({ status: r.status, content: i % 2 === 0 ? 'even' : 'odd', text: await r.text() })),
      ),
    );
    const winners = responses.filter((r) => r.status === 200);
    const losers = responses.filter((r) => r.status !== 200);
    expect(winners.length).toBeGreaterThan(0);
    expect(new Set(winners.map((r) => r.content)).size).toBe(1);
    expect(new Set(winners.map((r) => r.text)).size).toBe(1);
    for (const r of losers) {
      expect(r.status).toBe(422);
      expect(r.content).not.toBe(winners[0]?.content);
    }
    expect(winners.length + losers.length).toBe(50);
    expect(await messageCount(server, server.auth)).toBe(before + 1);
  });
});
