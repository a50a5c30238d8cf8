// Scenario: durable sends accepted. POST /api/send-message against Tapback (SQLite, WAL,
// synchronous=FULL, group commit) next to bare node:http answering the same request, same run.
import { KEY_ID, LINE, SECRET, startBaseline, startTapback } from './lib/processes.mjs';
import { load } from './lib/load.mjs';

export async function sendScenario({ durationS = 10, connections = 50 } = {}) {
  const body = JSON.stringify({ number: '+19998887777', from_number: LINE, content: 'Benchmark message' });
  const headers = { 'content-type': 'application/json', 'sb-api-key-id': KEY_ID, 'sb-api-secret-key': SECRET };

  const baseline = await startBaseline();
  let base;
  try {
    await load({ url: `${baseline.url}/api/send-message`, method: 'POST', headers, body, connections, durationS: 2 });
    base = await load({
      url: `${baseline.url}/api/send-message`,
      method: 'POST',
      headers,
      body,
      connections,
      durationS,
    });
  } finally {
    await baseline.stop();
  }

  const tapback = await startTapback();
  let sends;
  try {
    await load({ url: `${tapback.url}/api/send-message`, method: 'POST', headers, body, connections, durationS: 2 });
    sends = await load({
      url: `${tapback.url}/api/send-message`,
      method: 'POST',
      headers,
      body,
      connections,
      durationS,
    });
  } finally {
    await tapback.stop();
  }
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
    },
  ];
}
