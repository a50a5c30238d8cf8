// Scenario: the cost of a Prometheus scrape (GET /metrics, prom-client) once the server's metrics
// hold realistic label sets (traffic over every documented route first, then sends). Scrape latency
// (p50/p99 of back-to-back scrapes, one at a time), then the durable send throughput (autocannon,
// 50 connections) with a scraper every 1 s, every 100 ms (a hard case) and none. The three run on
// one server in the order none, 1 s, 100 ms, 100 ms, 1 s, none after a warm-up that leaves the
// worker a backlog, so each sees the same steady state (delivery running behind the sends) and a
// drift over the run weighs on all three alike. The baseline is "no scraper", same run, same server.
import { request } from 'node:http';
import { load } from './lib/load.mjs';
import { cpuPerThousand } from './lib/proc-cpu.mjs';
import { SEND_REQUEST, startTapback } from './lib/processes.mjs';
import { runRouteMix } from './lib/route-mix.mjs';

function scrapeOnce(url) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    request(`${url}/metrics`, (res) => {
      let bytes = 0;
      let series = 0;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        bytes += Buffer.byteLength(c);
        text += c;
      });
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`GET /metrics -> ${res.statusCode}`));
        for (const line of text.split('\n')) if (line !== '' && !line.startsWith('#')) series++;
        resolve({ ms: performance.now() - t, bytes, series });
      });
    })
      .on('error', reject)
      .end();
  });
}

const quantile = (sorted, q) => Math.round(sorted[Math.floor(q * (sorted.length - 1))] * 100) / 100;

/** Scrapes one after another for `durationS`. */
async function backToBack(url, durationS) {
  const times = [];
  let last;
  let failed = 0;
  const until = performance.now() + durationS * 1000;
  while (performance.now() < until) {
    try {
      last = await scrapeOnce(url);
      times.push(last.ms);
    } catch {
      // A failed scrape (a reset connection) is counted, not fatal: the next one follows.
      failed++;
    }
  }
  if (times.length === 0) throw new Error(`every scrape of ${url}/metrics failed (${failed})`);
  times.sort((a, b) => a - b);
  return {
    scrapes: times.length,
    failed,
    p50Ms: quantile(times, 0.5),
    p99Ms: quantile(times, 0.99),
    ...last,
    ms: undefined,
  };
}

/** A scraper every `everyMs` while `work` runs; returns work's result and the scrapes' latencies. */
async function withScraper(url, everyMs, work) {
  if (everyMs === undefined) return { ...(await work()) };
  const times = [];
  const inFlight = new Set();
  let skipped = 0;
  let failed = 0;
  const timer = setInterval(() => {
    // One scrape at a time, as Prometheus scrapes a target: a tick that finds one running is skipped.
    if (inFlight.size > 0) {
      skipped++;
      return;
    }
    const p = scrapeOnce(url)
      .then((s) => times.push(s.ms))
      .catch(() => failed++)
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }, everyMs);
  try {
    const result = await work();
    return {
      ...result,
      scrapes: times.length,
      skipped,
      failed,
      scrapeMaxMs: Math.round(Math.max(0, ...times) * 10) / 10,
    };
  } finally {
    clearInterval(timer);
    await Promise.allSettled([...inFlight]);
  }
}

export async function metricsScenario({ durationS = 2.5, connections = 50, quick = false } = {}) {
  const phaseS = quick ? 1.5 : durationS;
  const order = quick ? ['none', '1s', '100ms'] : ['none', '1s', '100ms', '100ms', '1s', 'none'];
  const every = { none: undefined, '1s': 1000, '100ms': 100 };
  const { headers, body } = SEND_REQUEST;
  const sends = (s) =>
    load({ url: `${server.url}/api/send-message`, method: 'POST', headers, body, connections, durationS: s });

  const server = await startTapback();
  let mix;
  let scrape;
  const phases = { none: [], '1s': [], '100ms': [] };
  try {
    mix = await runRouteMix(server.url, { rounds: quick ? 1 : 3 });
    await sends(1);
    scrape = await backToBack(server.url, quick ? 1 : 2);
    for (const name of order) {
      const { result, cpu } = await cpuPerThousand(
        server.pid,
        () => withScraper(server.url, every[name], () => sends(phaseS)),
        (r) => r.total,
      );
      phases[name].push({ ...result, cpuMsPerK: cpu === null ? null : cpu.mainMsPerK + cpu.otherMsPerK });
    }
  } finally {
    await server.stop();
  }
  const mean = (runs, key) => Math.round(runs.reduce((a, r) => a + r[key], 0) / runs.length);
  const summary = (runs) => ({
    requestsPerSec: mean(runs, 'requestsPerSec'),
    p50Ms: Math.max(...runs.map((r) => r.p50Ms)),
    p99Ms: Math.max(...runs.map((r) => r.p99Ms)),
    runs: runs.map((r) => r.requestsPerSec),
    // The server's CPU per 1,000 sends, scrapes included: steadier than req/s on a shared machine.
    cpuMsPerK: runs.some((r) => r.cpuMsPerK === null)
      ? null
      : Math.round(runs.reduce((a, r) => a + r.cpuMsPerK, 0) / runs.length),
    ...(runs[0].scrapes === undefined
      ? {}
      : {
          scrapes: runs.reduce((a, r) => a + r.scrapes, 0),
          scrapesSkipped: runs.reduce((a, r) => a + r.skipped, 0),
          scrapesFailed: runs.reduce((a, r) => a + r.failed, 0),
          scrapeMaxMs: Math.max(...runs.map((r) => r.scrapeMaxMs)),
        }),
  });
  const none = summary(phases.none);
  const common = { scenario: 'metrics', connections, durationS: phaseS };
  const versusNone = (s) => ({
    ratio: Number((s.requestsPerSec / Math.max(none.requestsPerSec, 1)).toFixed(3)),
    ratioOf: 'send req/s with the scraper / with none (same server, alternated)',
    cpuPerSendRatio: s.cpuMsPerK === null || !none.cpuMsPerK ? null : Number((s.cpuMsPerK / none.cpuMsPerK).toFixed(3)),
  });
  const every1s = summary(phases['1s']);
  const every100ms = summary(phases['100ms']);
  return [
    {
      scenario: 'metrics',
      subject: 'GET /metrics, back to back',
      unit: 'scrapes',
      requestsPerSec: Math.round(scrape.scrapes / (quick ? 1 : 2)),
      p50Ms: scrape.p50Ms,
      p99Ms: scrape.p99Ms,
      scrapesFailed: scrape.failed,
      scrapeBytes: scrape.bytes,
      series: scrape.series,
      routeMix: mix,
    },
    { ...common, subject: 'send, no scraper', ...none },
    { ...common, subject: 'send, scrape every 1 s', ...every1s, ...versusNone(every1s) },
    { ...common, subject: 'send, scrape every 100 ms', ...every100ms, ...versusNone(every100ms) },
  ];
}
