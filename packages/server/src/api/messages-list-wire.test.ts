import SendblueAPI from 'sendblue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Tenant, addTenant, seedMessage } from '../../test/support/api-helpers.js';
import { SERVER_BACKENDS } from '../../test/support/backends.js';
import { type TestServer, startBackendServer } from '../../test/support/test-server.js';
import { type Message, toWire } from '../domain/message.js';

/**
 * GET /api/v2/messages sends the page the database rendered (store/message-wire-sql.ts) as its
 * body: the bytes JSON.stringify makes of `toWire` of each message, with the JSON content type,
 * readable by the official SDK. Another account's messages never appear.
 */

const LINE = '+15550007000';
const OTHER_LINE = '+15550007001';
const CONTACT = '+15551237000';

describe.each(SERVER_BACKENDS)('the message list body ($name)', (backend) => {
  let server: TestServer;
  let owner: Tenant;
  let stored: Message[];

  beforeAll(async () => {
    server = await startBackendServer(backend, { TAPBACK_LIST_RATE_MAX: '100000' });
    owner = await addTenant(server, 'wire-body@example.com', LINE);
    const other = await addTenant(server, 'wire-other@example.com', OTHER_LINE);
    await seedMessage(server, other, { fromNumber: OTHER_LINE, toNumber: CONTACT });
    const at = Date.UTC(2026, 3, 1, 9, 30, 15, 7);
    stored = [
      await seedMessage(server, owner, {
        fromNumber: LINE,
        toNumber: CONTACT,
        createdAt: at,
        service: 'SMS',
        content: 'Grüße "quoted" \\ and a tab\t€',
        status: 'ERROR',
        errorCode: 4001,
        errorMessage: 'line\nbreak',
      }),
      await seedMessage(server, owner, {
        fromNumber: CONTACT,
        toNumber: LINE,
        isOutbound: false,
        status: 'RECEIVED',
        createdAt: at + 1,
        mediaUrl: 'https://example.com/a.png',
        wasDowngraded: true,
        dateRead: at + 5,
      }),
    ];
  });

  afterAll(() => server.close());

  it('is the messages’ wire JSON, byte for byte, with the JSON content type', async () => {
    const res = await fetch(`${server.url}/api/v2/messages?number=${encodeURIComponent(CONTACT)}&limit=10`, {
      headers: owner.auth,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const newestFirst = [...stored].reverse().map(toWire);
    expect(await res.text()).toBe(
      JSON.stringify({
        status: 'OK',
        data: newestFirst,
        pagination: { total: 2, limit: 10, offset: 0, hasMore: false },
      }),
    );
  });

  it('is read by the official SDK', async () => {
    const client = new SendblueAPI({
      apiKey: owner.keyId,
      apiSecret: owner.auth['sb-api-secret-key']!,
      baseURL: server.url,
    });
    const page = await client.messages.list({ number: CONTACT, limit: 1, offset: 1 });
    expect(page.pagination).toEqual({ total: 2, limit: 1, offset: 1, hasMore: false });
    expect(page.data?.map((m) => [m.message_handle, m.content, m.date_sent])).toEqual([
      [stored[0]!.handle, stored[0]!.content, new Date(stored[0]!.sentAt).toISOString()],
    ]);
  });
});
