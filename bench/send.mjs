// Scenario: durable sends accepted. POST /api/send-message against Tapback (SQLite, WAL,
// synchronous=FULL, group commit) next to bare node:http answering the same request with the same
// fields and bytes (one of Tapback's own answers, refilled), same run.
import { SEND_REQUEST, sendOnce, startBaseline, startTapback } from './lib/processes.mjs';
import { load } from './lib/load.mjs';
import { sameShape } from './lib/verdicts.mjs';

export async function sendScenario({ durationS = 10, connections = 50 } = {}) {
  const { headers, body } = SEND_REQUEST;

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
  const tapback = await startTapback();
  let ours;
  let base;
  try {
    ours = await sendOnce(tapback.url);
    const baseline = await startBaseline(ours);
    const theirs = await sendOnce(baseline.url);
    const shape = sameShape(ours, theirs);
    if (!shape.same) {
      await baseline.stop();
      throw new Error(`the baseline does not answer like Tapback: ${shape.why}`);
    }
    base = await measure(baseline);
  } catch (error) {
    await tapback.stop();
    throw error;
  }
  const sends = await measure(tapback);
  const answer = { responseFields: Object.keys(JSON.parse(ours)).length, responseBytes: Buffer.byteLength(ours) };
  return [
    { scenario: 'send', subject: 'bare node:http', connections, durationS, ...answer, ...base },
    {
      scenario: 'send',
      subject: 'tapback sqlite durable',
      connections,
      durationS,
      ...answer,
      ...sends,
      ratio: Number((sends.requestsPerSec / base.requestsPerSec).toFixed(3)),
      target: '>= 0.45 of bare node:http, p99 <= 10 ms',
      met: sends.requestsPerSec >= 0.45 * base.requestsPerSec && sends.p99Ms <= 10,
    },
  ];
}
