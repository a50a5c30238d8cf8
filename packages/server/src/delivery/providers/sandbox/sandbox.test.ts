import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireMessage } from '../../../domain/message.js';
import { SERVER_BACKENDS } from '../../../../test/support/backends.js';
import { type TestServer, startBackendServer } from '../../../../test/support/test-server.js';
import { SANDBOX_RULES, type SandboxBehaviour } from './sandbox-behaviour.js';

/**
 * The sandbox network end to end: a real listening server with TAPBACK_CLOCK=manual, driven over
 * HTTP with POST /sandbox/clock/advance. Default timing: SENT 100 ms after the delivery attempt,
 * DELIVERED (or the 0003 ERROR) 400 ms after that; retries 1 s, then 2 s, after a failure.
 */

type Checkpoint = [msAfterSend: number, expected: Partial<WireMessage>];

// Long after every timer and retry.
const FOREVER = 60_000;

/** What each documented behaviour looks like over time, as the API reports it. */
const TIMELINES: Record<SandboxBehaviour, Checkpoint[]> = {
  sms_only: [
    // Routing knows the sandbox's answer at once: the QUEUED message already says SMS.
    [0, { status: 'QUEUED', service: 'SMS', was_downgraded: true, status_sequence: 0 }],
    [99, { status: 'QUEUED', service: 'SMS', was_downgraded: true }],
    [100, { status: 'SENT', service: 'SMS', was_downgraded: true, status_sequence: 1 }],
    [FOREVER, { status: 'SENT', service: 'SMS', was_downgraded: true, status_sequence: 1 }],
  ],
  rcs: [
    [100, { status: 'SENT', service: 'RCS', was_downgraded: false }],
    [500, { status: 'DELIVERED', service: 'RCS', error_code: null, status_sequence: 2 }],
  ],
  fails_after_sending: [
    [100, { status: 'SENT', error_code: null }],
    [499, { status: 'SENT' }],
    [500, { status: 'ERROR', error_code: 10001, status_sequence: 2 }],
    [FOREVER, { status: 'ERROR', error_code: 10001, status_sequence: 2 }],
  ],
  // Fails on the first attempt, at once: status_sequence 1 means ERROR was the only change.
  unreachable: [
    [0, { status: 'ERROR', error_code: 10001, status_sequence: 1 }],
    [FOREVER, { status: 'ERROR', error_code: 10001, status_sequence: 1 }],
  ],
  // Attempts at 0, 1000 (base) and 3000 (base doubled); the third succeeds.
  flaky: [
    [100, { status: 'QUEUED' }],
    [2_999, { status: 'QUEUED' }],
    [3_099, { status: 'QUEUED', status_sequence: 0 }],
    [3_100, { status: 'SENT', service: 'iMessage', status_sequence: 1 }],
    [3_499, { status: 'SENT' }],
    [3_500, { status: 'DELIVERED', error_code: null, status_sequence: 2 }],
  ],
  // No delivery within the line's fallback window (60 s from the attempt): downgraded, sent by SMS.
  never_confirmed: [
    [100, { status: 'SENT', service: 'iMessage', status_sequence: 1 }],
    [59_999, { status: 'SENT', service: 'iMessage', was_downgraded: false, status_sequence: 1 }],
    [60_000, { status: 'SENT', service: 'SMS', was_downgraded: true, status_sequence: 2 }],
    [FOREVER * 2, { status: 'SENT', service: 'SMS', was_downgraded: true, status_sequence: 2 }],
  ],
  echo: [
    [100, { status: 'SENT', service: 'iMessage', was_downgraded: false, status_sequence: 1 }],
    [500, { status: 'DELIVERED', service: 'iMessage', status_sequence: 2 }],
  ],
  imessage: [
    [100, { status: 'SENT', service: 'iMessage', was_downgraded: false, status_sequence: 1 }],
    [500, { status: 'DELIVERED', service: 'iMessage', status_sequence: 2 }],
  ],
};

/** A possible US number ending in `suffix` (the default rule gets the documentation's example). */
const recipientFor = (suffix: string | null): string => (suffix === null ? '+19998887777' : `+1202555${suffix}`);

describe.each(SERVER_BACKENDS)('sandbox network (manual clock, real HTTP) ($name)', (backend) => {
  let ts: TestServer;

  beforeAll(async () => {
    ts = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual' });
  });

  afterAll(async () => {
    await ts?.close();
  });

  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${ts.url}${path}`, {
      method,
      headers: { ...ts.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json: unknown = await res.json();
    expect(res.status, JSON.stringify(json)).toBe(200);
    return json;
  }

  const sendTo = async (number: string) =>
    (await call('POST', '/api/send-message', { number, from_number: ts.line, content: 'sandbox' })) as WireMessage;
  const statusOf = async (handle: string) =>
    (await call('GET', `/api/status?handle=${encodeURIComponent(handle)}`)) as WireMessage;
  const advance = (ms: number) => call('POST', '/sandbox/clock/advance', { ms });

  /** Sends, then walks the clock through `checkpoints`, checking the status at each. */
  async function expectTimeline(number: string, checkpoints: Checkpoint[]): Promise<void> {
    const sent = await sendTo(number);
    expect(sent).toMatchObject({ status: 'QUEUED', status_sequence: 0, to_number: number });
    let elapsed = 0;
    for (const [at, expected] of checkpoints) {
      await advance(at - elapsed);
      elapsed = at;
      expect(await statusOf(sent.message_handle), `${number} at +${at} ms`).toMatchObject(expected);
    }
  }

  it.each(SANDBOX_RULES.map((r) => [r.suffix ?? 'anything else', r] as const))(
    'recipient ending in %s behaves as documented',
    async (_suffix, rule) => {
      await expectTimeline(recipientFor(rule.suffix), TIMELINES[rule.behaviour]);
    },
  );

  it('changes nothing before 100 ms, reports SENT at 100 ms and DELIVERED at 500 ms', async () => {
    await expectTimeline('+19998881234', [
      [0, { status: 'QUEUED', status_sequence: 0 }],
      [99, { status: 'QUEUED', status_sequence: 0 }],
      [100, { status: 'SENT', status_sequence: 1 }],
      [499, { status: 'SENT', status_sequence: 1 }],
      [500, { status: 'DELIVERED', status_sequence: 2 }],
    ]);
  });

  it('moves date_updated with the manual clock', async () => {
    const sent = await sendTo('+19998884321');
    await advance(500);
    const delivered = await statusOf(sent.message_handle);
    expect(Date.parse(delivered.date_updated) - Date.parse(sent.date_created)).toBe(500);
  });

  it('advances many messages at once, each on its own timeline', async () => {
    const handles = await Promise.all(SANDBOX_RULES.map((r) => sendTo(recipientFor(r.suffix))));
    await advance(FOREVER);
    const finals = await Promise.all(handles.map((m) => statusOf(m.message_handle)));
    const byBehaviour = Object.fromEntries(SANDBOX_RULES.map((r, i) => [r.behaviour, finals[i]?.status]));
    expect(byBehaviour).toEqual({
      sms_only: 'SENT',
      rcs: 'DELIVERED',
      fails_after_sending: 'ERROR',
      unreachable: 'ERROR',
      flaky: 'DELIVERED',
      never_confirmed: 'SENT',
      echo: 'DELIVERED',
      imessage: 'DELIVERED',
    });
  });
});

describe('the README sandbox table', () => {
  const readme = readFileSync(new URL('../../../../../../README.md', import.meta.url), 'utf8');

  it('has one row per rule, in order, with its suffix and description', () => {
    const region = /<!-- BEGIN GENERATED: sandbox -->\n([\s\S]*?)\n<!-- END GENERATED: sandbox -->/.exec(readme);
    const rows = (region?.[1] ?? '').split('\n').slice(2);
    expect(rows).toEqual(SANDBOX_RULES.map((r) => `| ${r.suffix ?? 'anything else'} | ${r.description} |`));
    expect(Object.keys(TIMELINES).sort()).toEqual(SANDBOX_RULES.map((r) => r.behaviour).sort());
  });
});
