// The ceiling of the end-to-end scenario: what this machine does per message with no storage and
// no framework. Plain node:http in one process answers `POST /api/send-message` with Tapback's own
// send answer (TAPBACK_BENCH_SEND_RESPONSE, refilled per request as bare-http-server.mjs does), then
// POSTs the message's two status callbacks to its `status_callback`, SENT and, once that one is
// answered, DELIVERED, over a keep-alive agent. The callbacks are Tapback's own (their bodies and
// headers, TAPBACK_BENCH_CALLBACKS, captured from a real server by ceiling-capture.mjs) with the
// per-message fields refilled, so they have the same shape and the same size.
import { createServer, Agent, request } from 'node:http';
import { randomBytes } from 'node:crypto';

const answer = JSON.parse(process.env.TAPBACK_BENCH_SEND_RESPONSE ?? 'null');
const callbacks = JSON.parse(process.env.TAPBACK_BENCH_CALLBACKS ?? 'null');
if (answer === null || !Array.isArray(callbacks) || callbacks.length !== 2) {
  process.stderr.write('TAPBACK_BENCH_SEND_RESPONSE and TAPBACK_BENCH_CALLBACKS (SENT, DELIVERED) must be set\n');
  process.exit(2);
}
// As many callbacks in flight as the e2e scenario lets Tapback's dispatcher have (E2E_ENV).
const agent = new Agent({ keepAlive: true, maxSockets: Number(process.env.TAPBACK_BENCH_CALLBACK_SOCKETS ?? 128) });

const handleLength = String(answer.message_handle ?? '').length;
const newHandle = () =>
  randomBytes(Math.ceil(handleLength / 2))
    .toString('hex')
    .slice(0, handleLength);

/** POSTs one callback; resolves when its answer has been read (errors count as answered). */
function post(target, headers, body) {
  return new Promise((resolve) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: 'POST',
        agent,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', resolve);
    req.end(body);
  });
}

async function deliver(message, url) {
  const target = new URL(url);
  for (const c of callbacks) {
    const now = new Date().toISOString();
    // Spread first: the keys keep Tapback's order, and only the values that vary are replaced.
    const body = JSON.stringify({ ...c.body, ...message, date_updated: now });
    await post(target, c.headers, body);
  }
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    const now = new Date().toISOString();
    const handle = newHandle();
    const payload = JSON.stringify({
      ...answer,
      content: body.content ?? '',
      message_handle: handle,
      date_created: now,
      date_sent: now,
      date_updated: now,
      from_number: body.from_number,
      number: body.number,
      to_number: body.number,
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(payload);
    if (typeof body.status_callback === 'string') {
      const message = {
        content: body.content ?? '',
        message_handle: handle,
        date_created: now,
        date_sent: now,
        from_number: body.from_number,
        number: body.number,
        to_number: body.number,
      };
      void deliver(message, body.status_callback);
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
