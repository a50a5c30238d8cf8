import { afterAll, describe, expect, it } from 'vitest';
import type { WireMessage } from '../src/domain/message.js';
import { killAllChildren, runCli, startServerProcess } from './support/cli-process.js';
import { ScriptedSmsc } from './support/scripted-smsc.js';
import { tempDir } from './support/temp-dir.js';
import { eventually } from './support/webhook-receiver.js';

/**
 * Crash safety of SMPP sends: the real `tapback serve` binary, its line bound to a scripted SMSC,
 * is killed with SIGKILL while 200 sends are in flight, then restarted on the same SQLite file.
 * Every acknowledged message must reach a final status, and the SMSC may see a message at most
 * twice (a submit in flight at the crash is resubmitted once; one whose submit_sm_resp was
 * recorded never again). A delivery receipt in flight at the kill is not lost either: Tapback
 * acknowledges a receipt only once committed, so the SMSC sends it again when the restart binds.
 */
const KEY_ID = 'smpp-crash-key-0001';
const SECRET = 'smpp-crash-secret-0001-abcdefghijklm';
const LINE = '+15550002000';
const AUTH = { 'sb-api-key-id': KEY_ID, 'sb-api-secret-key': SECRET };
const COUNT = 200;

describe('SIGKILL with SMPP sends in flight', () => {
  const dir = tempDir('tapback-smpp-crash-');
  afterAll(async () => {
    await killAllChildren();
    dir.cleanup();
  });

  it('brings every acknowledged message to a final status, each submitted at most twice', async () => {
    const smsc = await ScriptedSmsc.start();
    try {
      // Slow answers keep a window's worth of submits in flight when the kill comes.
      smsc.onSubmit = () => ({ receipt: { stat: 'DELIVRD' }, delayMs: 30 });
      const env = {
        DATABASE_URL: `sqlite:${dir.path}/crash.db`,
        TAPBACK_LOG_LEVEL: 'silent',
        TAPBACK_BOOTSTRAP_API_KEY_ID: KEY_ID,
        TAPBACK_BOOTSTRAP_API_SECRET: SECRET,
        TAPBACK_DELIVERY_RETRY_BASE_MS: '100',
        // A job whose worker died is claimed again after its lease.
        TAPBACK_JOB_LEASE_MS: '4000',
        TAPBACK_PROVIDER_TIMEOUT_MS: '3000',
      };
      const first = await startServerProcess(env, 60_000);
      const added = await runCli(
        [
          'lines',
          'add',
          '--account',
          'dev@tapback.local',
          '--number',
          LINE,
          '--provider',
          'smpp',
          '--smpp-url',
          smsc.url('window=10&rate=0'),
        ],
        env,
      );
      expect(added.code, added.stderr).toBe(0);
      await eventually(() => (smsc.sessions > 0 ? true : undefined), 15_000);

      const acknowledged: string[] = [];
      await Promise.all(
        Array.from({ length: COUNT }, async (_, i) => {
          const res = await fetch(`${first.url}/api/send-message`, {
            method: 'POST',
            headers: { ...AUTH, 'content-type': 'application/json' },
            body: JSON.stringify({ number: '+14155550100', from_number: LINE, content: `crash ${i}` }),
          });
          expect(res.status).toBe(200);
          acknowledged.push(((await res.json()) as WireMessage).message_handle);
        }),
      );
      await eventually(() => (smsc.submits.length >= 40 ? true : undefined), 30_000);
      first.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
      const seenAtCrash = smsc.submits.length;

      const second = await startServerProcess(env, 60_000);
      try {
        let last: WireMessage[] = [];
        const finals = await eventually(async () => {
          const all = await listAll(second.url);
          last = all;
          const open = all.filter((m) => !['DELIVERED', 'ERROR'].includes(m.status));
          return open.length === 0 && all.length === COUNT ? all : undefined;
        }, 90_000).catch((error: unknown) => {
          // Which messages were left, and where, is what a failure here needs to be understood.
          const open = last.filter((m) => !['DELIVERED', 'ERROR'].includes(m.status));
          const detail = open.slice(0, 5).map((m) => `${m.message_handle} ${m.status} ${m.content}`);
          throw new Error(`${String(error)}; ${last.length} listed, open: ${JSON.stringify(detail)} of ${open.length}`);
        });
        expect(new Set(finals.map((m) => m.message_handle))).toEqual(new Set(acknowledged));
        expect(finals.every((m) => m.status === 'DELIVERED')).toBe(true);
        const seen = new Map<string, number>();
        for (const text of smsc.texts('14155550100')) seen.set(text, (seen.get(text) ?? 0) + 1);
        const times = [...seen.values()];
        expect(seen.size).toBe(COUNT);
        expect(Math.max(...times)).toBeLessThanOrEqual(2);
        const twice = times.filter((n) => n === 2).length;
        // For the closing note: how the crash showed at the SMSC.
        console.info(
          `SMPP crash: ${seenAtCrash} submits before the kill; ${twice} of ${COUNT} messages submitted twice`,
        );
      } finally {
        second.kill('SIGTERM');
        await second.exited;
      }
    } finally {
      await smsc.stop();
    }
  }, 180_000);

  it('applies a receipt the SMSC still holds unacknowledged after the kill, once the restart binds', async () => {
    const smsc = await ScriptedSmsc.start();
    try {
      const env = {
        DATABASE_URL: `sqlite:${dir.path}/receipt.db`,
        TAPBACK_LOG_LEVEL: 'silent',
        TAPBACK_BOOTSTRAP_API_KEY_ID: KEY_ID,
        TAPBACK_BOOTSTRAP_API_SECRET: SECRET,
      };
      const first = await startServerProcess(env, 60_000);
      const added = await runCli(
        [
          'lines',
          'add',
          '--account',
          'dev@tapback.local',
          '--number',
          LINE,
          '--provider',
          'smpp',
          '--smpp-url',
          smsc.url('rate=0'),
        ],
        env,
      );
      expect(added.code, added.stderr).toBe(0);
      await eventually(() => (smsc.sessions > 0 ? true : undefined), 15_000);
      // The receipt is the SMSC's until acknowledged: as if its deliver_sm were in flight at the kill.
      smsc.holdReceipts = true;
      const res = await fetch(`${first.url}/api/send-message`, {
        method: 'POST',
        headers: { ...AUTH, 'content-type': 'application/json' },
        body: JSON.stringify({ number: '+14155550100', from_number: LINE, content: 'receipt at the kill' }),
      });
      const handle = ((await res.json()) as WireMessage).message_handle;
      await eventually(async () => ((await statusOf(first.url, handle)) === 'SENT' ? true : undefined), 30_000);
      expect(smsc.pendingReceipts).toBe(1);
      first.kill('SIGKILL');
      await first.exited;

      smsc.holdReceipts = false;
      const second = await startServerProcess(env, 60_000);
      try {
        await eventually(async () => ((await statusOf(second.url, handle)) === 'DELIVERED' ? true : undefined), 30_000);
        expect(smsc.redelivered).toBe(1);
        await eventually(() => (smsc.pendingReceipts === 0 ? true : undefined), 10_000);
        expect(smsc.submits).toHaveLength(1);
      } finally {
        second.kill('SIGTERM');
        await second.exited;
      }
    } finally {
      await smsc.stop();
    }
  }, 120_000);
});

async function statusOf(url: string, handle: string): Promise<string> {
  const res = await fetch(`${url}/api/status?handle=${handle}`, { headers: AUTH });
  return ((await res.json()) as WireMessage).status;
}

async function listAll(url: string): Promise<WireMessage[]> {
  const all: WireMessage[] = [];
  for (;;) {
    const res = await fetch(
      `${url}/api/v2/messages?limit=100&offset=${all.length}&order_direction=asc&is_outbound=true`,
      {
        headers: AUTH,
      },
    );
    // Polled until every message is final: the list's rate limit may answer 429 meanwhile.
    if (res.status === 429) {
      await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? '1') * 1000));
      continue;
    }
    if (!res.ok) throw new Error(`listing messages: HTTP ${res.status} ${await res.text()}`);
    const page = (await res.json()) as { data: WireMessage[]; pagination: { total: number } };
    all.push(...page.data);
    if (page.data.length === 0 || all.length >= page.pagination.total) return all;
  }
}
