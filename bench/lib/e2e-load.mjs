// End-to-end load: sends at a fixed offered rate (a paced open-loop sender), each with a
// status_callback to the receiver (callback-receiver.mjs, its own process); samples the backlog
// (accepted minus DELIVERED callbacks received) every second.
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { KEY_ID, LINE, ROOT, SECRET } from './processes.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startReceiver() {
  const child = fork(`${ROOT}bench/lib/callback-receiver.mjs`, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { url } = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`callback receiver exited with ${code}`)));
  });
  let waiting = [];
  child.on('message', (m) => {
    const w = waiting;
    waiting = [];
    for (const resolve of w) resolve(m);
  });
  return {
    url,
    pid: child.pid,
    /** Counts so far; `reset` also starts a new latency window. */
    stats: (reset = false) =>
      new Promise((resolve) => {
        waiting.push(resolve);
        child.send({ cmd: 'stats', reset });
      }),
    close: () => {
      child.disconnect();
      return new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
    },
  };
}

/**
 * An open-loop sender: `rate` requests/s, paced every 2 ms (not per second: autocannon's
 * `overallRate` releases each connection's whole quota at the start of every second, and the
 * latency measured would be that burst draining), over a keep-alive pool of `connections`
 * sockets. Requests wait in the pool when every socket is busy, and that wait counts in the
 * accept latency, as it would for a real client. When the server falls behind by more than
 * `maxPending` requests, further ones are dropped (counted, not sent): the run then measures what
 * the server sustains and still ends on time, rather than queueing the whole offered load.
 */
function pacedSender({ url, rate, durationS, connections, headers, body, onAccepted }) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  const latencies = [];
  let accepted = 0;
  let rejected = 0;
  let errors = 0;
  let issued = 0;
  let settled = 0;
  let dropped = 0;
  let deadlinePassed = false;
  const maxPending = connections * 4;
  const total = Math.round(rate * durationS);
  return new Promise((resolve) => {
    const started = performance.now();
    const finish = () => {
      agent.destroy();
      latencies.sort((a, b) => a - b);
      const p = (q) =>
        Math.round((latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0) * 10) / 10;
      resolve({
        accepted,
        rejected,
        errors,
        dropped,
        p50Ms: p(0.5),
        p99Ms: p(0.99),
        elapsedS: (performance.now() - started) / 1000,
      });
    };
    const settle = () => {
      settled++;
      if (deadlinePassed && settled === issued) finish();
    };
    const send = () => {
      const t = performance.now();
      const req = request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - t);
            if (res.statusCode === 200) {
              accepted++;
              onAccepted();
            } else rejected++;
            settle();
          });
        },
      );
      req.on('error', () => {
        errors++;
        settle();
      });
      req.end(body);
    };
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
      while (issued + dropped < due) {
        if (issued - settled >= maxPending) {
          dropped++;
          continue;
        }
        issued++;
        send();
      }
      if (issued + dropped >= total) {
        clearInterval(timer);
        deadlinePassed = true;
        if (settled === issued) finish();
      }
    }, 2);
  });
}

/**
 * Offers `rate` sends/s for `durationS` over `connections` connections (split over `urls`, e.g.
 * one per API process), then waits up to `drainS` for every accepted send's DELIVERED callback.
 * `onSecond` is called every second (e.g. to sample memory).
 */
export async function e2eLoad({ urls, receiver, rate, durationS, connections = 50, drainS = 30, onSecond }) {
  const headers = { 'content-type': 'application/json', 'sb-api-key-id': KEY_ID, 'sb-api-secret-key': SECRET };
  const body = JSON.stringify({
    number: '+19998887777',
    from_number: LINE,
    content: 'End-to-end benchmark message',
    status_callback: receiver.url,
  });
  const base = await receiver.stats(true);
  const perUrl = Math.max(1, Math.floor(connections / urls.length));
  let acceptedSoFar = 0;
  const onAccepted = () => acceptedSoFar++;
  const senders = urls.map((url) =>
    pacedSender({
      url: `${url}/api/send-message`,
      rate: rate / urls.length,
      durationS,
      connections: perUrl,
      headers,
      body,
      onAccepted,
    }),
  );
  const backlog = [];
  const sampler = setInterval(() => {
    void receiver.stats().then((s) => backlog.push(acceptedSoFar - (s.delivered - base.delivered)));
    onSecond?.();
  }, 1000);
  const results = await Promise.all(senders);
  clearInterval(sampler);
  const accepted = results.reduce((n, r) => n + r.accepted, 0);
  const loadS = Math.max(...results.map((r) => r.elapsedS));
  const atEnd = await receiver.stats();
  // Drain: every accepted send should get its DELIVERED callback.
  let final = atEnd;
  const drainStarted = performance.now();
  while (final.delivered - base.delivered < accepted && performance.now() - drainStarted < drainS * 1000) {
    await sleep(200);
    final = await receiver.stats();
  }
  const drainMs = Math.round(performance.now() - drainStarted);
  const deliveredInLoad = atEnd.delivered - base.delivered;
  // Flat backlog: its growth per second from 10% into the run to the end, against the rate.
  const from = Math.floor(backlog.length / 10);
  const slopePerS =
    backlog.length > from + 1 ? (backlog[backlog.length - 1] - backlog[from]) / (backlog.length - 1 - from) : 0;
  return {
    offeredPerSec: rate,
    acceptedPerSec: Math.round(accepted / loadS),
    deliveredPerSec: Math.round(deliveredInLoad / loadS),
    accepted,
    rejected: results.reduce((n, r) => n + r.rejected, 0),
    droppedByClient: results.reduce((n, r) => n + r.dropped, 0),
    errors: results.reduce((n, r) => n + r.errors, 0),
    acceptP50Ms: Math.max(...results.map((r) => r.p50Ms)),
    acceptP99Ms: Math.max(...results.map((r) => r.p99Ms)),
    callbacksSent: final.sent - base.sent,
    callbacksDelivered: final.delivered - base.delivered,
    callbacksOther: final.other - base.other,
    drainMs,
    backlogMax: Math.max(0, ...backlog),
    backlogEnd: backlog[backlog.length - 1] ?? 0,
    backlogSlopePerS: Math.round(slopePerS),
    // Flat: at the end, no more than half a second of work is in flight (it is not piling up),
    // and every accepted send got its DELIVERED callback.
    flatBacklog: (backlog[backlog.length - 1] ?? 0) <= rate * 0.5 && final.delivered - base.delivered >= accepted,
    latencyP50Ms: final.p50Ms,
    latencyP99Ms: final.p99Ms,
    latencyMaxMs: final.maxMs,
    latencySamples: final.samples,
  };
}
