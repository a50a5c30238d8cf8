import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlueBubblesStandin, type StandinOptions } from '../../../../test/support/bluebubbles-standin.js';
import { RecordingProviderEvents, outboundSms } from '../../../../test/support/recording-provider-events.js';
import type { MediaFetcher } from '../../../domain/media.js';
import type { Message } from '../../../domain/message.js';
import type { ProviderConnection, SendResult } from '../provider.js';
import type {
  BlueBubblesEventSourceContext,
  BlueBubblesProvider,
  BlueBubblesProviderDeps,
} from './bluebubbles-provider.js';
import { bluebubblesProviderFactory } from './bluebubbles-settings.js';

const LINE = '+15550001111';
const TO = '+15557654321';
const never = new AbortController().signal;
const logger = pino({ level: 'silent' });

let standin: BlueBubblesStandin;
let open: ProviderConnection[] = [];

beforeEach(() => {
  open = [];
});
afterEach(async () => {
  await Promise.all(open.map((c) => c.close()));
  await standin.stop();
});

async function connected(
  options: StandinOptions = {},
  extra: Partial<BlueBubblesProviderDeps> = {},
  settings: Record<string, unknown> = {},
): Promise<BlueBubblesProvider> {
  standin = await BlueBubblesStandin.start({ password: 'secret', ...options });
  const factory = bluebubblesProviderFactory(extra);
  const provider = factory.create(factory.parse({ url: standin.url, password: 'secret', ...settings }), {
    now: () => Date.now(),
    logger,
    lines: () => [LINE],
  }) as BlueBubblesProvider;
  open.push(await provider.connect(new RecordingProviderEvents(), never));
  return provider;
}

function imessage(content: string, overrides: Partial<Message> = {}): Message {
  return outboundSms(LINE, TO, content, { service: 'iMessage', ...overrides });
}

function send(provider: BlueBubblesProvider, message: Message): Promise<SendResult> {
  return provider.send({ message, attempt: 1, service: 'iMessage' }, never);
}

function accepted(result: SendResult): { networkMessageIds: readonly string[] } {
  if (result.kind !== 'accepted' || !result.networkMessageIds)
    throw new Error(`not accepted: ${JSON.stringify(result)}`);
  return { networkMessageIds: result.networkMessageIds };
}

function lastSend(): Record<string, unknown> {
  const r = [...standin.requests].reverse().find((q) => q.path.startsWith('/api/v1/message/'));
  return r!.body as Record<string, unknown>;
}

describe('BlueBubbles provider against the stand-in', () => {
  it('sends into the one-to-one chat with the message handle as tempGuid, and records Messages’ guid', async () => {
    const provider = await connected({ privateApi: false });
    const message = imessage('hello');
    const result = await send(provider, message);
    const sent = standin.sent()[0]!;
    expect(result).toEqual({
      kind: 'accepted',
      networkMessageIds: [sent.guid],
      patches: [{ status: 'SENT', service: 'iMessage' }],
    });
    expect(lastSend()).toEqual({
      chatGuid: `iMessage;-;${TO}`,
      tempGuid: message.handle,
      message: 'hello',
      method: 'apple-script',
    });
  });

  it('addresses an email handle’s chat by the email', async () => {
    const provider = await connected();
    const result = await send(
      provider,
      imessage('hi', { number: 'friend@example.com', toNumber: 'friend@example.com' }),
    );
    expect(result.kind).toBe('accepted');
    expect(lastSend()).toMatchObject({ chatGuid: 'iMessage;-;friend@example.com', method: 'private-api' });
  });

  it('sends a send_style as Apple’s effect id through the Private API', async () => {
    const provider = await connected();
    await send(provider, imessage('boom', { sendStyle: 'slam' }));
    expect(lastSend()).toMatchObject({ effectId: 'com.apple.MobileSMS.expressivesend.impact', method: 'private-api' });
    expect(standin.sent()[0]!.expressiveSendStyleId).toBe('com.apple.MobileSMS.expressivesend.impact');
  });

  it('sends plain text when the effect needs a Private API the Mac lacks', async () => {
    const provider = await connected({ privateApi: false });
    const result = await send(provider, imessage('boom', { sendStyle: 'confetti' }));
    expect(result.kind).toBe('accepted');
    expect(lastSend()).not.toHaveProperty('effectId');
    expect(lastSend()).toMatchObject({ method: 'apple-script' });
  });

  it('fails a recipient who is not on iMessage as notOnService, with Messages’ code', async () => {
    const provider = await connected({ iMessageUsers: () => false });
    const result = await send(provider, imessage('hello'));
    expect(result).toMatchObject({
      kind: 'failed',
      retryable: false,
      notOnService: true,
      errorCode: 10001,
      errorReason: 'the recipient is not registered with iMessage',
    });
    expect((result as { errorDetail: string }).errorDetail).toContain('Messages error 22');
  });

  it('retries a 5xx and fails a 4xx at once with the server’s words', async () => {
    const provider = await connected();
    standin.sendFaults.push({ status: 503, error: 'busy' }, { status: 400, error: 'bad chat' });
    const busy = await send(provider, imessage('a'));
    expect(busy).toMatchObject({ kind: 'failed', retryable: true });
    expect((busy as { errorDetail: string }).errorDetail).toContain('HTTP 503');
    const bad = await send(provider, imessage('b'));
    expect(bad).toMatchObject({ kind: 'failed', retryable: false });
    expect((bad as { errorDetail: string }).errorDetail).toBe(
      'HTTP 400: The server has encountered an error: bad chat',
    );
  });

  it('does not send the text again on a retry when only the answer to the first attempt was lost', async () => {
    const provider = await connected();
    standin.sendFaults.push({ status: 504, error: 'Gateway Timeout', afterSending: true });
    const message = imessage('only once');
    const first = await send(provider, message);
    expect(first).toMatchObject({ kind: 'failed', retryable: true });
    const retry = await provider.send({ message, attempt: 2, service: 'iMessage' }, never);
    expect(standin.sent()).toHaveLength(1);
    expect(retry).toEqual({
      kind: 'accepted',
      networkMessageIds: [standin.sent()[0]!.guid],
      patches: [{ status: 'SENT', service: 'iMessage' }],
    });
    // A first attempt that sent nothing is sent again.
    standin.sendFaults.push({ status: 503, error: 'busy' });
    const other = imessage('twice?');
    expect(await send(provider, other)).toMatchObject({ kind: 'failed', retryable: true });
    expect((await provider.send({ message: other, attempt: 2, service: 'iMessage' }, never)).kind).toBe('accepted');
    expect(standin.sent().map((m) => m.text)).toEqual(['only once', 'twice?']);
  });

  it('counts an unreachable server as transient', async () => {
    const provider = await connected();
    await standin.stop();
    standin = await BlueBubblesStandin.start();
    const result = await send(provider, imessage('x'));
    expect(result).toMatchObject({
      kind: 'failed',
      retryable: true,
      errorReason: 'the BlueBubbles server cannot be reached',
    });
  });

  it('uploads media_url bytes as an attachment after the text', async () => {
    const bytes = Buffer.from('PNGDATA');
    const fetcher: MediaFetcher = {
      fetch: async () => ({ kind: 'ok', contentType: 'image/png', bytes, path: '/media/abc/photo.png' }),
    };
    const provider = await connected({}, { media: { fetcher, limits: { maxBytes: 1000, timeoutMs: 1000 } } });
    const message = imessage('look', { mediaUrl: 'https://cdn.example.com/photo.png' });
    const result = await send(provider, message);
    const [text, photo] = standin.sent();
    expect(result).toMatchObject({
      kind: 'accepted',
      networkMessageIds: [text!.guid, photo!.guid],
    });
    expect(lastSend()).toMatchObject({ tempGuid: `${message.handle}.media`, name: 'photo.png' });
    const upload = [...standin.uploads.values()][0]!;
    expect(upload).toMatchObject({ name: 'photo.png', mimeType: 'image/png' });
    expect(upload.bytes.equals(bytes)).toBe(true);
  });

  it('retries a failed attachment without sending its text again', async () => {
    const fetcher: MediaFetcher = {
      fetch: async () => ({ kind: 'ok', contentType: 'image/png', bytes: Buffer.from('x'), path: '/p.png' }),
    };
    const provider = await connected({}, { media: { fetcher, limits: { maxBytes: 1000, timeoutMs: 1000 } } });
    standin.sendFaults.push({ status: 500, error: 'upload failed', on: 'attachment' });
    const message = imessage('caption', { mediaUrl: 'https://cdn.example.com/p.png' });
    const first = await send(provider, message);
    expect(first).toMatchObject({ kind: 'failed', retryable: true });
    expect((first as { errorReason: string }).errorReason).toMatch(/^the text was sent, the attachment was not: /);
    const retry = await provider.send({ message, attempt: 2, service: 'iMessage' }, never);
    const [text, photo] = standin.sent();
    expect(standin.sent()).toHaveLength(2);
    expect(retry).toMatchObject({ kind: 'accepted', networkMessageIds: [text!.guid, photo!.guid] });
  });

  it('sends a group message into the Mac’s chat with those participants and remembers it', async () => {
    const remembered: unknown[] = [];
    const provider = await connected(
      {},
      { groupChats: { chatGuidOf: async () => undefined, remember: async (x) => void remembered.push(x) } },
    );
    const chatGuid = standin.addGroupChat(['+15551110001', '+15551110002']);
    const message = imessage('all', {
      groupId: 'g-1',
      messageType: 'group',
      participants: [LINE, '+15551110001', '+15551110002'],
    });
    expect((await send(provider, message)).kind).toBe('accepted');
    expect(lastSend()).toMatchObject({ chatGuid });
    expect(remembered).toEqual([{ line: LINE, groupId: 'g-1', chatGuid }]);
  });

  it('looks numbers up through the availability endpoint, or assumes iMessage without the Private API', async () => {
    const provider = await connected({ iMessageUsers: (a) => a === TO });
    expect(await provider.lookup(TO, never)).toEqual({ service: 'iMessage' });
    expect(await provider.lookup('+15550000000', never)).toEqual({ service: 'SMS' });
    await open[0]!.close();
    await standin.stop();
    const plain = await connected({ privateApi: false, iMessageUsers: () => false });
    expect(await plain.lookup('+15550000000', never)).toEqual({ service: 'iMessage' });
    expect(standin.requests.some((r) => r.path.includes('availability'))).toBe(false);
  });

  it('offers typing only with the Private API', async () => {
    const provider = await connected();
    expect(provider.typing).toBeDefined();
    await provider.typing!({ from: LINE, to: TO }, never);
    expect(standin.requests.at(-1)).toMatchObject({ method: 'POST', path: `/api/v1/chat/iMessage;-;${TO}/typing` });
    await open[0]!.close();
    expect(provider.typing).toBeUndefined();
    await standin.stop();
    const plain = await connected({ helperConnected: false });
    expect(plain.typing).toBeUndefined();
  });

  it('checks a sent message: pending, then delivered, or failed with its code', async () => {
    const provider = await connected();
    const a = imessage('a');
    const sentA = accepted(await send(provider, a));
    const input = { message: a, networkMessageIds: sentA.networkMessageIds };
    expect(await provider.check(input, never)).toEqual({ state: 'pending' });
    standin.deliver(sentA.networkMessageIds[0]!);
    expect(await provider.check(input, never)).toEqual({
      state: 'delivered',
      patch: { status: 'DELIVERED', service: 'iMessage' },
    });
    const b = imessage('b');
    const sentB = accepted(await send(provider, b));
    standin.fail(sentB.networkMessageIds[0]!, 22);
    expect(await provider.check({ message: b, networkMessageIds: sentB.networkMessageIds }, never)).toMatchObject({
      state: 'failed',
      patch: { status: 'ERROR', errorReason: 'the recipient is not registered with iMessage' },
    });
  });

  it('hands the connection to the event source and stops it on close', async () => {
    const contexts: BlueBubblesEventSourceContext[] = [];
    let stopped = 0;
    await connected(
      {},
      {
        startEventSource: (ctx) => {
          contexts.push(ctx);
          return { stop: () => void stopped++ };
        },
      },
    );
    expect(contexts[0]).toMatchObject({ privateApi: true, serverInfo: { detected_imessage: 'line@icloud.com' } });
    expect(contexts[0]!.lines()).toEqual([LINE]);
    await open[0]!.close();
    expect(stopped).toBe(1);
    expect(contexts[0]!.signal.aborted).toBe(true);
  });

  it('refuses to connect with a wrong password, and closes when a ping fails', async () => {
    standin = await BlueBubblesStandin.start({ password: 'right' });
    const factory = bluebubblesProviderFactory();
    const wrong = factory.create(factory.parse({ url: standin.url, password: 'wrong' }), { now: Date.now, logger });
    await expect(wrong.connect(new RecordingProviderEvents(), never)).rejects.toMatchObject({ status: 401 });
    const right = factory.create(factory.parse({ url: standin.url, password: 'right', ping_seconds: 1 }), {
      now: Date.now,
      logger,
    });
    const connection = await right.connect(new RecordingProviderEvents(), never);
    open.push(connection);
    standin.password = 'rotated';
    expect(await connection.closed).toMatchObject({ status: 401 });
  });
});
