import { pino } from 'pino';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { BlueBubblesClient } from '../src/delivery/providers/bluebubbles/bluebubbles-client.js';
import { BlueBubblesPoller } from '../src/delivery/providers/bluebubbles/bluebubbles-poller.js';
import {
  REGISTERED_EVENTS,
  ensureBlueBubblesWebhook,
} from '../src/delivery/providers/bluebubbles/bluebubbles-webhook-registration.js';
import {
  blueBubblesWebhookToken,
  blueBubblesWebhookUrl,
  isBlueBubblesWebhookToken,
} from '../src/delivery/providers/bluebubbles/bluebubbles-webhook-token.js';
import type { ProviderEvents } from '../src/delivery/providers/provider.js';
import type { LineEventSource } from '../src/store/ports/network-chats-port.js';
import { BlueBubblesStandin } from './support/bluebubbles-standin.js';

/** Webhook tokens and registration against the BlueBubbles stand-in, and a refused registration. */
const LINE = '+15550005000';
const PUBLIC = 'https://tapback.example.com';

describe('BlueBubbles webhook tokens', () => {
  it('are stable per line and password, differ otherwise, and are checked exactly', () => {
    const token = blueBubblesWebhookToken(LINE, 'pw');
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(blueBubblesWebhookToken(LINE, 'pw')).toBe(token);
    expect(blueBubblesWebhookToken(LINE, 'other')).not.toBe(token);
    expect(blueBubblesWebhookToken('+15550005001', 'pw')).not.toBe(token);
    expect(isBlueBubblesWebhookToken(token, LINE, 'pw')).toBe(true);
    expect(isBlueBubblesWebhookToken(`${token}x`, LINE, 'pw')).toBe(false);
    expect(isBlueBubblesWebhookToken(token, LINE, 'other')).toBe(false);
    expect(blueBubblesWebhookUrl(`${PUBLIC}/`, LINE, 'pw')).toBe(
      `${PUBLIC}/network-hooks/bluebubbles/${token}?line=%2B15550005000`,
    );
  });
});

describe('BlueBubbles webhook registration', () => {
  let bb: BlueBubblesStandin;
  let client: BlueBubblesClient;
  const signal = new AbortController().signal;

  beforeEach(async () => {
    await bb?.stop();
    bb = await BlueBubblesStandin.start();
    client = new BlueBubblesClient({ url: bb.url, password: bb.password });
  });
  afterAll(() => bb?.stop());

  it('registers once, replaces the line’s stale URL and a registration with other events, keeps others’', async () => {
    const url = blueBubblesWebhookUrl(PUBLIC, LINE, bb.password);
    const stale = blueBubblesWebhookUrl('https://old.example.com', LINE, bb.password);
    await client.createWebhook({ url: stale, events: REGISTERED_EVENTS }, signal);
    await client.createWebhook({ url: 'https://someone-else.example.com/hook', events: ['*'] }, signal);
    expect(await ensureBlueBubblesWebhook(client, { line: LINE, url }, signal)).toEqual({ kind: 'replaced' });
    expect(await ensureBlueBubblesWebhook(client, { line: LINE, url }, signal)).toEqual({ kind: 'present' });
    expect(
      bb
        .registeredWebhooks()
        .map((w) => w.url)
        .sort(),
    ).toEqual(['https://someone-else.example.com/hook', url].sort());

    const id = bb.registeredWebhooks().find((w) => w.url === url)!.id;
    await client.deleteWebhook(id, signal);
    await client.createWebhook({ url, events: ['new-message'] }, signal);
    expect(await ensureBlueBubblesWebhook(client, { line: LINE, url }, signal)).toEqual({ kind: 'replaced' });
    expect([...bb.registeredWebhooks().find((w) => w.url === url)!.events].sort()).toEqual(
      [...REGISTERED_EVENTS].sort(),
    );
  });

  it('reports a registration the server refuses, and the poller puts the line in polling mode', async () => {
    const url = blueBubblesWebhookUrl(PUBLIC, LINE, bb.password);
    const refusing = {
      ...client,
      listWebhooks: (s: AbortSignal) => client.listWebhooks(s),
      createWebhook: () => Promise.reject(new Error('Webhook URL must include an HTTP scheme!')),
      deleteWebhook: (id: number, s: AbortSignal) => client.deleteWebhook(id, s),
      queryMessages: (q: Parameters<BlueBubblesClient['queryMessages']>[0], s: AbortSignal) =>
        client.queryMessages(q, s),
      getChat: (g: string, s: AbortSignal) => client.getChat(g, s),
      downloadAttachment: (g: string, s: AbortSignal) => client.downloadAttachment(g, s),
    };
    const result = await ensureBlueBubblesWebhook(refusing, { line: LINE, url }, signal);
    expect(result).toMatchObject({ kind: 'refused', reason: expect.stringContaining('HTTP scheme') });

    const modes: LineEventSource[] = [];
    const inbound: string[] = [];
    const events: ProviderEvents = {
      onStatus: async () => undefined,
      onInbound: async (m) => void inbound.push(m.content),
    };
    const poller = new BlueBubblesPoller({
      client: refusing,
      events,
      password: bb.password,
      lines: () => [LINE],
      publicUrl: () => PUBLIC,
      pollMs: 1000,
      store: {
        setLineEventMode: async ({ line, mode, detail, now }) =>
          void modes.push({ line, mode, detail, changedAt: now, lastWebhookAt: null }),
        listLineEventSources: async () => modes.slice(-1),
      },
      saveMedia: async () => undefined,
      logger: pino({ level: 'silent' }),
      now: () => 0,
    });
    bb.receive({ from: '+14155550199', text: 'caught up by the first poll' });
    await poller.tick(signal);
    expect(modes.at(-1)).toMatchObject({ line: LINE, mode: 'polling', detail: expect.stringContaining('HTTP scheme') });
    expect(inbound).toEqual(['caught up by the first poll']);
    bb.receive({ from: '+14155550199', text: 'and the next' });
    await poller.tick(signal);
    expect(inbound).toEqual(['caught up by the first poll', 'and the next']);
  });
});
