// Scenario: durable sends accepted. POST /api/send-message against Tapback (SQLite, WAL,
// synchronous=FULL, group commit) next to bare node:http answering the same request, same run.
import { KEY_ID, LINE, SECRET, startBaseline, startTapback } from './lib/processes.mjs';
import { load } from './lib/load.mjs';

export async function sendScenario({ durationS = 10, connections = 50 } = {}) {
  const body = JSON.stringify({ number: '+19998887777', from_number: LINE, content: 'Benchmark message' });
  const headers = { 'content-type': 'application/json', 'sb-api-key-id': KEY_ID, 'sb-api-secret-key': SECRET };

  // Each server gets a 2 s warm-up, then the measured run.
  const measure = async (server) => {
    try {
      const url = `${server.url}/api/send-message`;
      await load({ url, method: 'POST', headers, body, connections, durationS: 2 });
      return await load({ url, method: 'POST', headers, body, connections, durationS });
    } finally {
      await server.stop();
    }
  };
  const base = await measure(await startBaseline());
  const sends = await measure(await startTapback());
  return [
    { scenario: 'send', subject: 'bare node:http', connections, durationS, ...base },
    {
      scenario: 'send',
      subject: 'tapback sqlite durable',
      connections,
      durationS,
      ...sends,
      ratio: Number((sends.requestsPerSec / base.requestsPerSec).toFixed(3)),
      target: '>= 0.45 of bare node:http, p99 <= 10 ms',
      met: sends.requestsPerSec >= 0.45 * base.requestsPerSec && sends.p99Ms <= 10,
    },
  ];
}
