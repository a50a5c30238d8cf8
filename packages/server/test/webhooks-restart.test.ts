import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './support/temp-dir.js';
import { TEST_KEY_ID, TEST_LINE, TEST_SECRET } from './support/test-server.js';
import { eventually, startReceiver } from './support/webhook-receiver.js';

const BIN = fileURLToPath(new URL('../bin/tapback.js', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const AUTH = { 'sb-api-key-id': TEST_KEY_ID, 'sb-api-secret-key': TEST_SECRET };

/** Starts `tapback serve` as its own process (so it can be killed for real) and waits for its URL. */
async function serve(databaseUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: databaseUrl,
      TAPBACK_PORT: '0',
      TAPBACK_LOG_LEVEL: 'silent',
      TAPBACK_BOOTSTRAP_API_KEY_ID: TEST_KEY_ID,
      TAPBACK_BOOTSTRAP_API_SECRET: TEST_SECRET,
      TAPBACK_BOOTSTRAP_LINE: TEST_LINE,
      TAPBACK_SANDBOX_SENT_DELAY_MS: '5',
      TAPBACK_SANDBOX_DELIVERED_DELAY_MS: '10',
      TAPBACK_WORKER_POLL_MS: '50',
      TAPBACK_WEBHOOK_TIMEOUT_MS: '1000',
      // Long enough that nothing gives up while the server is down.
      TAPBACK_WEBHOOK_RETRY_SCHEDULE: '0,200ms,200ms,200ms,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 15_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  return { child, url };
}

async function call(url: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...AUTH, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return (await res.json()) as Record<string, unknown>;
}

const killed = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

describe.skipIf(!existsSync(DIST))('webhooks across a crash (needs `npm run build`)', () => {
  const dir = tempDir();
  const children: ChildProcess[] = [];
  afterAll(async () => {
    await Promise.all(children.map(killed));
    dir.cleanup();
  });

  it('delivers every pending callback after kill -9 and a restart', async () => {
    let up = false;
    const receiver = await startReceiver(() => (up ? 200 : 500));
    try {
      const databaseUrl = `sqlite:${dir.path}/tapback.db`;
      const first = await serve(databaseUrl);
      children.push(first.child);
      const messages = 20;
      const handles: string[] = [];
      for (let i = 0; i < messages; i++) {
        const sent = await call(first.url, 'POST', '/api/send-message', {
          number: '+19998887777',
          from_number: TEST_LINE,
          content: `m${i}`,
          status_callback: `${receiver.url}/cb`,
        });
        handles.push(String(sent.message_handle));
      }
      // Every message reached DELIVERED, so both of its callbacks are committed and pending.
      await eventually(async () => {
        const page = await call(first.url, 'GET', '/api/account/webhooks/deliveries?status=pending&limit=100');
        return (page.pagination as { total: number }).total === messages * 2 ? true : undefined;
      }, 15_000);
      const secret = String((await call(first.url, 'GET', '/api/account/webhooks')).signing_secret);
      await killed(first.child);

      up = true;
      const failuresBefore = receiver.received.length;
      const second = await serve(databaseUrl);
      children.push(second.child);
      const accepted = await eventually(() => {
        const ok = receiver.received.slice(failuresBefore);
        const seen = new Set(
          ok.map(
            (r) =>
              `${(JSON.parse(r.body) as { message_handle: string }).message_handle} ${(JSON.parse(r.body) as { status: string }).status}`,
          ),
        );
        return seen.size >= messages * 2 ? ok : undefined;
      }, 20_000);
      const wh = new Webhook(secret);
      for (const r of accepted) {
        wh.verify(r.body, r.headers as Record<string, string>);
      }
      for (const h of handles) {
        const statuses = accepted
          .map((r) => JSON.parse(r.body) as { message_handle: string; status: string })
          .filter((b) => b.message_handle === h)
          .map((b) => b.status);
        expect(new Set(statuses)).toEqual(new Set(['SENT', 'DELIVERED']));
      }
      await eventually(async () => {
        const page = await call(second.url, 'GET', '/api/account/webhooks/deliveries?status=succeeded&limit=100');
        return (page.pagination as { total: number }).total === messages * 2 ? true : undefined;
      });
      second.child.kill('SIGTERM');
    } finally {
      await receiver.close();
    }
  }, 60_000);
});
