// Baseline for the send benchmark: node:http reading a JSON body and answering a message-sized
// JSON object, with no validation, no storage and no framework.
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    const now = new Date().toISOString();
    const payload = JSON.stringify({
      accountEmail: 'dev@tapback.local',
      content: body.content ?? '',
      is_outbound: true,
      status: 'QUEUED',
      error_code: null,
      message_handle: randomUUID(),
      date_sent: now,
      date_updated: now,
      from_number: body.from_number,
      number: body.number,
      to_number: body.number,
      media_url: '',
      send_style: '',
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
