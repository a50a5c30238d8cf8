import type SendblueAPI from 'sendblue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_BACKENDS } from './support/backends.js';
import { type BlueBubblesLine, startBlueBubblesLine } from './support/bluebubbles-line.js';
import type { BlueBubblesStandin } from './support/bluebubbles-standin.js';
import { type Receiver, eventually } from './support/webhook-receiver.js';

/**
 * BlueBubbles events when webhooks do not reach Tapback: the poller registers the webhook again
 * after the server lost it, reads what webhooks did not deliver, and the line reports `polling`
 * in `lines.getState` until a webhook arrives again.
 */
const LINE = '+15550004000';
const CONTACT = '+14155550177';

describe.each(SERVER_BACKENDS)('BlueBubbles polling fallback ($name)', (backend) => {
  let bb: BlueBubblesStandin;
  let client: SendblueAPI;
  let hooks: Receiver;

  let line: BlueBubblesLine;

  beforeAll(async () => {
    line = await startBlueBubblesLine(backend, { line: LINE, pollMs: 150 });
    ({ bb, client, hooks } = line);
    await client.webhooks.create({ webhooks: [`${hooks.url}/receive`], type: 'receive' });
    await eventually(() => (bb.registeredWebhooks().length === 1 ? true : undefined));
    // The first poll after connecting takes what the server already has as a baseline, not as
    // webhooks missed: the tests begin once a second poll has started, so the first is done.
    await eventually(() => (polls() >= 2 ? true : undefined));
  });
  afterAll(async () => {
    await line?.close();
  });

  const polls = () => bb.requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/message/query').length;
  const state = async () =>
    (await client.lines.getState()).data.find((l) => l.sendblue_number === LINE) as unknown as Record<string, unknown>;
  const received = (content: string) =>
    eventually(() => hooks.received.find((r) => r.path === '/receive' && r.body.includes(content)));

  it('registers the webhook again after the BlueBubbles server lost it (a restart)', async () => {
    const before = bb.registeredWebhooks()[0]!.url;
    bb.restart();
    expect(bb.registeredWebhooks()).toHaveLength(0);
    await eventually(() => (bb.registeredWebhooks().length === 1 ? true : undefined));
    expect(bb.registeredWebhooks()[0]!.url).toBe(before);
    bb.receive({ from: CONTACT, text: 'after the restart' });
    await received('after the restart');
    expect(bb.posts.some((p) => p.url === before && p.outcome === 200)).toBe(true);
    expect((await state()).events).toBe('webhook');
  });

  it('polls for what webhooks did not deliver, reports polling, and returns to webhook when one arrives', async () => {
    // A webhook heard within one poll interval of a change counts for it: the previous test's last
    // webhook must be older than that. Two more polls have started only after a full interval.
    const before = polls();
    await eventually(() => (polls() >= before + 2 ? true : undefined));
    bb.reachWebhooks = false;
    bb.receive({ from: CONTACT, text: 'only by polling' });
    await received('only by polling');
    const polling = await eventually(async () => {
      const s = await state();
      return s.events === 'polling' ? s : undefined;
    });
    expect(String(polling.events_detail)).toContain('only by polling');
    // A receipt too: sent while webhooks are down, delivered, and seen by the poller.
    const sent = await client.messages.send({ number: CONTACT, from_number: LINE, content: 'polled receipt' });
    const row = await eventually(() => bb.sent().find((m) => m.text === 'polled receipt'));
    bb.deliver(row.guid);
    await eventually(async () => {
      const m = await client.messages.getStatus({ handle: sent.message_handle! });
      return m.status === 'DELIVERED' ? m : undefined;
    });
    bb.reachWebhooks = true;
    bb.receive({ from: CONTACT, text: 'webhooks are back' });
    await received('webhooks are back');
    await eventually(async () => ((await state()).events === 'webhook' ? true : undefined));
  });
});
