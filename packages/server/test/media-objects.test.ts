import SendblueAPI, { BadRequestError, UnprocessableEntityError } from 'sendblue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTACT, addTenant, advanceClock } from './support/api-helpers.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { type MediaOrigin, PNG, startMediaOrigin } from './support/media-origin.js';
import { startReceiver } from './support/webhook-receiver.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer, startBackendServer } from './support/test-server.js';

/**
 * Media objects through the official SDK: `mediaObjects.upload` fetches a URL (through the SSRF
 * guard, within the size, time and type limits) and Tapback serves the file back at an unguessable
 * URL; `sendCarousel.send` stores a message of its own type.
 */

const MAX_BYTES = 4096;
const TIMEOUT_MS = 1500;

/** The SDK error a promise rejects with. */
async function rejection(
  promise: Promise<unknown>,
): Promise<{ status: number; error: { code: string; message: string } }> {
  try {
    await promise;
  } catch (error) {
    return error as { status: number; error: { code: string; message: string } };
  }
  throw new Error('expected the call to fail');
}

interface Uploaded {
  mediaObjectId: string;
  media_url: string;
  status: string;
  message: string;
}

describe.each(SERVER_BACKENDS)('media objects and carousels through the SDK ($name)', (backend) => {
  let server: TestServer;
  let origin: MediaOrigin;
  let client: SendblueAPI;

  beforeAll(async () => {
    origin = await startMediaOrigin();
    server = await startBackendServer(backend, {
      TAPBACK_CLOCK: 'manual',
      TAPBACK_MEDIA_MAX_BYTES: String(MAX_BYTES),
      TAPBACK_MEDIA_FETCH_TIMEOUT_MS: String(TIMEOUT_MS),
    });
    client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: server.url, maxRetries: 0 });
  });
  afterAll(async () => {
    await server.close();
    await origin.close();
  });

  it('uploads from a URL and serves the bytes back, without credentials, at an unguessable URL', async () => {
    const uploaded = (await client.mediaObjects.upload({ media_url: `${origin.url}/photo.png` })) as Uploaded;
    expect(uploaded).toMatchObject({ status: 'OK', message: 'File uploaded successfully' });
    const id = /^MO_([0-9a-f]{32})\.png$/.exec(uploaded.mediaObjectId)?.[1];
    expect(id).toBeDefined();
    expect(uploaded.media_url).toBe(`${server.url}/media/${id}/photo.png`);

    const res = await fetch(uploaded.media_url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);

    expect((await fetch(`${server.url}/media/${id}/other.png`)).status).toBe(404);
    expect((await fetch(`${server.url}/media/${'0'.repeat(32)}/photo.png`)).status).toBe(404);

    // A message may point at it.
    const sent = await client.messages.send({
      number: CONTACT,
      from_number: server.line,
      media_url: uploaded.media_url,
    });
    expect(sent.media_url).toBe(uploaded.media_url);
  });

  it('refuses a file over TAPBACK_MEDIA_MAX_BYTES, declared or streamed', async () => {
    for (const path of [`/big.png?bytes=${MAX_BYTES + 1}`, `/stream.png?bytes=${MAX_BYTES * 4}`]) {
      const error = await rejection(client.mediaObjects.upload({ media_url: `${origin.url}${path}` }));
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error.error).toMatchObject({
        code: 'media_too_large',
        message: `media_url is larger than ${MAX_BYTES} bytes`,
      });
    }
    const fits = (await client.mediaObjects.upload({
      media_url: `${origin.url}/stream.png?bytes=${MAX_BYTES}`,
    })) as Uploaded;
    expect(Buffer.from(await (await fetch(fits.media_url)).arrayBuffer()).length).toBe(MAX_BYTES);
  });

  it('gives up on a source slower than TAPBACK_MEDIA_FETCH_TIMEOUT_MS', async () => {
    const started = Date.now();
    const error = await rejection(client.mediaObjects.upload({ media_url: `${origin.url}/hang.png` }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.error.code).toBe('media_fetch_failed');
    expect(error.error.message).toContain(`${TIMEOUT_MS} ms`);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 5000);
  });

  it('refuses types it does not store, redirects, failed answers and malformed URLs', async () => {
    const cases: [string, string][] = [
      [`${origin.url}/page.html`, 'media_type_not_allowed'],
      [`${origin.url}/moved.png`, 'media_fetch_failed'],
      [`${origin.url}/missing.png`, 'media_fetch_failed'],
      ['ftp://example.com/x.png', 'validation_failed'],
      ['not a url', 'validation_failed'],
    ];
    for (const [url, code] of cases) {
      const error = await rejection(client.mediaObjects.upload({ media_url: url }));
      expect(error, url).toBeInstanceOf(BadRequestError);
      expect(error.error.code, url).toBe(code);
      expect(error.error.message, url).toMatch(/^media_url /);
    }
    const missing = await rejection(client.mediaObjects.upload({} as { media_url: string }));
    expect(missing).toBeInstanceOf(BadRequestError);
    expect(missing.error).toMatchObject({ code: 'validation_failed', message: 'media_url is required' });
  });

  it('sends a carousel as one message of type carousel, delivered and reported like any other', async () => {
    const urls = ['https://example.com/1.jpg', 'https://example.com/2.jpg', 'https://example.com/3.jpg'];
    const receiver = await startReceiver();
    const sent = await client.sendCarousel.send({
      number: CONTACT,
      from_number: server.line,
      media_urls: urls,
      status_callback: `${receiver.url}/carousel`,
    });
    expect(sent).toMatchObject({ status: 'QUEUED', message_type: 'carousel', media_url: urls[0], number: CONTACT });
    await advanceClock(server, 100);
    await advanceClock(server, 400);
    const status = await client.messages.getStatus({ handle: sent.message_handle ?? '' });
    expect(status).toMatchObject({ status: 'DELIVERED', message_type: 'carousel', media_url: urls[0] });
    const callbacks = (await receiver.waitFor(2)).map(
      (r) => JSON.parse(r.body) as { status: string; message_type: string },
    );
    expect(callbacks.map((c) => [c.status, c.message_type])).toEqual([
      ['SENT', 'carousel'],
      ['DELIVERED', 'carousel'],
    ]);
    await receiver.close();
  });

  it('replays a carousel under the same Idempotency-Key and refuses the key with another body', async () => {
    const body = {
      number: CONTACT,
      from_number: server.line,
      media_urls: ['https://example.com/a.jpg', 'https://example.com/b.jpg'],
    };
    const headers = { 'Idempotency-Key': `carousel-${backend.name}` };
    const first = await client.sendCarousel.send(body, { headers }).withResponse();
    const again = await client.sendCarousel.send(body, { headers }).withResponse();
    expect(again.data).toEqual(first.data);
    expect(again.response.headers.get('idempotent-replayed')).toBe('true');
    const other = await rejection(
      client.sendCarousel.send({ ...body, media_urls: [...body.media_urls, 'https://example.com/c.jpg'] }, { headers }),
    );
    expect(other).toBeInstanceOf(UnprocessableEntityError);
    expect(other.error.code).toBe('idempotency_key_reused');
  });

  it('refuses a carousel of one image, a bad image URL and another account’s line', async () => {
    const one = await rejection(
      client.sendCarousel.send({
        number: CONTACT,
        from_number: server.line,
        media_urls: ['https://example.com/1.jpg'],
      }),
    );
    expect(one).toBeInstanceOf(BadRequestError);
    expect(one.error).toMatchObject({ code: 'validation_failed' });
    expect(one.error.message).toMatch(/^media_urls must hold 2 to 20/);
    const bad = await rejection(
      client.sendCarousel.send({
        number: CONTACT,
        from_number: server.line,
        media_urls: ['https://example.com/1.jpg', 'nope'],
      }),
    );
    expect(bad.error).toMatchObject({ code: 'validation_failed', message: 'media_urls[1] is not an absolute URL' });
    const other = await addTenant(server, `carousel-${backend.name}@example.com`, '+15550009001');
    const foreign = await rejection(
      client.sendCarousel.send({
        number: CONTACT,
        from_number: other.line,
        media_urls: ['https://a.example/1.jpg', 'https://a.example/2.jpg'],
      }),
    );
    expect(foreign.error.code).toBe('unknown_line');
  });
});
