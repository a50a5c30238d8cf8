// Scenario: a peer. Stoplight Prism (@stoplight/prism-cli 5.14.2, the newest that runs on Node 20)
// mocking Tapback's own OpenAPI document, against Tapback itself, both answering
// POST /api/send-message under the same autocannon load in the same run. Prism is stateless and
// stores nothing; Tapback stores every message durably (synchronous=FULL) and delivers it.
// Prism is not a dependency of the repository (it is heavy): it is installed on first use into
// ~/.cache/tapback-bench (or TAPBACK_BENCH_CACHE), and the scenario is skipped if that fails.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { load } from './lib/load.mjs';
import { KEY_ID, LINE, SECRET, startProcess, startTapback } from './lib/processes.mjs';

const PRISM_VERSION = '5.14.2';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function untilAnswering(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await (await fetch(url)).arrayBuffer();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** What the Prism at `cli` says its version is, or null when it does not run. */
function versionOf(cli) {
  try {
    return execFileSync(process.execPath, [cli, '--version'], { encoding: 'utf8', timeout: 30_000 }).trim();
  } catch {
    return null;
  }
}

/**
 * The Prism the row is labelled with: the cache is shared and outlives this file, so whatever is
 * found there is used only if it reports PRISM_VERSION; otherwise that version is installed over it.
 */
function installPrism() {
  const cache = process.env.TAPBACK_BENCH_CACHE ?? join(homedir(), '.cache', 'tapback-bench');
  const cli = join(cache, 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');
  if (existsSync(cli)) {
    const found = versionOf(cli);
    if (found === PRISM_VERSION) return cli;
    process.stderr.write(`prism: ${cli} reports version ${found ?? '(none)'}, not ${PRISM_VERSION}\n`);
  }
  mkdirSync(cache, { recursive: true });
  process.stderr.write(`prism: installing @stoplight/prism-cli@${PRISM_VERSION} into ${cache}...\n`);
  execFileSync(
    'npm',
    ['install', '--prefix', cache, '--no-audit', '--no-fund', '--no-save', `@stoplight/prism-cli@${PRISM_VERSION}`],
    { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 },
  );
  if (!existsSync(cli)) throw new Error(`prism-cli installed, but ${cli} is missing`);
  const installed = versionOf(cli);
  if (installed !== PRISM_VERSION) {
    throw new Error(`prism-cli@${PRISM_VERSION} installed, but it reports version ${installed ?? '(none)'}`);
  }
  return cli;
}

export async function prismScenario({ durationS = 10, connections = 50 } = {}) {
  let cli;
  try {
    cli = installPrism();
  } catch (error) {
    process.stderr.write(`prism: could not install Prism, skipping (${error.message.split('\n')[0]})\n`);
    return [];
  }
  const body = JSON.stringify({ number: '+19998887777', from_number: LINE, content: 'Benchmark message' });
  const headers = { 'content-type': 'application/json', 'sb-api-key-id': KEY_ID, 'sb-api-secret-key': SECRET };
  const measure = async (url) => {
    await load({ url, method: 'POST', headers, body, connections, durationS: 2 });
    return load({ url, method: 'POST', headers, body, connections, durationS });
  };

  const tapback = await startTapback();
  let ours;
  const dir = mkdtempSync(join(tmpdir(), 'tapback-bench-prism-'));
  try {
    // Prism mocks the document Tapback serves, so both answer the same operation.
    const document = await (await fetch(`${tapback.url}/openapi.json`)).text();
    writeFileSync(join(dir, 'openapi.json'), document);
    ours = await measure(`${tapback.url}/api/send-message`);
  } finally {
    await tapback.stop();
  }
  let peer;
  try {
    // At log level warn Prism never prints its address: give it a free port and poll until it answers.
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const prism = await startProcess([cli, 'mock', join(dir, 'openapi.json'), '-p', String(port), '-v', 'warn'], {
      ready: /Starting Prism/,
      timeoutMs: 60_000,
    });
    await untilAnswering(url, 60_000);
    try {
      peer = await measure(`${url}/api/send-message`);
    } finally {
      await prism.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const common = { scenario: 'prism', connections, durationS };
  return [
    { ...common, subject: `prism ${PRISM_VERSION} mock (stateless)`, ...peer },
    {
      ...common,
      subject: 'tapback sqlite durable',
      ...ours,
      ratio: Number((ours.requestsPerSec / peer.requestsPerSec).toFixed(2)),
      ratioOf: 'tapback / prism',
      target: '>= 5x prism',
      met: ours.requestsPerSec >= 5 * peer.requestsPerSec && ours.non2xx === 0,
    },
  ];
}
