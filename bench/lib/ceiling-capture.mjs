// What the ceiling server replays: one real send answer and the two status callbacks (SENT, then
// DELIVERED; their bodies and the headers Tapback signs them with) of one message, taken from a
// Tapback started for the purpose, so the ceiling keeps Tapback's bytes as its fields change.
import { createServer } from 'node:http';
import { LINE, SEND_REQUEST, startTapback } from './processes.mjs';

/** Headers node:http or the agent sets itself for each request. */
const TRANSPORT = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

export async function captureTapbackExchange() {
  const seen = [];
  let arrived;
  const both = new Promise((resolve) => (arrived = resolve));
  const receiver = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !TRANSPORT.has(k)));
      seen.push({ headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(204).end();
      if (seen.some((c) => c.body.status === 'DELIVERED')) arrived();
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const tapback = await startTapback();
  try {
    const res = await fetch(`${tapback.url}/api/send-message`, {
      ...SEND_REQUEST,
      body: JSON.stringify({
        number: '+19998887777',
        from_number: LINE,
        content: 'End-to-end benchmark message',
        status_callback: `http://127.0.0.1:${receiver.address().port}/callback`,
      }),
    });
    const answer = await res.text();
    if (!res.ok) throw new Error(`send for the ceiling's capture -> ${res.status} ${answer.slice(0, 300)}`);
    const timeout = new Promise((_, reject) =>
      setTimeout(() => reject(new Error('no DELIVERED callback within 15 s')), 15_000).unref(),
    );
    await Promise.race([both, timeout]);
    const sent = seen.find((c) => c.body.status === 'SENT');
    const delivered = seen.find((c) => c.body.status === 'DELIVERED');
    if (sent === undefined || delivered === undefined) throw new Error('the capture missed the SENT callback');
    return { answer, callbacks: [sent, delivered] };
  } finally {
    await tapback.stop();
    receiver.close();
  }
}
