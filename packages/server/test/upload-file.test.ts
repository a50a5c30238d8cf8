import SendblueAPI from 'sendblue';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CONTACT, type Tenant, addTenant, advanceClock } from './support/api-helpers.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { PNG } from './support/media-origin.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer, startBackendServer } from './support/test-server.js';

/**
 * `POST /api/upload-file`, Sendblue's direct upload: a multipart `file` part kept as a media object
 * and served back at the `media_url` the answer gives, usable at once as a message's `media_url`.
 */

const MAX_BYTES = 2048;

interface Uploaded {
  status: string;
  message: string;
  media_url: string;
  mediaObjectId: string;
  content_type: string;
  size: number;
}

interface ErrorAnswer {
  status: string;
  code: string;
  message: string;
  details?: { field: string; message: string }[];
}

function form(bytes: Buffer, type: string, filename: string, field = 'file'): FormData {
  const body = new FormData();
  body.append(field, new Blob([bytes], { type }), filename);
  return body;
}

describe.each(SERVER_BACKENDS)('POST /api/upload-file ($name)', (backend) => {
  let server: TestServer;
  let other: Tenant;

  beforeAll(async () => {
    server = await startBackendServer(backend, {
      TAPBACK_CLOCK: 'manual',
      TAPBACK_UPLOAD_MAX_BYTES: String(MAX_BYTES),
    });
    other = await addTenant(server, 'other@example.com', '+15550002000');
  });
  afterAll(() => server.close());
  afterEach(() => vi.restoreAllMocks());

  const upload = (body: FormData | string, headers: Record<string, string> = server.auth) =>
    fetch(`${server.url}/api/upload-file`, { method: 'POST', headers, body });

  async function expectRefused(response: Response, status: number, code: string): Promise<ErrorAnswer> {
    expect(response.status).toBe(status);
    const body = (await response.json()) as ErrorAnswer;
    expect(body).toMatchObject({ status: 'ERROR', code });
    return body;
  }

  it('keeps a multipart file and serves the same bytes, with its type, at the media_url it answers', async () => {
    const response = await upload(form(PNG, 'image/png', 'Holiday photo.png'));
    expect(response.status).toBe(201);
    const uploaded = (await response.json()) as Uploaded;
    const id = /^MO_([0-9a-f]{32})\.png$/.exec(uploaded.mediaObjectId)?.[1];
    expect(id).toBeDefined();
    expect(uploaded).toEqual({
      status: 'OK',
      message: 'File uploaded successfully',
      mediaObjectId: `MO_${id}.png`,
      media_url: `${server.url}/media/${id}/Holiday_photo.png`,
      content_type: 'image/png',
      size: PNG.length,
    });

    const served = await fetch(uploaded.media_url);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await served.arrayBuffer()).equals(PNG)).toBe(true);
    const kept = await server.server.store.getMedia(id ?? '');
    expect(kept).toMatchObject({ sourceUrl: null, size: PNG.length, contentType: 'image/png' });
  });

  it('gives a media_url a message can send at once, delivered with the media', async () => {
    const uploaded = (await (await upload(form(PNG, 'image/png', 'dot.png'))).json()) as Uploaded;
    const client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: server.url, maxRetries: 0 });
    const sent = await client.messages.send({
      number: CONTACT,
      from_number: server.line,
      media_url: uploaded.media_url,
    });
    expect(sent).toMatchObject({ status: 'QUEUED', media_url: uploaded.media_url });
    await advanceClock(server, 100);
    await advanceClock(server, 400);
    const status = await client.messages.getStatus({ handle: sent.message_handle ?? '' });
    expect(status).toMatchObject({ status: 'DELIVERED', media_url: uploaded.media_url });
  });

  it('refuses a file over TAPBACK_UPLOAD_MAX_BYTES with 413 naming file, and keeps nothing', async () => {
    const save = vi.spyOn(server.server.store, 'saveMedia');
    const big = await upload(form(Buffer.alloc(MAX_BYTES + 1, 7), 'image/png', 'big.png'));
    const body = await expectRefused(big, 413, 'payload_too_large');
    expect(body.message).toBe(`file is larger than ${MAX_BYTES} bytes`);
    expect(body.details).toEqual([{ field: 'file', message: `is larger than ${MAX_BYTES} bytes` }]);
    expect(save).not.toHaveBeenCalled();

    const fits = await upload(form(Buffer.alloc(MAX_BYTES, 7), 'image/png', 'fits.png'));
    expect(fits.status).toBe(201);
    expect(save).toHaveBeenCalledTimes(1);
  });

  it('refuses a missing file, an empty one, a body that is not multipart and a type it does not store', async () => {
    const save = vi.spyOn(server.server.store, 'saveMedia');
    const onlyText = new FormData();
    onlyText.append('name', 'no file here');
    const cases: [string, Response, number, string][] = [
      ['no file part', await upload(onlyText), 400, 'validation_failed'],
      ['another part name', await upload(form(PNG, 'image/png', 'a.png', 'attachment')), 400, 'validation_failed'],
      ['empty file', await upload(form(Buffer.alloc(0), 'image/png', 'empty.png')), 400, 'validation_failed'],
      [
        'JSON',
        await upload(JSON.stringify({ file: 'x' }), { ...server.auth, 'content-type': 'application/json' }),
        400,
        'validation_failed',
      ],
      ['no body', await upload('', server.auth), 400, 'validation_failed'],
      ['text/plain', await upload('hello', { ...server.auth, 'content-type': 'text/plain' }), 400, 'validation_failed'],
      ['HTML', await upload(form(Buffer.from('<p>x</p>'), 'text/html', 'x.html')), 400, 'media_type_not_allowed'],
    ];
    for (const [name, response, status, code] of cases) {
      const body = await expectRefused(response, status, code);
      expect(body.message, name).toMatch(/^file /);
      expect(body.details?.[0]?.field, name).toBe('file');
    }
    expect(save).not.toHaveBeenCalled();
  });

  it('keeps each account’s file as its own, behind a URL that needs no credentials (the id is the permission)', async () => {
    const response = await upload(form(PNG, 'image/png', 'theirs.png'), other.auth);
    expect(response.status).toBe(201);
    const uploaded = (await response.json()) as Uploaded;
    const id = /\/media\/([0-9a-f]{32})\//.exec(uploaded.media_url)?.[1] ?? '';
    expect((await server.server.store.getMedia(id))?.accountId).toBe(other.accountId);
    // Served to anyone holding the exact URL, and to no one guessing around it.
    expect((await fetch(uploaded.media_url)).status).toBe(200);
    expect((await fetch(`${server.url}/media/${id}/other.png`)).status).toBe(404);
    expect((await fetch(`${server.url}/media/${'0'.repeat(32)}/theirs.png`)).status).toBe(404);
  });

  it('answers 401 to missing or wrong credentials and keeps nothing', async () => {
    const save = vi.spyOn(server.server.store, 'saveMedia');
    await expectRefused(await upload(form(PNG, 'image/png', 'a.png'), {}), 401, 'unauthorized');
    const wrong = { 'sb-api-key-id': TEST_KEY_ID, 'sb-api-secret-key': `${TEST_SECRET}x` };
    await expectRefused(await upload(form(PNG, 'image/png', 'a.png'), wrong), 401, 'unauthorized');
    expect(save).not.toHaveBeenCalled();
  });

  it('takes the inbox session cookie, with its CSRF header', async () => {
    const signIn = await fetch(`${server.url}/api/session`, { method: 'POST', headers: server.auth });
    expect(signIn.status).toBe(200);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const { csrf_token: csrf } = (await signIn.json()) as { csrf_token: string };

    await expectRefused(await upload(form(PNG, 'image/png', 'a.png'), { cookie }), 403, 'csrf_failed');
    const ok = await upload(form(PNG, 'image/png', 'a.png'), { cookie, 'x-csrf-token': csrf });
    expect(ok.status).toBe(201);
  });
});
