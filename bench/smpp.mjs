// Scenario: SMS through an SMPP line, accept → DELIVERED, messages per second. Tapback (HTTP send,
// durable queue, the SMPP provider on one bind with a window of 10, receipts applied with their
// webhooks) next to the `smpp` client alone submitting the same messages on one bind with the same
// window and waiting for the same receipts, against the same local SMSC, in the same run.
// Target: Tapback ≥ 0.5 of the bare client. Usage: node bench/smpp.mjs [--count 5000]
import { execFile } from 'node:child_process';
import { parseArgs } from 'node:util';
import { KEY_ID, ROOT, SECRET, startProcess, startTapback } from './lib/processes.mjs';
import { report } from './lib/report.mjs';

const SMPP_LINE = '+15550003000';
const WINDOW = 10;
const AUTH = { 'sb-api-key-id': KEY_ID, 'sb-api-secret-key': SECRET };

function run(args, env = {}) {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      args,
      { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 1 << 20 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    ),
  );
}

async function json(url, init) {
  const res = await fetch(url, init);
  const body = await res.json();
  if (!res.ok) throw new Error(`${url} -> ${res.status} ${JSON.stringify(body)}`);
  return body;
}

async function delivered(url) {
  const page = await json(`${url}/api/v2/messages?status=DELIVERED&limit=1&is_outbound=true`, { headers: AUTH });
  return page.pagination.total;
}

/** Sends `count` messages over HTTP, `concurrency` at a time, and waits until all are DELIVERED. */
async function throughTapback(url, count, concurrency) {
  const body = JSON.stringify({ number: '+14155550100', from_number: SMPP_LINE, content: 'Benchmark message' });
  const started = performance.now();
  let next = 0;
  const base = await delivered(url);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        await json(`${url}/api/send-message`, {
          method: 'POST',
          headers: { ...AUTH, 'content-type': 'application/json' },
          body,
        });
      }
    }),
  );
  const accepted = (performance.now() - started) / 1000;
  const deadline = Date.now() + 120_000;
  while ((await delivered(url)) - base < count) {
    if (Date.now() > deadline)
      throw new Error(`only ${await delivered(url)} of ${count} messages DELIVERED after 120 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - started) / 1000;
  return { seconds, acceptedSeconds: accepted, perSec: Math.round(count / seconds) };
}

export async function smppScenario({ count = 5000, concurrency = 50 } = {}) {
  const smsc = await startProcess(['bench/lib/smsc.mjs'], { ready: /listening on port (\d+)/ });
  const port = smsc.match[1];
  try {
    // Warm-up for the client and the SMSC alike.
    await run(['bench/lib/smpp-client.mjs', port, '2000', String(WINDOW)]);
    const bare = JSON.parse(await run(['bench/lib/smpp-client.mjs', port, String(count), String(WINDOW)]));
    const tapback = await startTapback({ TAPBACK_LOG_LEVEL: 'warn', TAPBACK_LIST_RATE_MAX: '100000' });
    try {
      const env = { DATABASE_URL: `sqlite:${tapback.dbPath}` };
      await run(
        [
          'packages/server/bin/tapback.js',
          'lines',
          'add',
          '--account',
          'dev@tapback.local',
          '--number',
          SMPP_LINE,
          '--provider',
          'smpp',
          '--smpp-url',
          `smpp://bench:bench@127.0.0.1:${port}?window=${WINDOW}&rate=0&submit_id=hex&receipt_id=decimal`,
        ],
        env,
      );
      for (;;) {
        const state = await json(`${tapback.url}/api/v2/lines/state`, { headers: AUTH });
        if (state.data.some((l) => l.sendblue_number === SMPP_LINE && l.status === 'ONLINE')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await throughTapback(tapback.url, 500, concurrency);
      const before = await delivered(tapback.url);
      const measured = await throughTapback(tapback.url, count, concurrency);
      if ((await delivered(tapback.url)) - before < count) throw new Error('not every message was delivered');
      return [
        { scenario: 'smpp', subject: `bare smpp client, window ${WINDOW}`, count, requestsPerSec: bare.perSec },
        {
          scenario: 'smpp',
          subject: `tapback accept → DELIVERED over SMPP, window ${WINDOW}`,
          count,
          requestsPerSec: measured.perSec,
          ratio: Number((measured.perSec / bare.perSec).toFixed(3)),
          target: '≥ 0.5',
        },
      ];
    } finally {
      await tapback.stop();
    }
  } finally {
    await smsc.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { count: { type: 'string', default: '5000' } } });
  report(await smppScenario({ count: Number(values.count) }));
}
