import { SANDBOX_WORKER_SETTINGS } from '../../test/support/worker-settings.js';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../domain/clock.js';
import { MessageEvents } from '../delivery/message-events.js';
import { SandboxProvider } from '../delivery/providers/sandbox/sandbox-provider.js';
import { advanceTime } from '../delivery/time-travel.js';
import { Worker } from '../delivery/worker.js';
import type { Store } from '../store/store.js';
import { type BackendInstance, STORE_BACKENDS } from '../../test/support/backends.js';
import { FakeProvider, directoryOf } from '../../test/support/fake-provider.js';
import type { Caller } from './caller.js';
import { ReceiveService } from './receive-message.js';
import { SendService } from './send-message.js';

/**
 * Opt-out and the echo contact at the delivery level, on every backend: what reaches a provider
 * (counted by a fake one), and the echo reply as a durable job that runs exactly once.
 */

const FAKE_LINE = '+15550001000';
const SANDBOX_LINE = '+15550001001';
const CONTACT = '+19998887777';
const ECHO = '+12025550007';

describe.each(STORE_BACKENDS)('two-way delivery ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let clock: ManualClock;
  let fake: FakeProvider;
  let caller: Caller;
  let sends: SendService;
  let receive: ReceiveService;

  /** `failReplies`: the reply handler throws, as a process dying while receiving would leave it. */
  const worker = (failReplies = false): Worker =>
    new Worker({
      store,
      clock,
      providers: directoryOf([fake, new SandboxProvider({ sentDelayMs: 100, deliveredDelayMs: 400 })]),
      events: new MessageEvents(),
      logger: pino({ level: 'silent' }),
      settings: SANDBOX_WORKER_SETTINGS,
      onInbound: async (inbound) => {
        if (failReplies) throw new Error('simulated crash while receiving');
        await receive.receiveFromNetwork(inbound);
      },
    });

  beforeEach(async () => {
    instance = await backend.create();
    store = instance.store;
    clock = new ManualClock(Date.UTC(2030, 0, 1));
    fake = new FakeProvider(clock);
    const account = await store.createAccount({ email: 'a@example.com', now: Date.now() });
    await store.addLine({ accountId: account.id, number: FAKE_LINE, provider: 'fake', now: Date.now() });
    await store.addLine({ accountId: account.id, number: SANDBOX_LINE, provider: 'sandbox', now: Date.now() });
    caller = { accountId: account.id, email: account.email, plan: account.plan, keyId: 'k' };
    sends = new SendService({ store, clock, queueLimit: 100, onAccepted: () => undefined });
    receive = new ReceiveService({ store, clock, serviceOf: () => 'iMessage', onReceived: () => undefined });
  });
  afterEach(async () => {
    await instance.dispose();
  });

  const send = async (to: string, line = FAKE_LINE, content = 'hello') =>
    JSON.parse((await sends.send(caller, { number: to, from_number: line, content })).body) as {
      status: string;
      message_handle: string;
    };

  it('hands no send to an opted-out contact to the provider; START lifts it', async () => {
    const w = worker();
    for (const stop of ['STOP', 'stop ', 'Unsubscribe', 'opt out', 'REVOKE', 'QUIT', 'END', 'CANCEL', 'STOPALL']) {
      await receive.receive(caller, { from: CONTACT, to: FAKE_LINE, content: stop });
      expect((await send(CONTACT)).status).toBe('DECLINED');
      await w.runDue();
      await receive.receive(caller, { from: CONTACT, to: FAKE_LINE, content: 'UNSTOP' });
    }
    expect(fake.calls).toHaveLength(0);
    await receive.receive(caller, { from: CONTACT, to: FAKE_LINE, content: 'START' });
    const allowed = await send(CONTACT);
    expect(allowed.status).toBe('QUEUED');
    await w.runDue();
    expect(fake.calls.map((c) => c.handle)).toEqual([allowed.message_handle]);
    await w.stop();
  });

  it('receives the echo reply once DELIVERED is applied, as a durable job, exactly once', async () => {
    const w = worker(true);
    const sent = await send(ECHO, SANDBOX_LINE, 'ping');
    await advanceTime(clock, w, store, 499);
    const inbound = () =>
      store.listMessages(caller.accountId, {
        limit: 10,
        offset: 0,
        orderBy: 'createdAt',
        orderDirection: 'asc',
        isOutbound: false,
      });
    expect((await inbound()).total).toBe(0);
    // DELIVERED commits with the reply's job; receiving it fails here, so the job stays, for retry.
    await advanceTime(clock, w, store, 1);
    const delivered = await store.getMessage(caller.accountId, sent.message_handle);
    expect(delivered?.status).toBe('DELIVERED');
    expect((await inbound()).total).toBe(0);
    expect(await store.countJobs()).toBe(1);
    await w.stop();
    // Another worker (a restart) finds the job and receives the reply when its retry is due.
    await advanceTime(clock, worker(), store, 5000);
    const replies = (await inbound()).messages;
    expect(replies.map((m) => [m.content, m.number, m.sendblueNumber])).toEqual([['Echo: ping', ECHO, SANDBOX_LINE]]);
    expect(await store.countJobs()).toBe(0);
    // Receiving the same reply again (a job re-run after a crash) stores nothing new.
    await receive.receiveFromNetwork({
      line: SANDBOX_LINE,
      from: ECHO,
      content: 'Echo: ping',
      service: 'iMessage',
      networkMessageId: replies[0]!.providerMessageId!,
    });
    expect((await inbound()).total).toBe(1);
  });
});
