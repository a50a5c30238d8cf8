import SendblueAPI, { BadRequestError, NotFoundError, toFile } from 'sendblue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addTenant } from './support/api-helpers.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { type MediaOrigin, PNG, startMediaOrigin } from './support/media-origin.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer, startBackendServer } from './support/test-server.js';

/** `v2.groups.rename` and `v2.groups.setPhoto` (JSON URL or multipart file) through the official SDK. */

const MEMBERS = ['+19998887777', '+19998886666'];

describe.each(SERVER_BACKENDS)('group name and photo through the SDK ($name)', (backend) => {
  let server: TestServer;
  let origin: MediaOrigin;
  let client: SendblueAPI;
  let groupId: string;

  beforeAll(async () => {
    origin = await startMediaOrigin();
    server = await startBackendServer(backend);
    client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: server.url, maxRetries: 0 });
    const sent = (await client.groups.sendMessage({ from_number: server.line, numbers: MEMBERS, content: 'hi' })) as {
      group_id: string;
    };
    groupId = sent.group_id;
  });
  afterAll(async () => {
    await server.close();
    await origin.close();
  });

  it('renames a group, clears the name with null, and refuses a whitespace name', async () => {
    const renamed = await client.v2.groups.rename(groupId, { group_name: 'Project Falcon' });
    expect(renamed).toEqual({
      status: 'OK',
      data: { from_number: server.line, group_id: groupId, group_name: 'Project Falcon' },
    });
    expect((await client.v2.groups.retrieve(groupId)).data?.group_name).toBe('Project Falcon');
    const cleared = await client.v2.groups.rename(groupId, { group_name: null });
    expect(cleared.data.group_name).toBe('');
    const blank = await client.v2.groups.rename(groupId, { group_name: '   ' }).catch((e: unknown) => e);
    expect(blank).toBeInstanceOf(BadRequestError);
    expect((blank as BadRequestError).error).toMatchObject({
      code: 'validation_failed',
      message: 'group_name must not be only whitespace',
    });
    const wrongLine = await client.v2.groups
      .rename(groupId, { group_name: 'x', from_number: '+15550009999' })
      .catch((e: unknown) => e);
    expect((wrongLine as BadRequestError).error).toMatchObject({ code: 'unknown_line' });
  });

  it('sets the photo from a URL, serves it, shows it on the group, and clears it', async () => {
    const set = await client.v2.groups.setPhoto(groupId, { photo_url: `${origin.url}/photo.png` });
    const photo = set.data.group_photo;
    expect(photo?.url).toBe(`${server.url}/media/${photo?.photo_guid}/photo.png`);
    const served = await fetch(photo?.url ?? '');
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await served.arrayBuffer()).equals(PNG)).toBe(true);
    expect((await client.v2.groups.retrieve(groupId)).data?.group_photo).toEqual(photo);

    const cleared = await client.v2.groups.setPhoto(groupId, { photo_url: null });
    expect(cleared.data.group_photo).toBeNull();
    expect((await fetch(photo?.url ?? '')).status).toBe(404);
  });

  it('sets the photo from a multipart file', async () => {
    const file = await toFile(PNG, 'team.png', { type: 'image/png' });
    const set = await client.v2.groups.setPhoto(groupId, { file } as unknown as { photo_url: null });
    const photo = set.data.group_photo;
    expect(photo?.url).toMatch(/\/media\/[0-9a-f]{32}\/team\.png$/);
    expect(Buffer.from(await (await fetch(photo?.url ?? '')).arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('takes multipart bodies on the photo route only', async () => {
    const form = new FormData();
    form.set('number', '+19998887777');
    form.set('content', 'hi');
    const res = await fetch(`${server.url}/api/send-message`, { method: 'POST', headers: server.auth, body: form });
    expect(res.status).toBe(415);
  });

  it('refuses a photo that is not JPEG, PNG or GIF', async () => {
    const html = await client.v2.groups
      .setPhoto(groupId, { photo_url: `${origin.url}/page.html` })
      .catch((e: unknown) => e);
    expect(html).toBeInstanceOf(BadRequestError);
    expect((html as BadRequestError).error).toMatchObject({ code: 'media_type_not_allowed' });
    const file = await toFile(Buffer.from('%PDF-1.4'), 'doc.pdf', { type: 'application/pdf' });
    const pdf = await client.v2.groups
      .setPhoto(groupId, { file } as unknown as { photo_url: null })
      .catch((e: unknown) => e);
    expect((pdf as BadRequestError).error).toMatchObject({
      code: 'media_type_not_allowed',
      message: expect.stringMatching(/^file /),
    });
  });

  it('answers 404 for another account’s group, changing nothing', async () => {
    const stranger = await addTenant(server, `groups-${backend.name}@example.com`, '+15550009201');
    const theirs = new SendblueAPI({
      apiKey: stranger.keyId,
      apiSecret: stranger.auth['sb-api-secret-key'] ?? '',
      baseURL: server.url,
      maxRetries: 0,
    });
    const rename = await theirs.v2.groups.rename(groupId, { group_name: 'Mine now' }).catch((e: unknown) => e);
    expect(rename).toBeInstanceOf(NotFoundError);
    const photo = await theirs.v2.groups
      .setPhoto(groupId, { photo_url: `${origin.url}/photo.png` })
      .catch((e: unknown) => e);
    expect(photo).toBeInstanceOf(NotFoundError);
    expect((await client.v2.groups.retrieve(groupId)).data?.group_name).not.toBe('Mine now');
    const missing = await client.v2.groups.rename('no-such-group', { group_name: 'x' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
  });
});
