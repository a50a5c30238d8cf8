import SendblueAPI, { BadRequestError } from 'sendblue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTACT } from './support/api-helpers.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { type MediaOrigin, startMediaOrigin } from './support/media-origin.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer, startBackendServer } from './support/test-server.js';

/**
 * Private addresses are refused when a client hands them over, not dropped later: a private
 * `status_callback` or `media_url` on a send, a group send or a carousel is a 400 `url_not_allowed`
 * naming the field, and `upload-media-object` never connects to one. `TAPBACK_ALLOW_PRIVATE_CIDRS`
 * (the SSRF guard's allow-list) lets ranges through, for development and these tests.
 */

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BadRequestError);
  return (error as BadRequestError).error as { code: string; message: string };
}

describe.each(SERVER_BACKENDS)('private URLs at send time ($name)', (backend) => {
  let server: TestServer;
  let origin: MediaOrigin;
  let client: SendblueAPI;

  beforeAll(async () => {
    origin = await startMediaOrigin();
    server = await startBackendServer(backend, { TAPBACK_ALLOW_PRIVATE_CIDRS: 'none' });
    client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: server.url, maxRetries: 0 });
  });
  afterAll(async () => {
    await server.close();
    await origin.close();
  });

  const PRIVATE = [
    'http://127.0.0.1:9/cb',
    'http://10.1.2.3/cb',
    'http://192.168.0.10/cb',
    'http://169.254.169.254/latest/meta-data',
    'http://[::1]/cb',
    'http://[::ffff:127.0.0.1]/cb',
    'http://localhost:8080/cb',
    'http://api.localhost/cb',
  ];

  it('refuses a private status_callback or media_url on /api/send-message, naming the field', async () => {
    for (const url of PRIVATE) {
      const cb = await refusal(
        client.messages.send({ number: CONTACT, from_number: server.line, content: 'x', status_callback: url }),
      );
      expect(cb.code, url).toBe('url_not_allowed');
      expect(cb.message, url).toMatch(/^status_callback /);
      const media = await refusal(client.messages.send({ number: CONTACT, from_number: server.line, media_url: url }));
      expect(media.code, url).toBe('url_not_allowed');
      expect(media.message, url).toMatch(/^media_url /);
    }
    const ok = await client.messages.send({
      number: CONTACT,
      from_number: server.line,
      content: 'public',
      media_url: 'https://example.com/a.png',
      status_callback: 'https://example.com/cb',
    });
    expect(ok.status).toBe('QUEUED');
  });

  it('refuses them on group sends and carousels too', async () => {
    const group = await refusal(
      client.groups.sendMessage({
        from_number: server.line,
        numbers: ['+19998887777', '+19998886666'],
        content: 'x',
        media_url: 'http://10.0.0.1/a.png',
      }),
    );
    expect(group).toMatchObject({ code: 'url_not_allowed', message: expect.stringMatching(/^media_url /) });
    // The SDK's group params have no status_callback; the route takes it as /api/send-message does.
    const groupCallback = await fetch(`${server.url}/api/send-group-message`, {
      method: 'POST',
      headers: { ...server.auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        from_number: server.line,
        numbers: ['+19998887777', '+19998886666'],
        content: 'x',
        status_callback: 'http://10.0.0.1/cb',
      }),
    });
    expect(groupCallback.status).toBe(400);
    expect(await groupCallback.json()).toMatchObject({
      code: 'url_not_allowed',
      message: expect.stringMatching(/^status_callback /),
    });
    const carousel = await refusal(
      client.sendCarousel.send({
        number: CONTACT,
        from_number: server.line,
        media_urls: ['https://example.com/1.png', 'http://192.168.1.1/2.png'],
      }),
    );
    expect(carousel).toMatchObject({ code: 'url_not_allowed', message: expect.stringMatching(/^media_urls\[1\] /) });
  });

  it('never connects to a private address to upload media', async () => {
    const before = origin.hits.length;
    const direct = await refusal(client.mediaObjects.upload({ media_url: `${origin.url}/photo.png` }));
    expect(direct).toMatchObject({ code: 'url_not_allowed', message: expect.stringMatching(/^media_url /) });
    // A name is resolved and the address it resolves to is checked before connecting.
    const byName = await refusal(
      client.mediaObjects.upload({ media_url: origin.url.replace('127.0.0.1', 'localhost') + '/photo.png' }),
    );
    expect(byName.code).toBe('url_not_allowed');
    expect(origin.hits.length).toBe(before);
  });
});

describe('the private-address allow-list', () => {
  let server: TestServer;
  let client: SendblueAPI;

  beforeAll(async () => {
    server = await startBackendServer(SERVER_BACKENDS[0]!, { TAPBACK_ALLOW_PRIVATE_CIDRS: '127.0.0.0/8,::1/128' });
    client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: server.url, maxRetries: 0 });
  });
  afterAll(() => server.close());

  it('accepts callbacks in allowed ranges, localhost included, and still refuses the others', async () => {
    for (const url of ['http://127.0.0.1:9/cb', 'http://localhost:9/cb', 'http://[::1]:9/cb']) {
      const sent = await client.messages.send({
        number: CONTACT,
        from_number: server.line,
        content: 'x',
        status_callback: url,
      });
      expect(sent.status, url).toBe('QUEUED');
    }
    const other = await refusal(
      client.messages.send({
        number: CONTACT,
        from_number: server.line,
        content: 'x',
        status_callback: 'http://10.0.0.1/cb',
      }),
    );
    expect(other.code).toBe('url_not_allowed');
  });
});
