import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTACT,
  type Tenant,
  addTenant,
  bootstrapTenant,
  expectError,
  get,
  seedMessage,
  send,
} from '../../test/support/api-helpers.js';
import { SERVER_BACKENDS } from '../../test/support/backends.js';
import { type TestServer, startBackendServer } from '../../test/support/test-server.js';

/** Tenancy: account B calls every route that takes an id or filter with A's objects. */
describe.each(SERVER_BACKENDS)('tenant isolation ($name)', (backend) => {
  let server: TestServer;
  let a: Tenant;
  let b: Tenant;
  let aHandles: string[];

  beforeAll(async () => {
    server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual', TAPBACK_LIST_RATE_MAX: '100000' });
    a = await bootstrapTenant(server);
    b = await addTenant(server, 'tenant-b@example.com', '+15550002000');
    const sent = await send(server, a.auth, { number: CONTACT, from_number: a.line, content: 'for A only' });
    expect(sent.statusCode).toBe(200);
    const inbound = await seedMessage(server, a, { isOutbound: false, fromNumber: CONTACT, toNumber: a.line });
    aHandles = [(sent.json() as { message_handle: string }).message_handle, inbound.handle];
    // B talks to the same contact, so filters on the contact match rows of both accounts.
    expect((await send(server, b.auth, { number: CONTACT, from_number: b.line, content: 'for B' })).statusCode).toBe(
      200,
    );
  });
  afterAll(() => server.close());

  it("answers B's lookups of A's messages with the same 404 as an unknown handle", async () => {
    const unknown = expectError(await get(server, b.auth, '/api/status?handle=not-a-message'), 404, 'not_found');
    for (const handle of aHandles) {
      for (const url of [
        `/api/status?handle=${handle}`,
        `/api/status?message_handle=${handle}`,
        `/api/v2/messages/${handle}`,
      ]) {
        const res = await get(server, b.auth, url);
        expect(expectError(res, 404, 'not_found')).toEqual(unknown);
      }
      // A still sees its own message.
      expect((await get(server, a.auth, `/api/v2/messages/${handle}`)).statusCode).toBe(200);
    }
  });

  it("never lists A's rows for B, whatever B filters on", async () => {
    const queries = [
      '',
      `number=${CONTACT}`,
      `from_number=${CONTACT}`,
      `to_number=${CONTACT}`,
      `sendblue_number=${a.line}`,
      `number=${a.line}`,
      `from_number=${a.line}`,
      `account_email=${a.email}`,
      'is_outbound=false',
      'status=QUEUED',
      'order_direction=asc&limit=100',
    ];
    for (const query of queries) {
      const res = await get(server, b.auth, `/api/v2/messages?${query.replaceAll('+', '%2B')}`);
      expect(res.statusCode).toBe(200);
      const body = res.json() as { data: { message_handle: string; accountEmail: string }[] };
      for (const m of body.data) {
        expect(aHandles).not.toContain(m.message_handle);
        expect(m.accountEmail).toBe(b.email);
      }
    }
    const own = await get(server, b.auth, '/api/v2/messages');
    expect((own.json() as { pagination: { total: number } }).pagination.total).toBe(1);
  });

  it("refuses to let B send from A's line", async () => {
    expectError(
      await send(server, b.auth, { number: CONTACT, from_number: a.line, content: 'spoofed' }),
      400,
      'unknown_line',
    );
  });
});
