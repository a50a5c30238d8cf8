import SendblueAPI from 'sendblue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_BACKENDS } from './support/backends.js';
import { FakeIMessageNetwork } from './support/fake-imessage-provider.js';
import { startServerWithProviders } from './support/routing-server.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer } from './support/test-server.js';
import { type Receiver, eventually, startReceiver } from './support/webhook-receiver.js';

/**
 * Routing with SMS fallback through a real server on a manual clock, driven with the official SDK.
 * An iMessage line (a scripted iMessage-only network) names a sandbox line as its SMS fallback, with
 * a 5 s fallback window; another iMessage line has no SMS route at all.
 */
const IM_LINE = '+15550003000';
const SMS_LINE = '+15550003001';
const LONE_LINE = '+15550003002';
const WINDOW_MS = 5000;

interface Status {
  status: string;
  service: string;
  was_downgraded: boolean | null;
  status_sequence?: number;
  error_reason?: string | null;
  message_handle?: string;
}

describe.each(SERVER_BACKENDS)('routing and SMS fallback (manual clock) ($name)', (backend) => {
  let server: TestServer;
  let client: SendblueAPI;
  let hooks: Receiver;
  const network = new FakeIMessageNetwork();
  let contact = 0;
  /** A fresh recipient per test, so the lookup cache of one test never answers another's. */
  const recipient = (): string => `+1415555${String(1000 + ++contact)}`;

  beforeAll(async () => {
    hooks = await startReceiver();
    server = await startServerWithProviders(backend, [network.factory()], {
      TAPBACK_CLOCK: 'manual',
      TAPBACK_ALLOW_PRIVATE_CIDRS: '127.0.0.0/8',
    });
    client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: server.url });
    const { store } = server.server;
    const account = (await store.findAccountByEmail('dev@tapback.local'))!;
    const now = Date.now();
    await store.addLine({ accountId: account.id, number: SMS_LINE, provider: 'sandbox', now });
    await store.addLine({ accountId: account.id, number: IM_LINE, provider: 'fake-imessage', now });
    await store.addLine({ accountId: account.id, number: LONE_LINE, provider: 'fake-imessage', now });
    await store.setLineRoute({ number: IM_LINE, fallbackLine: SMS_LINE, fallbackAfterMs: WINDOW_MS, now });
    await server.server.providers.reload();
  });
  afterAll(async () => {
    await server?.close();
    await hooks?.close();
  });

  const advance = async (ms: number): Promise<void> => {
    const res = await fetch(`${server.url}/sandbox/clock/advance`, {
      method: 'POST',
      headers: { ...server.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ ms }),
    });
    expect(res.status).toBe(200);
  };
  const send = async (from: string, to: string): Promise<Status & { message_handle: string }> =>
    (await client.messages.send({
      number: to,
      from_number: from,
      content: 'routing',
      status_callback: `${hooks.url}/status/${to}`,
    })) as unknown as Status & { message_handle: string };
  const status = async (handle: string): Promise<Status> =>
    (await client.messages.getStatus({ handle })) as unknown as Status;
  const settled = (handle: string, wanted: (s: Status) => boolean): Promise<Status> =>
    eventually(async () => {
      const s = await status(handle);
      return wanted(s) ? s : undefined;
    });
  /** The status callbacks of messages to `to`, in order, once `n` arrived. */
  const callbacks = (to: string, n: number): Promise<Status[]> =>
    eventually(() => {
      const mine = hooks.received.filter((r) => r.path === `/status/${to}`).map((r) => JSON.parse(r.body) as Status);
      return mine.length >= n ? mine : undefined;
    });

  it('sends to an iMessage user by iMessage over the line itself, and waits no window once delivered', async () => {
    const to = recipient();
    const sent = await send(IM_LINE, to);
    expect(sent).toMatchObject({ status: 'QUEUED', service: 'iMessage', was_downgraded: null });
    await settled(sent.message_handle, (s) => s.status === 'SENT');
    expect(network.sendsTo(to)).toEqual([expect.objectContaining({ line: IM_LINE, service: 'iMessage' })]);
    await network.report(IM_LINE, network.sendsTo(to)[0]!.networkMessageId, { status: 'DELIVERED' });
    await settled(sent.message_handle, (s) => s.status === 'DELIVERED');
    await advance(WINDOW_MS * 2);
    expect(await status(sent.message_handle)).toMatchObject({
      status: 'DELIVERED',
      service: 'iMessage',
      status_sequence: 2,
    });
  });

  it('sends to an SMS-only recipient by SMS over the fallback line; the next send says SMS when QUEUED', async () => {
    const to = recipient();
    network.lookups.set(to, 'SMS');
    const first = await send(IM_LINE, to);
    // The iMessage network's lookup is a round trip: unknown at accept, done by the worker.
    expect(first).toMatchObject({ status: 'QUEUED', service: 'iMessage' });
    await settled(first.message_handle, (s) => s.service === 'SMS');
    await advance(100);
    expect(await settled(first.message_handle, (s) => s.status === 'SENT')).toMatchObject({
      service: 'SMS',
      was_downgraded: true,
    });
    expect(network.sendsTo(to)).toEqual([]);
    // QUEUED fires no callback (as on Sendblue): the SENT one shows the downgrade.
    expect((await callbacks(to, 1)).map((c) => [c.status, c.service, c.was_downgraded])).toEqual([
      ['SENT', 'SMS', true],
    ]);
    const second = await send(IM_LINE, to);
    expect(second).toMatchObject({ status: 'QUEUED', service: 'SMS', was_downgraded: true });
    expect(network.lookupCalls.filter((n) => n === to)).toHaveLength(1);
  });

  it('answers QUEUED with service SMS for a sandbox number that is SMS only (suffix 0001)', async () => {
    const sent = await send(server.line, '+12025550001');
    expect(sent).toMatchObject({ status: 'QUEUED', service: 'SMS', was_downgraded: true });
    await advance(100);
    expect(await settled(sent.message_handle, (s) => s.status === 'SENT')).toMatchObject({
      service: 'SMS',
      was_downgraded: true,
      status_sequence: 1,
    });
  });

  it('falls back to SMS when iMessage fails as "not an iMessage user": one record, one iMessage attempt', async () => {
    const to = recipient();
    network.scripts.set(to, 'not_imessage');
    const sent = await send(IM_LINE, to);
    expect(sent).toMatchObject({ status: 'QUEUED', service: 'iMessage' });
    await settled(sent.message_handle, (s) => s.service === 'SMS');
    await advance(100);
    const done = await settled(sent.message_handle, (s) => s.status === 'SENT');
    expect(done).toMatchObject({ service: 'SMS', was_downgraded: true, message_handle: sent.message_handle });
    expect(network.sendsTo(to)).toHaveLength(1);
    expect((await callbacks(to, 1)).map((c) => [c.status, c.service, c.was_downgraded, c.message_handle])).toEqual([
      ['SENT', 'SMS', true, sent.message_handle],
    ]);
    const listed = await client.messages.list({ number: to } as never);
    expect((listed as unknown as { data: unknown[] }).data).toHaveLength(1);
  });

  it('sends by SMS after an iMessage ERROR receipt that says "not an iMessage user", or fails without a route', async () => {
    const failedReceipt = { status: 'ERROR' as const, errorCode: 10001, errorMessage: 'Message failed to send' };
    const to = recipient();
    const sent = await send(IM_LINE, to);
    await settled(sent.message_handle, (s) => s.status === 'SENT');
    await network.report(IM_LINE, network.sendsTo(to)[0]!.networkMessageId, failedReceipt, true);
    await advance(1);
    expect(await settled(sent.message_handle, (s) => s.service === 'SMS')).toMatchObject({
      status: 'SENT',
      was_downgraded: true,
    });
    const lone = recipient();
    const alone = await send(LONE_LINE, lone);
    await settled(alone.message_handle, (s) => s.status === 'SENT');
    await network.report(LONE_LINE, network.sendsTo(lone)[0]!.networkMessageId, failedReceipt, true);
    await advance(1);
    expect(await settled(alone.message_handle, (s) => s.status === 'ERROR')).toMatchObject({
      service: 'iMessage',
      error_reason: `${lone} is not an iMessage user and line ${LONE_LINE} has no SMS fallback`,
    });
  });

  it('sends by SMS when no delivery arrives within the window; a late iMessage receipt changes nothing', async () => {
    const to = recipient();
    const sent = await send(IM_LINE, to);
    await settled(sent.message_handle, (s) => s.status === 'SENT');
    await advance(WINDOW_MS - 1);
    expect(await status(sent.message_handle)).toMatchObject({
      status: 'SENT',
      service: 'iMessage',
      status_sequence: 1,
    });
    await advance(1);
    const downgraded = await settled(sent.message_handle, (s) => s.service === 'SMS');
    expect(downgraded).toMatchObject({ status: 'SENT', was_downgraded: true, status_sequence: 2 });
    await advance(100);
    await network.report(IM_LINE, network.sendsTo(to)[0]!.networkMessageId, { status: 'DELIVERED' });
    await advance(WINDOW_MS);
    expect(await status(sent.message_handle)).toMatchObject({
      status: 'SENT',
      service: 'SMS',
      was_downgraded: true,
      status_sequence: 2,
    });
    expect((await callbacks(to, 2)).map((c) => [c.status, c.service])).toEqual([
      ['SENT', 'iMessage'],
      ['SENT', 'SMS'],
    ]);
  });

  it('asks the network at the window and applies a delivery it reports instead of falling back', async () => {
    network.checkAnswer = { state: 'delivered', patch: { status: 'DELIVERED' } };
    try {
      const to = recipient();
      const sent = await send(IM_LINE, to);
      await settled(sent.message_handle, (s) => s.status === 'SENT');
      await advance(WINDOW_MS);
      expect(await settled(sent.message_handle, (s) => s.status === 'DELIVERED')).toMatchObject({
        service: 'iMessage',
        status_sequence: 2,
      });
    } finally {
      network.checkAnswer = undefined;
    }
  });

  it('fails with a clear reason when the recipient cannot get iMessage and the line has no SMS route', async () => {
    const android = recipient();
    network.scripts.set(android, 'not_imessage');
    const texter = recipient();
    network.lookups.set(texter, 'SMS');
    for (const to of [android, texter]) {
      const sent = await send(LONE_LINE, to);
      const failed = await settled(sent.message_handle, (s) => s.status === 'ERROR');
      expect(failed).toMatchObject({
        service: 'iMessage',
        error_reason: `${to} is not an iMessage user and line ${LONE_LINE} has no SMS fallback`,
      });
    }
    // Without an SMS route there is no window either: an unconfirmed iMessage stays as it is.
    const friend = recipient();
    const sent = await send(LONE_LINE, friend);
    await settled(sent.message_handle, (s) => s.status === 'SENT');
    await advance(120_000);
    expect(await status(sent.message_handle)).toMatchObject({
      status: 'SENT',
      service: 'iMessage',
      status_sequence: 1,
    });
  });
});
