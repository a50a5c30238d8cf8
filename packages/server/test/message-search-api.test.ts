import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_BACKENDS } from './support/backends.js';
import { type Tenant, addTenant } from './support/api-helpers.js';
import { fetchJson } from './support/json-fetch.js';
import { type TestServer, startBackendServer } from './support/test-server.js';

/**
 * GET /api/v2/messages/search over HTTP on every backend: words found whatever the case, newest
 * first, filtered by line and account; query syntax and punctuation are never a 500; q is checked.
 */

const ALICE = '+19998887777';

describe.each(SERVER_BACKENDS)('message search API ($name)', (backend) => {
  let server: TestServer;
  let other: Tenant;
  const handles: Record<string, string> = {};

  beforeAll(async () => {
    server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual' });
    other = await addTenant(server, 'other@example.test', '+15550002000');
    const contents = ['Lunch at noon?', 'lunch is cancelled (sorry)', 'AND ( OR "quoted" NEAR*'];
    for (const content of contents) {
      const res = await call('POST', '/api/send-message', { number: ALICE, from_number: server.line, content });
      handles[content] = res.body.message_handle as string;
      await call('POST', '/sandbox/clock/advance', { ms: 10 });
    }
    const received = await call('POST', '/sandbox/inbound', { from: ALICE, to: server.line, content: 'LUNCH!' });
    handles['LUNCH!'] = received.body.message_handle as string;
    await call(
      'POST',
      '/api/send-message',
      { number: ALICE, from_number: other.line, content: 'lunch elsewhere' },
      other.auth,
    );
  });
  afterAll(async () => {
    await server.close();
  });

  const call = (method: 'GET' | 'POST', path: string, body?: unknown, auth?: Record<string, string>) =>
    fetchJson(server, method, path, body, auth);
  const search = async (query: Record<string, string>, auth?: Record<string, string>) =>
    call('GET', `/api/v2/messages/search?${new URLSearchParams(query).toString()}`, undefined, auth);

  it('finds every message holding the words, newest first, as full message objects', async () => {
    const res = await search({ q: 'lunch' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('OK');
    expect(res.body.data.map((m: { message_handle: string }) => m.message_handle)).toEqual([
      handles['LUNCH!'],
      handles['lunch is cancelled (sorry)'],
      handles['Lunch at noon?'],
    ]);
    const retrieved = await call('GET', `/api/v2/messages/${handles['LUNCH!']}`);
    expect(res.body.data[0]).toEqual(retrieved.body.data);
    expect((await search({ q: 'LUNCH Sorry' })).body.data).toHaveLength(1);
    expect((await search({ q: 'lunch', limit: '1' })).body.data).toHaveLength(1);
    expect((await search({ q: 'lunch', sendblue_number: server.line })).body.data).toHaveLength(3);
    expect((await search({ q: 'dinner' })).body.data).toEqual([]);
  });

  it('reads query syntax and punctuation as plain words', async () => {
    for (const q of ['foo AND (', 'AND (', '"quoted', 'NEAR*', '*', '"', ')(', "'; DROP TABLE messages; --"]) {
      const res = await search({ q });
      expect(res.status, q).toBe(200);
    }
    expect((await search({ q: 'AND (' })).body.data.map((m: { content: string }) => m.content)).toEqual([
      'AND ( OR "quoted" NEAR*',
    ]);
    expect((await search({ q: '"quoted" near' })).body.data).toHaveLength(1);
    expect((await search({ q: ')(' })).body.data).toEqual([]);
  });

  it('keeps accounts apart', async () => {
    const theirs = await search({ q: 'lunch' }, other.auth);
    expect(theirs.body.data.map((m: { content: string }) => m.content)).toEqual(['lunch elsewhere']);
    const foreignLine = await search({ q: 'lunch', sendblue_number: other.line });
    expect([foreignLine.status, foreignLine.body.code]).toEqual([404, 'not_found']);
  });

  it('answers 400 naming q for a missing, empty, blank or over-long query', async () => {
    for (const query of [{}, { q: '' }, { q: '   ' }, { q: 'x'.repeat(201) }]) {
      const res = await search(query as Record<string, string>);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.body.message, JSON.stringify(query)).toContain('q');
    }
    const badLimit = await search({ q: 'lunch', limit: '0' });
    expect([badLimit.status, badLimit.body.message]).toEqual([400, expect.stringContaining('limit')]);
  });
});
