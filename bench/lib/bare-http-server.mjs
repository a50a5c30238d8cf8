// Baseline for the send benchmark: node:http reading a JSON body and answering a message-sized
// JSON object, with no validation, no storage and no framework. The answer is Tapback's own send
// response (TAPBACK_BENCH_SEND_RESPONSE, one real answer the send scenario captures first) with the
// per-request fields filled in, so both servers write the same fields and the same bytes.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';

const template = JSON.parse(process.env.TAPBACK_BENCH_SEND_RESPONSE ?? 'null');
if (template === null || typeof template !== 'object') {
  process.stderr.write('TAPBACK_BENCH_SEND_RESPONSE must hold a Tapback send response (JSON)\n');
  process.exit(2);
}

// A fresh handle per answer, as long as Tapback's, so the answers stay the same size.
const handleLength = String(template.message_handle ?? '').length;
const newHandle = () =>
  randomBytes(Math.ceil(handleLength / 2))
    .toString('hex')
    .slice(0, handleLength);

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    const now = new Date().toISOString();
    // Spread first: the keys keep Tapback's order, and only the values that vary are replaced.
    const payload = JSON.stringify({
      ...template,
      content: body.content ?? '',
      message_handle: newHandle(),
      date_sent: now,
      date_updated: now,
      from_number: body.from_number,
      number: body.number,
      to_number: body.number,
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(payload);
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
