import SendblueAPI, { BadRequestError, NotFoundError } from 'sendblue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Tenant, addTenant } from './support/api-helpers.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer, startBackendServer } from './support/test-server.js';

/** `lines.callForwarding` through the official SDK: per line of the account, validated, tenant-private. */
const OTHER_LINE = '+15550007001';

describe.each(SERVER_BACKENDS)('call forwarding through the official SDK ($name)', (backend) => {
  let server: TestServer;
  let client: SendblueAPI;
  let other: Tenant;

  beforeAll(async () => {
    server = await startBackendServer(backend);
    client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: server.url, maxRetries: 0 });
    other = await addTenant(server, 'other@example.com', OTHER_LINE);
  });
  afterAll(() => server.close());

  it('sets, reads and clears a line’s forwarding number (clearing twice is fine)', async () => {
    const cf = client.lines.callForwarding;
    expect(await cf.retrieve(server.line)).toEqual({ forwarding_number: null, sendblue_number: server.line });
    expect(await cf.update(server.line, { forwarding_number: '+16692138010' })).toEqual({
      forwarding_number: '+16692138010',
      sendblue_number: server.line,
    });
    expect((await cf.retrieve(server.line)).forwarding_number).toBe('+16692138010');
    expect((await cf.update(server.line, { forwarding_number: '+442071838750' })).forwarding_number).toBe(
      '+442071838750',
    );
    expect(await cf.delete(server.line)).toEqual({ forwarding_number: null, sendblue_number: server.line });
    expect(await cf.delete(server.line)).toEqual({ forwarding_number: null, sendblue_number: server.line });
    expect((await cf.retrieve(server.line)).forwarding_number).toBeNull();
  });

  it('normalises US numbers in local form to E.164', async () => {
    for (const local of ['2125550199', '(212) 555-0199', '1-212-555-0199', '+1 212 555 0199']) {
      const res = await client.lines.callForwarding.update(server.line, { forwarding_number: local });
      expect(res.forwarding_number, local).toBe('+12125550199');
    }
  });

  it('refuses numbers that cannot be forwarded to as SDK BadRequestErrors naming forwarding_number', async () => {
    for (const bad of ['12345', 'call me', '911', '+1999', server.line, '']) {
      const error = await client.lines.callForwarding
        .update(server.line, { forwarding_number: bad })
        .catch((e: unknown) => e);
      expect(error, bad).toBeInstanceOf(BadRequestError);
      expect(JSON.stringify((error as BadRequestError).error)).toContain('forwarding_number');
    }
  });

  it('answers 404 for another account’s line and for a number that is no line', async () => {
    await client.lines.callForwarding.update(server.line, { forwarding_number: '+16692138010' });
    const theirs = new SendblueAPI({
      apiKey: other.auth['sb-api-key-id'] ?? '',
      apiSecret: other.auth['sb-api-secret-key'] ?? '',
      baseURL: server.url,
      maxRetries: 0,
    });
    for (const call of [
      () => theirs.lines.callForwarding.retrieve(server.line),
      () => theirs.lines.callForwarding.update(server.line, { forwarding_number: '+16692138011' }),
      () => theirs.lines.callForwarding.delete(server.line),
      () => client.lines.callForwarding.retrieve(OTHER_LINE),
      () => client.lines.callForwarding.retrieve('+15559990000'),
      () => client.lines.callForwarding.retrieve('not-a-number'),
    ]) {
      await expect(call()).rejects.toBeInstanceOf(NotFoundError);
    }
    // Nothing the other account tried changed this account's setting.
    expect((await client.lines.callForwarding.retrieve(server.line)).forwarding_number).toBe('+16692138010');
  });
});
