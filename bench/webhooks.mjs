// Scenario: webhook deliveries per second to a local receiver. Tapback's dispatcher (durable
// outbox in SQLite with synchronous=FULL, signing, SSRF-guarded undici, one attempt row per
// delivery) next to a bare node:http client posting the same bodies to the same receiver, in the
// same run and at the same concurrency. Each side runs in its own process; the receiver runs here.
// Usage: node bench/webhooks.mjs [--count 20000]   (after `npm run build`)
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { ROOT } from './lib/processes.mjs';
import { report } from './lib/report.mjs';

/** A receiver that reads each body and answers 204, counting what arrives. */
async function startReceiver() {
  const state = { count: 0 };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      state.count++;
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/hook`, state, close: () => server.close() };
}

function drive(mode, url, count, concurrency) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['bench/lib/webhook-driver.mjs', mode, url, String(count), String(concurrency)],
      { cwd: ROOT, maxBuffer: 1 << 20 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    );
  });
}

export async function webhookScenario({ count = 20_000, concurrencies = [4, 32] } = {}) {
  const receiver = await startReceiver();
  const results = [];
  try {
    // Warm-up, so neither side pays for the first JIT and socket set-up.
    await drive('bare', receiver.url, 2000, 4);
    for (const concurrency of concurrencies) {
      const bare = await drive('bare', receiver.url, count, concurrency);
      const tapback = await drive('tapback', receiver.url, count, concurrency);
      const row = (subject, r) => ({
        scenario: 'webhooks',
        subject: `${subject}, ${concurrency} in flight`,
        concurrency,
        count,
        requestsPerSec: r.perSec,
        p50Ms: r.p50Ms,
        p99Ms: r.p99Ms,
      });
      results.push(row('bare node:http client', bare), {
        ...row('tapback dispatcher', tapback),
        ratio: Number((tapback.perSec / bare.perSec).toFixed(3)),
      });
    }
  } finally {
    receiver.close();
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { count: { type: 'string', default: '20000' } } });
  report(await webhookScenario({ count: Number(values.count) }));
}
