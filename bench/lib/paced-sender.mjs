// An open-loop sender: `POST /api/send-message` at a fixed rate whatever the server's answers take
// (a closed loop would slow down with the server and hide its latency), over keep-alive sockets.
import { Agent, request } from 'node:http';
import { SEND_REQUEST } from './processes.mjs';

/** Requests waiting for an answer past this many are not sent (counted as dropped by the client). */
const MAX_IN_FLIGHT = 2_000;

/** Sends at `rate` per second for `durationS`; resolves once every answer is in. */
export function pacedSends(url, { rate, durationS, body = SEND_REQUEST.body, headers = SEND_REQUEST.headers }) {
  const target = new URL('/api/send-message', url);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const payload = Buffer.from(body);
  const allHeaders = { ...headers, 'content-length': String(payload.length) };
  const latencies = [];
  let issued = 0;
  let inFlight = 0;
  let accepted = 0;
  let non2xx = 0;
  let errors = 0;
  let dropped = 0;

  const sendOne = () =>
    new Promise((resolve) => {
      const t = performance.now();
      inFlight++;
      const done = () => {
        inFlight--;
        resolve();
      };
      const req = request(target, { method: 'POST', agent, headers: allHeaders }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode >= 200 && res.statusCode < 300) {
            accepted++;
            latencies.push(performance.now() - t);
          } else non2xx++;
          done();
        });
      });
      req.on('error', () => {
        errors++;
        done();
      });
      req.end(payload);
    });

  return new Promise((resolve) => {
    const pending = [];
    const started = performance.now();
    const tick = () => {
      const elapsedS = (performance.now() - started) / 1000;
      const due = Math.floor(Math.min(elapsedS, durationS) * rate) - issued;
      for (let i = 0; i < due; i++) {
        issued++;
        if (inFlight >= MAX_IN_FLIGHT) dropped++;
        else pending.push(sendOne());
      }
      if (elapsedS >= durationS) {
        clearInterval(timer);
        void Promise.all(pending).then(() => {
          agent.destroy();
          latencies.sort((a, b) => a - b);
          const at = (q) => (latencies.length === 0 ? null : round(latencies[Math.floor(q * (latencies.length - 1))]));
          resolve({
            offeredPerSec: rate,
            acceptedPerSec: Math.round(accepted / durationS),
            sendP50Ms: at(0.5),
            sendP99Ms: at(0.99),
            accepted,
            non2xx,
            errors,
            droppedByClient: dropped,
          });
        });
      }
    };
    const timer = setInterval(tick, 5);
  });
}

const round = (ms) => Math.round(ms * 10) / 10;
