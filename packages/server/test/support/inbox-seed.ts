import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { landscapePng } from './png-image.js';
import { type TestServer, TEST_LINE } from './test-server.js';

/** Realistic inbox content for browser tests and screenshots, made through the API and the sandbox routes. */

export const MAYA = '+14155550142';
export const SAM = '+16465550199';
export const SHOP = '+12025550001'; // SMS only in the sandbox
export const RCS = '+13105550002'; // RCS in the sandbox
export const LEO = '+16505550123';

export async function call(
  server: TestServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...server.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export const advance = (server: TestServer, ms: number) => call(server, 'POST', '/sandbox/clock/advance', { ms });
export const inbound = (server: TestServer, from: string, content: string, extra: Record<string, string> = {}) =>
  call(server, 'POST', '/sandbox/inbound', { from, to: TEST_LINE, content, ...extra });
export const send = (server: TestServer, number: string, content: string, extra: Record<string, string> = {}) =>
  call(server, 'POST', '/api/send-message', { number, from_number: TEST_LINE, content, ...extra });

/** A loopback origin serving one photo, which the server fetches and keeps as a media object. */
export async function photoOrigin(): Promise<{ url: string; close(): Promise<void> }> {
  const png = landscapePng();
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(png));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/trip.png`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A few conversations with iMessage, SMS and RCS messages, an effect, an image, a group and unread
 * messages; with `webhookUrl`, an `outbound` webhook there, so timelines list deliveries.
 */
export async function seedInbox(server: TestServer, photoUrl: string, webhookUrl?: string): Promise<void> {
  if (webhookUrl !== undefined) {
    await call(server, 'POST', '/api/account/webhooks', {
      type: 'outbound',
      webhooks: [{ url: webhookUrl, secret: 'inbox-demo' }],
    });
  }
  const photo = (await call(server, 'POST', '/api/upload-media-object', { media_url: photoUrl })) as {
    media_url: string;
  };
  await send(server, SHOP, 'Your order #4821 has shipped and arrives Thursday.');
  await send(server, RCS, 'Reminder: your table for 4 is booked for 7:30 pm.');
  await call(server, 'POST', '/api/send-group-message', {
    from_number: TEST_LINE,
    numbers: [MAYA, LEO],
    content: 'Dinner on Friday? I can book the Thai place.',
  });
  await advance(server, 1000);
  await inbound(server, MAYA, 'Morning! Did you get the photos from the trip?');
  await inbound(server, MAYA, '', { media_url: photo.media_url });
  await send(server, MAYA, 'These are amazing, the light on the hills!', { send_style: 'love' });
  await advance(server, 1000);
  await send(server, MAYA, 'Still on for Saturday at 10?');
  await advance(server, 1000);
  await inbound(server, MAYA, 'Yes! See you there');
  await inbound(server, SAM, 'Can you call me back when you get a minute?');
  await inbound(server, SAM, 'It is about the invoice.');
}
