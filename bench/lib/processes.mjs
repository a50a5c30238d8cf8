// Starting and stopping the servers a benchmark measures, each in its own process so the load
// generator never shares an event loop with the thing it measures.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const KEY_ID = 'bench-key-id-0001';
export const SECRET = 'bench-secret-0001-abcdefghijklmnop';
export const LINE = '+15550001000';

/** Spawns `node args...` and resolves once a line of its stdout matches `ready`. */
export function startProcess(args, { env = {}, ready, timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`process did not become ready in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    let isReady = false;
    // Output is kept (its tail) after ready too: errors a server logs later end up in reports.
    const onData = (chunk) => {
      out = (out + chunk).slice(-16_384);
      const match = isReady ? null : out.match(ready);
      if (match) {
        isReady = true;
        clearTimeout(timer);
        resolve({ child, pid: child.pid, match, output: () => out, stop: () => stopProcess(child) });
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', (c) => (out = (out + c).slice(-16_384)));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`process exited with ${code} before ready:\n${out}`));
    });
  });
}

export function stopProcess(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

/**
 * A Tapback server with zero sandbox delays: on a fresh SQLite file in a temp dir, or on
 * `dbPath` (kept on stop) when given. Otherwise as a user runs it: request logs at the default
 * level (to a pipe this process drains), metrics on, the SQLite thread on. `nodeArgs` go before the script (e.g. `--cpu-prof`);
 * TAPBACK_BENCH_NODE_ARGS adds to them, to profile any scenario without editing it.
 */
export async function startTapback(extraEnv = {}, { dbPath, nodeArgs = [] } = {}) {
  const dir = dbPath === undefined ? mkdtempSync(join(tmpdir(), 'tapback-bench-')) : undefined;
  const file = dbPath ?? join(dir, 'bench.db');
  const extraArgs = (process.env.TAPBACK_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = await startProcess([...nodeArgs, ...extraArgs, 'packages/server/bin/tapback.js', 'serve'], {
    env: {
      DATABASE_URL: `sqlite:${file}`,
      TAPBACK_PORT: '0',
      TAPBACK_SANDBOX_SENT_DELAY_MS: '0',
      TAPBACK_SANDBOX_DELIVERED_DELAY_MS: '0',
      TAPBACK_QUEUE_LIMIT: '10000000',
      TAPBACK_BOOTSTRAP_API_KEY_ID: KEY_ID,
      TAPBACK_BOOTSTRAP_API_SECRET: SECRET,
      TAPBACK_BOOTSTRAP_LINE: LINE,
      ...extraEnv,
    },
    ready: /listening on (http:\/\/[^\s]+)/,
    timeoutMs: 120_000,
  });
  return {
    url: proc.match[1],
    pid: proc.pid,
    dbPath: file,
    output: proc.output,
    stop: async () => {
      await proc.stop();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The request the send scenarios make, and the body the baseline's answer is refilled from. */
export const SEND_REQUEST = {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'sb-api-key-id': KEY_ID, 'sb-api-secret-key': SECRET },
  body: JSON.stringify({ number: '+19998887777', from_number: LINE, content: 'Benchmark message' }),
};

/** One answer of `url` to SEND_REQUEST, as text. */
export async function sendOnce(url) {
  const res = await fetch(`${url}/api/send-message`, SEND_REQUEST);
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${url}/api/send-message -> ${res.status} ${text.slice(0, 300)}`);
  return text;
}

/**
 * The baseline: bare node:http answering a JSON POST with a Tapback send answer refilled per
 * request, `sendResponse` or (when not given) one taken from a Tapback started for the purpose,
 * so that it keeps Tapback's fields as they change.
 */
export async function startBaseline(sendResponse) {
  let template = sendResponse;
  if (template === undefined) {
    const tapback = await startTapback();
    try {
      template = await sendOnce(tapback.url);
    } finally {
      await tapback.stop();
    }
  }
  const proc = await startProcess(['bench/lib/bare-http-server.mjs'], {
    env: { TAPBACK_BENCH_SEND_RESPONSE: template },
    ready: /listening on (http:\/\/[^\s]+)/,
  });
  return { url: proc.match[1], stop: proc.stop };
}
