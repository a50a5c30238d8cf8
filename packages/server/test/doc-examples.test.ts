import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { type Server, createServer, request as forward } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/cli-process.js';
import { type DocExample, allowedStatus, docExamples, documentationFiles } from './support/doc-examples.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer, startTestServer } from './support/test-server.js';
import { tempDir } from './support/temp-dir.js';

/**
 * Every shell example with curl in the README and `docs/*.md` runs, as written, against a real
 * server (SQLite, sandbox on, the test's bootstrap credentials). The examples of one file run in
 * order in one shell session, as a reader pastes them: variables set by one block (`BASE`, `AUTH`,
 * a captured handle) are there in the next; blocks that only set variables run too.
 *
 * Blocks run in a scratch directory holding the files they name (`team.png`). Only these are
 * changed before a block runs: `<key id>` and `<secret>` become the test's key
 * pair, and the default address (`http://127.0.0.1:4010`, `localhost:4010`, …) becomes a
 * recording proxy in front of the server, which sees every request and its status.
 *
 * A block must exit 0 (it runs under `set -e -o pipefail`) and no request may be answered with a
 * 4xx or 5xx, unless a `<!-- doc-example: expect: … -->` comment above it allows that status (and
 * then one must occur). Markers are documented in `test/support/doc-examples.ts`.
 */

/** The examples that do not run, by file and reason: a new one must be added here on purpose. */
const SKIPPED: string[] = [
  'docs/media.md: fetches an image from the internet (put the URL of a real image in media_url)',
  'docs/media.md: fetches an image from the internet (put the URL of a real image in photo_url)',
];

/** A 1×1 PNG: the `team.png` the group photo example uploads from the current directory. */
const TEAM_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

interface Recorded {
  method: string;
  url: string;
  status: number;
}

/** Forwards everything to `target`, recording each request's status for the block now running. */
class RecordingProxy {
  target = '';
  recorded: Recorded[] = [];
  private readonly server: Server = createServer((req, res) => {
    const target = new URL(this.target);
    const entry: Recorded = { method: req.method ?? '', url: req.url ?? '', status: 0 };
    this.recorded.push(entry);
    const upstream = forward(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        entry.status = answer.statusCode ?? 0;
        res.writeHead(entry.status, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** Variables bash sets itself (some only inside functions or after pipelines), and the runner's. */
const SHELL_OWN = ['FUNCNAME', 'PIPESTATUS', 'BASH_REMATCH', 'OLDPWD', 'DOC_STATE', 'DOC_BLOCK', 'DOC_BASELINE'];

/** What a block is run with: the file's shell state before and after, and a clean environment. */
const RUNNER = `set -e -o pipefail
save() {
  names=$(compgen -v | grep -E '^[A-Z][A-Z0-9_]*$' | grep -vxF -f "$DOC_BASELINE" || true)
  if [ -n "$names" ]; then declare -p $names > "$DOC_STATE"; fi
}
# A stream stopped with Ctrl-C keeps what the block set, as in a terminal.
trap 'save; exit 130' INT
if [ -f "$DOC_STATE" ]; then source "$DOC_STATE"; fi
source "$DOC_BLOCK"
save
`;

interface BlockResult {
  status: number | null;
  interrupted: boolean;
  output: string;
}

function runBlock(code: string, dir: string, interruptAfterSeconds?: number): Promise<BlockResult> {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    LANG: 'C.UTF-8',
    DOC_STATE: join(dir, 'state.sh'),
    DOC_BLOCK: join(dir, 'block.sh'),
    DOC_BASELINE: join(dir, 'baseline'),
  };
  writeFileSync(env.DOC_BLOCK, code);
  const child = spawn('bash', ['-c', RUNNER], { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  let interrupted = false;
  const stop = (signal: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const interrupt =
    interruptAfterSeconds === undefined
      ? undefined
      : setTimeout(() => {
          interrupted = true;
          stop('SIGINT');
        }, interruptAfterSeconds * 1000);
  const hung = setTimeout(() => stop('SIGKILL'), 45_000);
  return new Promise((resolve) => {
    child.on('close', (status) => {
      clearTimeout(interrupt);
      clearTimeout(hung);
      resolve({ status, interrupted, output });
    });
  });
}

function prepare(code: string, base: string): string {
  return code
    .replaceAll('<key id>', TEST_KEY_ID)
    .replaceAll('<secret>', TEST_SECRET)
    .replace(/(?:https?:\/\/)?(?:localhost|127\.0\.0\.1):4010\b/g, base);
}

const FILES = documentationFiles(REPO_ROOT).map((file) => ({ file, examples: docExamples(REPO_ROOT, file) }));

for (const { file, examples } of FILES) {
  const runnable = examples.filter((e) => e.skip === undefined);
  if (!runnable.some((e) => e.kind === 'curl')) continue;

  describe(`the shell examples of ${file}`, () => {
    const dir = tempDir('tapback-doc-examples-');
    const proxy = new RecordingProxy();
    let server: TestServer;
    let base: string;

    beforeAll(async () => {
      server = await startTestServer();
      proxy.target = server.url;
      base = await proxy.start();
      const names = spawnSync('bash', ['-c', "compgen -v | grep -E '^[A-Z][A-Z0-9_]*$'"], {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir.path, LANG: 'C.UTF-8' },
        encoding: 'utf8',
      }).stdout;
      writeFileSync(join(dir.path, 'baseline'), `${names}${SHELL_OWN.join('\n')}\n`);
      writeFileSync(join(dir.path, 'team.png'), Buffer.from(TEAM_PNG, 'base64'));
    });
    afterAll(async () => {
      await proxy.close();
      await server.close();
      dir.cleanup();
    });

    for (const example of runnable) {
      const name = `${file}:${example.line}${example.kind === 'setup' ? ' (sets variables)' : ''}`;
      it(name, async () => {
        const own = Object.keys(example.env).length > 0 ? await startTestServer(example.env) : undefined;
        proxy.target = own?.url ?? server.url;
        proxy.recorded = [];
        try {
          const result = await runBlock(prepare(example.code, base), dir.path, example.interruptAfterSeconds);
          checkBlock(example, result, proxy.recorded);
        } finally {
          proxy.target = server.url;
          await own?.close();
        }
      });
    }
  });
}

function checkBlock(example: DocExample, result: BlockResult, recorded: Recorded[]): void {
  const report = `${result.output}\nrequests: ${JSON.stringify(recorded)}`;
  if (example.interruptAfterSeconds !== undefined) expect(result.interrupted, report).toBe(true);
  else expect(result.status, report).toBe(0);
  if (example.kind === 'setup') return;
  expect(recorded.length, `no request reached the server through $BASE\n${report}`).toBeGreaterThan(0);
  const failed = recorded.filter((r) => r.status >= 400 || r.status === 0);
  expect(
    failed.filter((r) => !allowedStatus(r.status, example.expect)),
    report,
  ).toEqual([]);
  if (example.expect.length > 0)
    expect(failed.length, `the expect marker allows an error none got\n${report}`).toBeGreaterThan(0);
}

describe('the shell examples that do not run', () => {
  it('are exactly the known ones, each with its reason', () => {
    const skipped = FILES.flatMap(({ examples }) => examples.filter((e) => e.skip !== undefined)).map(
      (e) => `${e.file}: ${e.skip ?? ''}`,
    );
    expect(skipped).toEqual(SKIPPED);
  });
});
