// The status-callback receiver of the end-to-end benchmark, in its own process (forked with an
// IPC channel) so neither the load generator nor the server shares its event loop. It answers
// every POST with 204 and counts callbacks by status. A callback carries `date_created`, the
// server's clock when it accepted the send (same machine, same clock), so the DELIVERED callback's
// arrival gives accept -> callback latency, with nothing of the load generator's queueing in it.
// The parent asks `{ cmd: 'stats', reset }` and gets counts and latency percentiles back.
import { createServer } from 'node:http';

const state = { sent: 0, delivered: 0, other: 0, bad: 0, latencies: [] };

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (body.status === 'SENT') state.sent++;
      else if (body.status === 'DELIVERED') {
        state.delivered++;
        const accepted = Date.parse(body.date_created);
        if (Number.isFinite(accepted)) state.latencies.push(Date.now() - accepted);
      } else state.other++;
    } catch {
      state.bad++;
    }
    res.writeHead(204).end();
  });
});

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
const round = (ms) => Math.round(ms * 10) / 10;

process.on('message', (msg) => {
  if (msg.cmd !== 'stats') return;
  const sorted = Float64Array.from(state.latencies).sort();
  process.send({
    sent: state.sent,
    delivered: state.delivered,
    other: state.other,
    bad: state.bad,
    samples: sorted.length,
    p50Ms: round(percentile(sorted, 0.5)),
    p99Ms: round(percentile(sorted, 0.99)),
    maxMs: round(sorted.length > 0 ? sorted[sorted.length - 1] : 0),
  });
  if (msg.reset) state.latencies = [];
});

server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ url: `http://127.0.0.1:${server.address().port}/callback` }));
process.on('disconnect', () => process.exit(0));
