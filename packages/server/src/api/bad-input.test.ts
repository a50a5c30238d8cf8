import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONTACT, addTenant, expectError, get, inject, messageCount, send } from '../../test/support/api-helpers.js';
import { SERVER_BACKENDS } from '../../test/support/backends.js';
import { type TestServer, startBackendServer } from '../../test/support/test-server.js';

/**
 * Requests the API must refuse. Every refusal is a 4xx JSON error body and stores
 * nothing: the account's message total is checked before and after each case.
 */
describe.each(SERVER_BACKENDS)('rejected sends ($name)', (backend) => {
  let server: TestServer;
  let line: string;
  let before: number;

  beforeAll(async () => {
    server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual', TAPBACK_LIST_RATE_MAX: '100000' });
    line = server.line;
    await addTenant(server, 'other@example.com', '+15550002000');
    // One stored message, so "unchanged" is checked against a non-empty history.
    expect((await send(server, server.auth, { number: CONTACT, from_number: line, content: 'kept' })).statusCode).toBe(
      200,
    );
  });
  afterAll(() => server.close());

  beforeEach(async () => {
    before = await messageCount(server, server.auth);
  });

  async function expectNothingStored(): Promise<void> {
    expect(await messageCount(server, server.auth)).toBe(before);
  }

  const valid = (): Record<string, unknown> => ({ number: CONTACT, from_number: line, content: 'hi' });

  it('rejects a send without number', async () => {
    const { number: _omit, ...body } = valid();
    expectError(await send(server, server.auth, body), 400, 'validation_failed');
    await expectNothingStored();
  });

  it('rejects a send without from_number', async () => {
    const { from_number: _omit, ...body } = valid();
    expectError(await send(server, server.auth, body), 400, 'validation_failed');
    await expectNothingStored();
  });

  it.each([
    ['a national number', '9998887777'],
    ['spaces', '+1 999 888 7777'],
    ['parentheses', '+1(999)8887777'],
    ['dashes', '+1-999-888-7777'],
    ['full-width digits', '+１９９９８８８７７７７'],
    ['a right-to-left mark', '\u200F+19998887777'],
    ['a left-to-right mark inside', '+1999\u200E8887777'],
    ['Arabic-Indic digits', '+١٩٩٩٨٨٨٧٧٧٧'],
    ['a leading zero country code', '+09998887777'],
    ['sixteen digits', '+1234567890123456'],
    ['a trailing newline', '+19998887777\n'],
    ['only a plus', '+'],
    ['an impossible length for its country', '+1999888777'],
  ])('rejects a recipient with %s as invalid_phone_number', async (_name, number) => {
    const body = expectError(await send(server, server.auth, { ...valid(), number }), 400, 'invalid_phone_number');
    expect(body.error_code).toBe(4000);
    expect(body.details?.[0]?.field).toBe('number');
    await expectNothingStored();
  });

  it('rejects a from_number that is not E.164 as invalid_phone_number', async () => {
    expectError(
      await send(server, server.auth, { ...valid(), from_number: '(555) 000-1000' }),
      400,
      'invalid_phone_number',
    );
    await expectNothingStored();
  });

  it.each(['+911', '+1911', '+112', '+44112', '+999'])(
    'rejects the emergency number %s with error_code 4002',
    async (number) => {
      const body = expectError(await send(server, server.auth, { ...valid(), number }), 400, 'blacklisted_number');
      expect(body.error_code).toBe(4002);
      await expectNothingStored();
    },
  );

  it('rejects a from_number that is no line at all', async () => {
    const body = expectError(await send(server, server.auth, { ...valid(), from_number: '+15550009999' }), 400);
    expect(body.code).toBe('unknown_line');
    await expectNothingStored();
  });

  it("rejects a from_number that is another account's line", async () => {
    expectError(await send(server, server.auth, { ...valid(), from_number: '+15550002000' }), 400, 'unknown_line');
    await expectNothingStored();
  });

  it.each([
    ['both missing', {}],
    ['empty content', { content: '' }],
    ['whitespace-only content', { content: ' \n\t ' }],
    ['empty media_url and no content', { media_url: '' }],
  ])('rejects a send with content and media_url %s', async (_name, fields) => {
    const { content: _omit, ...rest } = valid();
    expectError(await send(server, server.auth, { ...rest, ...fields }), 400, 'validation_failed');
    await expectNothingStored();
  });

  it('rejects content of 18,997 characters', async () => {
    const body = expectError(
      await send(server, server.auth, { ...valid(), content: 'x'.repeat(18_997) }),
      400,
      'validation_failed',
    );
    expect(body.details?.[0]?.field).toBe('content');
    await expectNothingStored();
  });

  it.each(['boom', 'SLAM', '', 'imessage'])('rejects send_style %j', async (send_style) => {
    expectError(await send(server, server.auth, { ...valid(), send_style }), 400, 'validation_failed');
    await expectNothingStored();
  });

  it.each([123, true, null, ['a'], { text: 'a' }])('rejects content %j without coercing it', async (content) => {
    const body = expectError(await send(server, server.auth, { ...valid(), content }), 400, 'validation_failed');
    expect(body.details?.[0]?.field).toBe('content');
    await expectNothingStored();
  });

  it.each([19998887777, null, ['+19998887777']])('rejects number %j without coercing it', async (number) => {
    expectError(await send(server, server.auth, { ...valid(), number }), 400, 'validation_failed');
    await expectNothingStored();
  });

  it.each([
    ['a file: URL', 'file:///etc/passwd'],
    ['a relative URL', '/picture.jpg'],
    ['credentials in the URL', 'https://user:pass@cdn.example.com/a.jpg'],
    ['a gopher: URL', 'gopher://cdn.example.com/a.jpg'],
  ])('rejects media_url with %s', async (_name, media_url) => {
    expectError(await send(server, server.auth, { ...valid(), media_url }), 400, 'validation_failed');
    await expectNothingStored();
  });

  it('rejects a status_callback that is not an http(s) URL', async () => {
    expectError(await send(server, server.auth, { ...valid(), status_callback: 'javascript:alert(1)' }), 400);
    await expectNothingStored();
  });

  it('answers a 2 MB JSON body with 413', async () => {
    const big = JSON.stringify({ ...valid(), content: 'x'.repeat(2 * 1024 * 1024) });
    expectError(await send(server, server.auth, big, { 'content-type': 'application/json' }), 413, 'payload_too_large');
    await expectNothingStored();
  });

  it('answers a 2 MB form body with 413', async () => {
    const big = new URLSearchParams({ number: CONTACT, from_number: line, content: 'x'.repeat(2 * 1024 * 1024) });
    const res = await send(server, server.auth, big.toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expectError(res, 413, 'payload_too_large');
    await expectNothingStored();
  });

  it.each([
    ['arrays nested 100,000 deep', '['.repeat(100_000) + ']'.repeat(100_000)],
    ['objects nested 100,000 deep', '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000)],
    ['a field nested 50,000 deep', `{"number":"${CONTACT}","content":${'['.repeat(50_000)}${']'.repeat(50_000)}}`],
  ])('answers JSON with %s with 400', async (_name, text) => {
    expectError(await send(server, server.auth, text, { 'content-type': 'application/json' }), 400);
    await expectNothingStored();
  });

  it.each([
    ['a top-level __proto__ key', `{"__proto__":{"admin":true},"number":"${CONTACT}","content":"hi"}`],
    ['a nested __proto__ key', `{"number":"${CONTACT}","content":"hi","x":{"__proto__":{"a":1}}}`],
    ['constructor.prototype', `{"constructor":{"prototype":{"a":1}},"number":"${CONTACT}","content":"hi"}`],
  ])('answers JSON with %s with 400', async (_name, text) => {
    const withLine = text.replace('"number"', `"from_number":"${line}","number"`);
    expectError(await send(server, server.auth, withLine, { 'content-type': 'application/json' }), 400);
    await expectNothingStored();
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('answers a form body with a __proto__ key with 400', async () => {
    const form = `__proto__=x&number=${encodeURIComponent(CONTACT)}&from_number=${encodeURIComponent(line)}&content=hi`;
    const res = await send(server, server.auth, form, { 'content-type': 'application/x-www-form-urlencoded' });
    expectError(res, 400, 'validation_failed');
    await expectNothingStored();
  });

  it('answers a form body that repeats a field with 400', async () => {
    const form = new URLSearchParams([
      ['number', CONTACT],
      ['number', '+19998887778'],
      ['from_number', line],
      ['content', 'hi'],
    ]);
    const res = await send(server, server.auth, form.toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expectError(res, 400, 'validation_failed');
    await expectNothingStored();
  });

  it.each([
    ['truncated JSON', '{"number":'],
    ['single quotes', "{'number':'+19998887777'}"],
    ['a trailing comma', `{"number":"${CONTACT}",}`],
    ['an empty body', ''],
  ])('answers %s with 400 invalid_json', async (_name, text) => {
    expectError(await send(server, server.auth, text, { 'content-type': 'application/json' }), 400, 'invalid_json');
    await expectNothingStored();
  });

  it.each([
    ['a JSON array', '[]'],
    ['a JSON string', '"hello"'],
    ['JSON null', 'null'],
  ])('answers %s as the body with 400', async (_name, text) => {
    expectError(await send(server, server.auth, text, { 'content-type': 'application/json' }), 400);
    await expectNothingStored();
  });

  it.each(['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/octet-stream'])(
    'answers content type %s with 415',
    async (contentType) => {
      const text = JSON.stringify(valid());
      expectError(
        await send(server, server.auth, text, { 'content-type': contentType }),
        415,
        'unsupported_media_type',
      );
      await expectNothingStored();
    },
  );

  it('answers an Idempotency-Key with spaces or over 255 characters with 400', async () => {
    expectError(await send(server, server.auth, valid(), { 'idempotency-key': 'has spaces' }), 400);
    expectError(await send(server, server.auth, valid(), { 'idempotency-key': 'k'.repeat(256) }), 400);
    await expectNothingStored();
  });
});

describe.each(SERVER_BACKENDS)('rejected reads ($name)', (backend) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual' });
  });
  afterAll(() => server.close());

  it.each([
    ['a 10 kB id', 400, `/api/v2/messages/${'a'.repeat(10_240)}`],
    ['a 129-character id', 400, `/api/v2/messages/${'a'.repeat(129)}`],
    ['a broken percent-escape', 400, '/api/v2/messages/%E0%A4%A'],
    ['../ in the id', 404, '/api/v2/messages/..%2F..%2Fetc%2Fpasswd'],
    ['%00 in the id', 404, '/api/v2/messages/abc%00def'],
    ['a 10 kB handle on /api/status', 400, `/api/status?handle=${'a'.repeat(10_240)}`],
    ['%00 as the handle', 404, '/api/status?handle=%00'],
  ])('answers %s with a JSON %i', async (_name, status, url) => {
    expectError(await get(server, server.auth, url), status);
  });

  it('answers an unknown route with a JSON 404', async () => {
    expectError(await get(server, server.auth, '/api/nothing-here'), 404, 'route_not_found');
  });

  it('names a missing field itself, not its parent, and lists the allowed values of an enum', async () => {
    const missing = expectError(
      await send(server, server.auth, { number: CONTACT, content: 'hi' }),
      400,
      'validation_failed',
    );
    expect(missing.details?.[0]).toEqual({ field: 'from_number', message: 'is required' });
    expect(missing.message).toContain('from_number');
    const style = expectError(
      await send(server, server.auth, {
        number: CONTACT,
        from_number: server.line,
        content: 'hi',
        send_style: 'wobble',
      }),
      400,
      'validation_failed',
    );
    expect(style.details?.[0]?.field).toBe('send_style');
    expect(style.message).toContain('"celebration"');
    expect(style.message).toContain('"slam"');
  });

  it('answers a known path asked with another method with a JSON 405 and Allow', async () => {
    const res = await inject(server, { method: 'DELETE', url: '/api/send-message' });
    expectError(res, 405, 'method_not_allowed');
    expect(res.headers['allow']).toBe('POST');
    const got = await get(server, server.auth, '/api/send-message');
    expectError(got, 405, 'method_not_allowed');
    const byParam = await inject(server, { method: 'POST', url: '/api/v2/messages/0190abcd' });
    expectError(byParam, 405, 'method_not_allowed');
    expect(String(byParam.headers['allow'])).toContain('GET');
  });

  it('answers GET /api/status without a handle with 400', async () => {
    expectError(await get(server, server.auth, '/api/status'), 400, 'validation_failed');
  });
});
