// Baseline for the events benchmark: node:http fanning out Server-Sent Events with no framework,
// no storage and no authentication. `GET /api/v2/events` opens a stream; each
// `POST /api/send-message` is answered with Tapback's own send answer (TAPBACK_BENCH_SEND_RESPONSE)
// and writes the events Tapback publishes for one send (TAPBACK_BENCH_EVENTS: the `data:` JSON of
// its message.created and two message.updated, captured from Tapback) to every open stream, with
// a fresh id, handle and `occurred_at`, so the streams carry the same bytes at the same rate.
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';

const answer = JSON.parse(process.env.TAPBACK_BENCH_SEND_RESPONSE ?? 'null');
const templates = JSON.parse(process.env.TAPBACK_BENCH_EVENTS ?? 'null');
if (answer === null || !Array.isArray(templates) || templates.length === 0) {
  process.stderr.write('TAPBACK_BENCH_SEND_RESPONSE and TAPBACK_BENCH_EVENTS must be set\n');
  process.exit(2);
}

const streams = new Set();

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url.startsWith('/api/v2/events')) {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    });
    res.write(': stream open\n\n');
    streams.add(res);
    res.on('close', () => streams.delete(res));
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    const now = new Date().toISOString();
    const handle = randomUUID();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        ...answer,
        content: body.content ?? '',
        message_handle: handle,
        date_sent: now,
        date_updated: now,
        from_number: body.from_number,
        number: body.number,
        to_number: body.number,
      }),
    );
    for (const template of templates) {
      const id = randomUUID();
      const event = {
        ...template,
        id,
        occurred_at: now,
        data: { ...template.data, message_handle: handle, date_updated: now },
      };
      // Encoded once, written to every stream: the least work a fan-out of these bytes can do.
      const chunk = Buffer.from(`id: ${id}\ndata: ${JSON.stringify(event)}\n\n`);
      for (const stream of streams) stream.write(chunk);
    }
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => {
  for (const stream of streams) stream.destroy();
  server.close(() => process.exit(0));
});
