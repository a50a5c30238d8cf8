import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { type BannerInfo, banner } from '../src/cli/serve.js';
import { webhookCommands } from '../src/cli/webhooks.js';
import { REPO_ROOT } from './support/cli-process.js';
import { documentationFiles } from './support/doc-examples.js';
import { TEST_SECRET, type TestServer, startTestServer } from './support/test-server.js';

/**
 * Sections written for people changing Tapback rather than running it: they may name source files.
 * Everything else in the README and `docs/` is for users, and names only what users see.
 */
const CONTRIBUTOR_SECTIONS: Record<string, string[] | 'all'> = {
  'README.md': ['How the code is laid out', 'Development'],
  'docs/providers.md': ['Writing a provider'],
  // Measurements and the code each profile points at.
  'docs/performance.md': 'all',
};

/**
 * Subsections citing another project's source files (`### Sources: …`): those paths are that
 * project's, named so a reader can check Tapback's wire format against them.
 */
const CITATIONS = /^### Sources: [^\n]*\n[\s\S]*?(?=^#{1,3} |(?![\s\S]))/gm;

/** The text of a Markdown file without its contributor sections (a `## ` heading and what follows it). */
function userText(file: string): string {
  const excluded = CONTRIBUTOR_SECTIONS[file] ?? [];
  if (excluded === 'all') return '';
  const text = readFileSync(join(REPO_ROOT, file), 'utf8').replace(CITATIONS, '');
  return text
    .split(/^(?=## )/m)
    .filter((section) => !excluded.some((title) => section.startsWith(`## ${title}\n`)))
    .join('');
}

// The server under test runs in this process: a synchronous child would block it.
const run = promisify(execFile);

const USER_DOCS = documentationFiles(REPO_ROOT).map((file) => ({ file, text: userText(file) }));

function occurrences(pattern: RegExp): string[] {
  return USER_DOCS.flatMap(({ file, text }) => [...text.matchAll(pattern)].map((m) => `${file}: ${m[0]}`));
}

describe('the user documentation', () => {
  it('covers the README and every docs/*.md, with contributor sections that exist', () => {
    expect(USER_DOCS.map((d) => d.file)).toContain('docs/webhooks.md');
    for (const [file, sections] of Object.entries(CONTRIBUTOR_SECTIONS)) {
      const text = readFileSync(join(REPO_ROOT, file), 'utf8');
      if (sections !== 'all') for (const title of sections) expect(text, file).toContain(`\n## ${title}\n`);
    }
  });

  it('names no internals: store methods, source files, paths into packages/', () => {
    expect(occurrences(/\bStore\.[a-z]\w*/g)).toEqual([]);
    expect(occurrences(/`[\w./-]+\.(?:ts|js)`/g)).toEqual([]);
    expect(occurrences(/packages\/server\/\S*/g)).toEqual([]);
  });

  it('points at nothing outside the repository (no ../ paths, no site-absolute links)', () => {
    expect(occurrences(/\.\.\/\S*/g)).toEqual([]);
    expect(occurrences(/\]\(\/[^)]*\)/g)).toEqual([]);
  });

  it('uses the server’s default port, and the webhook listener’s, and no other', () => {
    const serverPort = loadConfig({ env: {} }).port;
    const listen = webhookCommands().commands.find((c) => c.name() === 'listen');
    const listenerPort = Number(listen?.options.find((o) => o.long === '--port')?.defaultValue);
    expect([serverPort, listenerPort]).toEqual([4010, 4011]);
    const known = [serverPort, listenerPort, READERS_APP_PORT].map(String);
    const ports = occurrences(/(?:localhost|127\.0\.0\.1):(\d+)/g).filter(
      (hit) => !known.includes(/:(\d+)$/.exec(hit)?.[1] ?? ''),
    );
    expect(ports).toEqual([]);
    const listenPorts = occurrences(/webhooks listen[^\n`]*?--port (\d+)/g).filter(
      (hit) => !hit.endsWith(`--port ${listenerPort}`),
    );
    expect(listenPorts).toEqual([]);
  });
});

/** The reader's own application in examples (`webhooks listen --forward-to http://localhost:3000/hook`). */
const READERS_APP_PORT = 3000;

const BASE_INFO: Omit<BannerInfo, 'boot' | 'accounts'> = {
  url: 'http://127.0.0.1:4010',
  database: 'sqlite:./data/tapback.db (role: all)',
  durability: { journalMode: 'wal', synchronous: 2 },
  clock: 'system',
  allowPrivate: ['127.0.0.0/8'],
  apiReference: 'http://127.0.0.1:4010/docs',
};

describe('the serve banner', () => {
  it('fills the generated credentials into both commands', () => {
    const text = banner({
      ...BASE_INFO,
      accounts: 1,
      boot: { created: true, email: 'dev@tapback.local', keyId: 'key_abc', secret: 'sec_xyz', line: '+15550001000' },
    });
    const then = text.split('\n').find((l) => l.startsWith('Then: '));
    expect(then).toBe(
      `Then: curl -s 'http://127.0.0.1:4010/api/status?handle=<message_handle>' -H 'sb-api-key-id: key_abc' -H "sb-api-secret-key: sec_xyz"`,
    );
    expect(text).toContain(`-H 'sb-api-key-id: key_abc' -H "sb-api-secret-key: sec_xyz" \\`);
    expect(text).toContain('API docs: http://127.0.0.1:4010/docs');
    expect(text).not.toMatch(/\.\.\.|…|and others/);
  });

  it('names every account there is, and no others', () => {
    const boot = { created: false, email: 'ops@example.com', keyId: null, secret: null, line: null };
    const one = banner({ ...BASE_INFO, accounts: 1, boot });
    expect(one).toContain(
      'Accounts: ops@example.com. Create a key pair with: npx tapback keys create --account ops@example.com',
    );
    const three = banner({ ...BASE_INFO, accounts: 3, boot });
    expect(three).toContain('Accounts: ops@example.com and 2 more (npx tapback accounts list).');
    expect(one + three).not.toContain('and others');
  });

  it('shows no line it does not have', () => {
    const text = banner({
      ...BASE_INFO,
      accounts: 1,
      boot: { created: true, email: 'dev@tapback.local', keyId: 'k', secret: 's', line: null },
    });
    expect(text).not.toContain('+15550001000');
    expect(text).toContain('sandbox line:      none (add a line: npx tapback lines add --account dev@tapback.local');
  });

  describe('printed by a server with configured credentials', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer();
    });
    afterAll(() => server.close());

    it('gives commands that run as printed, the secret taken from the environment', async () => {
      const text = banner({ ...BASE_INFO, url: server.url, accounts: 1, boot: server.server.bootstrap });
      const lines = text.split('\n');
      const start = lines.indexOf('Send a message:');
      const send = lines
        .slice(start + 1)
        .join('\n')
        .split('\n\n')[0];
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', TAPBACK_BOOTSTRAP_API_SECRET: TEST_SECRET };
      const sent = JSON.parse((await run('bash', ['-c', send ?? ''], { env })).stdout) as {
        message_handle?: string;
        status?: string;
      };
      expect(sent.status).toBe('QUEUED');
      const then = (lines.find((l) => l.startsWith('Then: ')) ?? '')
        .slice('Then: '.length)
        .replace('<message_handle>', sent.message_handle ?? '');
      const status = JSON.parse((await run('bash', ['-c', then], { env })).stdout) as {
        message_handle?: string;
      };
      expect(status.message_handle).toBe(sent.message_handle);
    });
  });
});
