// Scenario: GET /api/v2/messages?number=...&limit=50 (exact pagination.total) on 10,000 and on
// 1,000,000 stored messages across 100 accounts, each request for a random account and one of
// its contacts (each with at least a full page of messages). The cost should grow with the page,
// not with the history: the 1M figure is reported as a ratio of the 10k one (same run). Also the
// worst case, the account's own line as the number (every message of the account matches).
// Baseline: bare node:http, same run.
import { load } from './lib/load.mjs';
import { SECRET, startBaseline, startTapback } from './lib/processes.mjs';
import autocannon from 'autocannon';
import { contactNumber, seededAccount, seededCopy } from './lib/seed.mjs';

const ACCOUNTS = 100;
/**
 * Contacts per account: at most 100, and few enough that each has a full page (limit=50) of
 * history, so both sizes serve the same page and the ratio shows what the history alone costs
 * (10k: 2 contacts of 50 messages each; 1M: 100 contacts of 100 each).
 */
const contactsFor = (messages) => Math.min(100, Math.floor(messages / ACCOUNTS / 50));

function randomRequest(numberOf) {
  return (req) => {
    const account = seededAccount(Math.floor(Math.random() * ACCOUNTS));
    const number = encodeURIComponent(numberOf(account));
    return {
      ...req,
      path: `/api/v2/messages?number=${number}&limit=50`,
      headers: { 'sb-api-key-id': account.keyId, 'sb-api-secret-key': SECRET },
    };
  };
}

async function listLoad(url, numberOf, { connections, durationS }) {
  const result = await autocannon({
    url,
    connections,
    duration: durationS,
    requests: [{ method: 'GET', setupRequest: randomRequest(numberOf) }],
  });
  return {
    requestsPerSec: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** 10000 -> '10k', 1000000 -> '1M'. */
const size = (n) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`);

/** `large` is the history the 10k figure is compared with (smaller in `--quick` runs). */
export async function listScenario({ durationS = 10, connections = 10, large: largeSize = 1_000_000 } = {}) {
  const baseline = await startBaseline();
  let base;
  try {
    const url = `${baseline.url}/api/send-message`;
    await load({ url, connections, durationS: 2 });
    base = await load({ url, connections, durationS });
  } finally {
    await baseline.stop();
  }
  const byLine = (account) => account.line;
  const figures = {};
  for (const messages of [10_000, largeSize]) {
    const contacts = contactsFor(messages);
    const byContact = () => contactNumber(Math.floor(Math.random() * contacts));
    const db = await seededCopy(messages, { accounts: ACCOUNTS, contacts });
    const server = await startTapback({ TAPBACK_LIST_RATE_MAX: '1000000' }, { dbPath: db.path });
    try {
      await listLoad(server.url, byContact, { connections, durationS: 2 });
      figures[messages] = {
        contact: await listLoad(server.url, byContact, { connections, durationS }),
        line: await listLoad(server.url, byLine, { connections, durationS: Math.max(3, durationS / 2) }),
        seeded: db.seeded,
      };
    } finally {
      await server.stop();
      db.remove();
    }
  }
  const small = figures[10_000];
  const large = figures[largeSize];
  const common = { scenario: 'list', connections };
  return [
    { ...common, subject: 'bare node:http', durationS, ...base },
    { ...common, subject: 'number=contact, 10k messages', durationS, ...small.contact },
    {
      ...common,
      subject: `number=contact, ${size(largeSize)} messages`,
      durationS,
      ...large.contact,
      seededRowsPerSec: large.seeded.rowsPerSec,
      ratio: Number((large.contact.p99Ms / Math.max(small.contact.p99Ms, 1)).toFixed(2)),
      ratioOf: `p99 at ${size(largeSize)} / p99 at 10k`,
      target: 'p99 <= 10 ms and <= 2x the 10k figure',
      met: large.contact.p99Ms <= 10 && large.contact.p99Ms <= 2 * Math.max(small.contact.p99Ms, 1),
    },
    { ...common, subject: 'number=line (whole account), 10k messages', ...small.line },
    {
      ...common,
      subject: `number=line (whole account), ${size(largeSize)} messages`,
      ...large.line,
      ratio: Number((large.line.p99Ms / Math.max(small.line.p99Ms, 1)).toFixed(2)),
      ratioOf: `p99 at ${size(largeSize)} / p99 at 10k`,
    },
  ];
}
