// A process holding many Server-Sent Events streams (driven by sse-subscribers.mjs over IPC), kept
// apart from the load generator so that reading the streams never slows the sender and the other
// way round. It counts events and, per event, the time from its `occurred_at` (when the server
// committed the change, or accepted the send for `message.created`) to its arrival here.
import { Agent, request } from 'node:http';

let streams = [];
let closing = false;
let counting = false;
let windowStarted = 0;
let events = 0;
let dropped = 0;
/** Milliseconds → events, for every event and for `message.created` (accept → arrival) alone. */
let all = new Map();
let created = new Map();

const OCCURRED = '"occurred_at":"';
const CREATED = '"type":"message.created"';

function onEvent(block, arrivedAt) {
  if (!counting) return;
  events++;
  const at = block.indexOf(OCCURRED);
  if (at < 0) return;
  const ms = Math.max(0, arrivedAt - Date.parse(block.slice(at + OCCURRED.length, at + OCCURRED.length + 24)));
  all.set(ms, (all.get(ms) ?? 0) + 1);
  if (block.includes(CREATED)) created.set(ms, (created.get(ms) ?? 0) + 1);
}

function open({ url, headers, count }) {
  const agent = new Agent({ keepAlive: true, maxSockets: count + 1 });
  return new Promise((resolve) => {
    let opened = 0;
    let refused = 0;
    let settled = 0;
    const settle = () => {
      if (++settled === count) resolve({ opened, refused });
    };
    for (let i = 0; i < count; i++) {
      const req = request(url, { headers: { ...headers, accept: 'text/event-stream' }, agent }, (res) => {
        if (res.statusCode !== 200) {
          refused++;
          res.resume();
          settle();
          return;
        }
        res.setEncoding('utf8');
        let buffer = '';
        let isOpen = false;
        res.on('data', (chunk) => {
          buffer += chunk;
          const arrivedAt = Date.now();
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (block.startsWith('id:')) onEvent(block, arrivedAt);
            else if (!isOpen && block.startsWith(': stream open')) {
              isOpen = true;
              opened++;
              settle();
            }
          }
        });
        res.on('close', () => {
          if (!closing) dropped++;
        });
      });
      req.on('error', () => {
        if (!closing) dropped++;
      });
      req.end();
      streams.push(req);
    }
  });
}

/** Quantile `q` of a milliseconds → count histogram. */
function quantile(hist, q) {
  const total = [...hist.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  let seen = 0;
  for (const ms of [...hist.keys()].sort((a, b) => a - b)) {
    seen += hist.get(ms);
    if (seen >= q * total) return ms;
  }
  return null;
}

process.on('message', async (message) => {
  switch (message.cmd) {
    case 'open':
      process.send({ reply: 'open', ...(await open(message)) });
      break;
    case 'reset':
      counting = true;
      windowStarted = performance.now();
      events = 0;
      dropped = 0;
      all = new Map();
      created = new Map();
      process.send({ reply: 'reset' });
      break;
    case 'report':
      process.send({
        reply: 'report',
        elapsedMs: performance.now() - windowStarted,
        events,
        dropped,
        p50Ms: quantile(all, 0.5),
        p99Ms: quantile(all, 0.99),
        createdP50Ms: quantile(created, 0.5),
        createdP99Ms: quantile(created, 0.99),
      });
      break;
    case 'close':
      closing = true;
      for (const s of streams) s.destroy();
      streams = [];
      process.send({ reply: 'close' });
      process.disconnect();
      break;
  }
});
