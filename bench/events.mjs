// Scenario: the live event stream, GET /api/v2/events (SSE). 100 subscribers of one account while
// sends are offered at a fixed rate (open loop): events delivered per second to all of them
// (events × subscribers) and each event's latency from its `occurred_at` (the accept, for
// message.created) to its arrival at a subscriber. Baseline: bare node:http fanning out the same
// event bytes (captured from Tapback) to 100 subscribers at the same rate, same run, through the
// same sender and the same subscriber process. Also the durable send throughput (autocannon, 50
// connections) with the 100 streams open against a second, identical server with none.
import { load } from './lib/load.mjs';
import { cpuPerThousand } from './lib/proc-cpu.mjs';
import { pause, resume, stopPaused } from './lib/process-pause.mjs';
import { pacedSends } from './lib/paced-sender.mjs';
import { KEY_ID, SECRET, SEND_REQUEST, startProcess, startTapback } from './lib/processes.mjs';
import { captureSendEvents } from './lib/event-capture.mjs';
import { openSubscribers } from './lib/sse-subscribers.mjs';

const SUBSCRIBERS = 100;
/**
 * One account may hold 10 streams per process by default (TAPBACK_EVENTS_MAX_STREAMS_PER_ACCOUNT);
 * the scenario's 100 subscribers of one account need the limit raised, on both servers alike.
 */
const ENV = { TAPBACK_EVENTS_MAX_STREAMS_PER_ACCOUNT: String(SUBSCRIBERS) };
const AUTH = { 'sb-api-key-id': KEY_ID, 'sb-api-secret-key': SECRET };

/** Fixed-rate sends with the subscribers counting; the window ends once late events are in. */
async function fanOut(url, subscribers, { rate, durationS }) {
  await subscribers.reset();
  const sends = await pacedSends(url, { rate, durationS });
  await new Promise((r) => setTimeout(r, 500));
  const got = await subscribers.report();
  // Each send publishes message.created, then message.updated for SENT and for DELIVERED.
  const expected = 3 * sends.accepted * SUBSCRIBERS;
  return {
    requestsPerSec: Math.round(got.events / durationS),
    unit: 'events/s delivered (events × subscribers)',
    p50Ms: got.createdP50Ms,
    p99Ms: got.createdP99Ms,
    latency: 'message.created: accept → arrival',
    allEventsP50Ms: got.p50Ms,
    allEventsP99Ms: got.p99Ms,
    deliveredShare: expected === 0 ? null : Number((got.events / expected).toFixed(3)),
    streamsDropped: got.dropped,
    ...sends,
  };
}

async function startBareSse(answer, events) {
  const proc = await startProcess(['bench/lib/bare-sse-server.mjs'], {
    env: { TAPBACK_BENCH_SEND_RESPONSE: answer, TAPBACK_BENCH_EVENTS: JSON.stringify(events) },
    ready: /listening on (http:\/\/[^\s]+)/,
  });
  return { url: proc.match[1], stop: proc.stop };
}

export async function eventsScenario({ durationS = 4, rate = 100, quick = false } = {}) {
  const fanOutS = quick ? 1.5 : durationS;
  const sendS = quick ? 1.5 : 3;
  const warmS = quick ? 0.5 : 1;
  const connections = 50;
  const { headers, body } = SEND_REQUEST;
  const sendLoad = (url, s) =>
    load({ url: `${url}/api/send-message`, method: 'POST', headers, body, connections, durationS: s });

  const [streamed, bare] = await Promise.all([startTapback(ENV), startTapback(ENV)]);
  const rows = [];
  try {
    pause(bare);
    const captured = await captureSendEvents(streamed.url);
    pause(streamed);

    // The baseline: the same sender, subscribers and warm-up against bare node:http.
    const baseline = await startBareSse(captured.answer, captured.events);
    let base;
    try {
      const subs = await openSubscribers({ url: `${baseline.url}/api/v2/events`, headers: AUTH, count: SUBSCRIBERS });
      try {
        await pacedSends(baseline.url, { rate, durationS: warmS });
        base = await fanOut(baseline.url, subs, { rate, durationS: fanOutS });
      } finally {
        await subs.close();
      }
    } finally {
      await baseline.stop();
    }

    // Tapback with 100 streams: warm up at the fixed rate, measure it, then sends at full speed.
    resume(streamed);
    let ours;
    let withStreams;
    const subs = await openSubscribers({ url: `${streamed.url}/api/v2/events`, headers: AUTH, count: SUBSCRIBERS });
    try {
      await pacedSends(streamed.url, { rate, durationS: warmS });
      ours = await fanOut(streamed.url, subs, { rate, durationS: fanOutS });
      await subs.reset();
      const measured = await cpuPerThousand(
        streamed.pid,
        () => sendLoad(streamed.url, sendS),
        (r) => r.total,
      );
      withStreams = { ...measured.result, cpu: measured.cpu };
      const got = await subs.report();
      withStreams.eventsPerSec = got.eventsPerSec;
      withStreams.streamsDropped = got.dropped;
    } finally {
      await subs.close();
    }
    pause(streamed);

    // The same server, same warm-up, no stream open.
    resume(bare);
    await pacedSends(bare.url, { rate, durationS: warmS });
    const measured = await cpuPerThousand(
      bare.pid,
      () => sendLoad(bare.url, sendS),
      (r) => r.total,
    );
    const without = { ...measured.result, cpu: measured.cpu };
    const cpuPerK = (r) => (r.cpu === null ? null : Math.round(r.cpu.mainMsPerK + r.cpu.otherMsPerK));

    const common = { scenario: 'events', subscribers: SUBSCRIBERS, offeredSendsPerSec: rate };
    rows.push(
      { ...common, subject: 'bare node:http SSE fan-out', durationS: fanOutS, ...base },
      {
        ...common,
        subject: 'tapback /api/v2/events fan-out',
        durationS: fanOutS,
        ...ours,
        ratio: Number((ours.requestsPerSec / Math.max(base.requestsPerSec, 1)).toFixed(3)),
        ratioOf: 'events/s delivered, tapback / bare (1.0 = kept up with the offered rate)',
        p99Ratio: Number((ours.p99Ms / Math.max(base.p99Ms ?? 1, 1)).toFixed(2)),
      },
      { scenario: 'events', subject: 'tapback send, no stream open', connections, durationS: sendS, ...without },
      {
        scenario: 'events',
        subject: `tapback send, ${SUBSCRIBERS} streams open`,
        connections,
        durationS: sendS,
        ...withStreams,
        ratio: Number((withStreams.requestsPerSec / Math.max(without.requestsPerSec, 1)).toFixed(3)),
        ratioOf: 'send req/s with the streams open / with none',
        cpuPerSendRatio:
          cpuPerK(withStreams) === null || !cpuPerK(without)
            ? null
            : Number((cpuPerK(withStreams) / cpuPerK(without)).toFixed(3)),
      },
    );
  } finally {
    await Promise.all([stopPaused(streamed), stopPaused(bare)]);
  }
  return rows;
}
