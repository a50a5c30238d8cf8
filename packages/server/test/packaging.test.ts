import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT } from './support/cli-process.js';
import { tempDir } from './support/temp-dir.js';

const run = promisify(execFile);

/**
 * The published packages, proved outside the repository: both are packed as `npm publish` would,
 * installed from the tarballs into an empty directory (dependencies from the registry, better-sqlite3
 * compiled there if no prebuilt binary fits), and the installed `tapback serve` answers a send made
 * through the installed client. Nothing from the workspace's node_modules can leak in.
 */

interface PackedFile {
  path: string;
}
interface Packed {
  name: string;
  filename: string;
  files: PackedFile[];
}

/** Without npm_* variables: under `npm test` they describe the workspace, not the empty project. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(
    ([k]) => !k.startsWith('npm_') && !k.startsWith('TAPBACK_') && k !== 'DATABASE_URL' && k !== 'INIT_CWD',
  );
  return { ...Object.fromEntries(kept), NO_COLOR: '1', ...extra };
}

const work = tempDir('tapback-packaging-');
const packs = join(work.path, 'packs');
const app = join(work.path, 'app');
const packed = new Map<string, Packed>();
let server: ChildProcess | undefined;
let installMs = 0;

async function pack(dir: string): Promise<Packed> {
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packs], {
    cwd: join(REPO_ROOT, dir),
    env: cleanEnv(),
    maxBuffer: 64 * 1024 * 1024,
  });
  const [result] = JSON.parse(stdout) as Packed[];
  if (result === undefined) throw new Error(`npm pack printed nothing for ${dir}`);
  return result;
}

beforeAll(async () => {
  mkdirSync(packs);
  mkdirSync(app);
  for (const dir of ['packages/server', 'packages/client']) {
    const result = await pack(dir);
    packed.set(result.name, result);
  }
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'packaging-check', private: true }));
  const started = Date.now();
  // One install for both: the client has no dependencies, the server's come from the registry.
  await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      ...[...packed.values()].map((p) => join(packs, p.filename)),
    ],
    { cwd: app, env: cleanEnv(), maxBuffer: 64 * 1024 * 1024 },
  );
  installMs = Date.now() - started;
}, 900_000);

/** Signals `npx` and what it started: npm does not pass a signal on to the command it runs. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // The group is gone already.
  }
}

function groupAlive(child: ChildProcess): boolean {
  try {
    process.kill(-child.pid!, 0);
    return true;
  } catch {
    return false;
  }
}

afterAll(() => {
  if (server !== undefined && groupAlive(server)) signalGroup(server, 'SIGKILL');
  work.cleanup();
});

function contents(name: string): string[] {
  const result = packed.get(name);
  if (result === undefined) throw new Error(`${name} was not packed`);
  return result.files.map((f) => f.path).sort();
}

describe.each(['tapback', '@tapback/client'])('the %s tarball', (name) => {
  it('holds a licence, a README, types and no tests', () => {
    const files = contents(name);
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/index.d.ts']));
    expect(files.filter((f) => /\.test\.|(^|\/)test\/|tsbuildinfo/.test(f))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules', name, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(manifest).toMatchObject({ license: 'MIT', type: 'module', engines: { node: expect.any(String) } });
    expect(manifest.repository).toMatchObject({ type: 'git', url: expect.stringMatching(/^git\+https:/) });
    expect((manifest.keywords as string[]).length).toBeGreaterThan(0);
  });

  it('ships the source of every source map', () => {
    const files = new Set(contents(name));
    const missing: string[] = [];
    for (const map of [...files].filter((f) => f.endsWith('.js.map'))) {
      const { sources } = JSON.parse(readFileSync(join(app, 'node_modules', name, map), 'utf8')) as {
        sources: string[];
      };
      for (const source of sources) {
        const path = posix.normalize(posix.join(posix.dirname(map), source));
        if (!files.has(path)) missing.push(`${map} -> ${path}`);
      }
      // Every compiled module's map sits beside it, so the sourceMappingURL comment resolves too.
      expect(files.has(map.replace(/\.map$/, ''))).toBe(true);
    }
    expect(missing).toEqual([]);
  });
});

describe('the installed packages', () => {
  it('the server tarball carries both backends’ migrations next to the code that reads them', () => {
    const files = contents('tapback');
    for (const backend of ['sqlite', 'postgres']) {
      const shipped = files.filter((f) => f.startsWith(`dist/store/${backend}/migrations/`));
      const inRepo = readdirSorted(join(REPO_ROOT, `packages/server/src/store/${backend}/migrations`));
      expect(shipped.map((f) => posix.basename(f))).toEqual(inRepo);
    }
  });

  it('`npx tapback serve` starts with sandbox defaults and the installed client sends through it', async () => {
    const started = startServe();
    server = started.child;
    const url = await started.url;
    expect(existsSync(join(app, 'data', 'tapback.db'))).toBe(true);
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);

    const banner = started.output();
    const keyId = /sb-api-key-id:\s+(\S+)/.exec(banner)?.[1];
    const secret = /sb-api-secret-key:\s+(\S+)/.exec(banner)?.[1];
    const line = /sandbox line:\s+(\S+)/.exec(banner)?.[1];
    expect([keyId, secret, line].every((v) => v !== undefined)).toBe(true);

    // The web inbox ships built inside the package, and the banner's one-time link signs in to it.
    const link = /Inbox: (\S+)#sign-in=(\S+)/.exec(banner);
    expect(link?.[1]).toBe(`${url}/inbox/`);
    const page = await fetch(`${url}/inbox/`);
    expect(page.status).toBe(200);
    const script = /src="(\/inbox\/assets\/[^"]+\.js)"/.exec(await page.text())?.[1];
    expect((await fetch(`${url}${script ?? '/inbox/assets/missing.js'}`)).status).toBe(200);
    const signIn = await fetch(`${url}/api/session/link`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: link?.[2] }),
    });
    expect(signIn.status).toBe(200);

    // The client as an application imports it: by package name, ESM, from the app's node_modules.
    writeFileSync(
      join(app, 'send.mjs'),
      `import { Tapback } from '@tapback/client';
const client = new Tapback({ apiKey: process.env.KEY, apiSecret: process.env.SECRET, baseURL: process.env.BASE });
const sent = await client.messages.send({ number: '+19998887777', from_number: process.env.LINE, content: 'packed' });
const done = await client.messages.waitFor(sent.message_handle, { status: 'DELIVERED', timeoutMs: 20000 });
console.log(JSON.stringify({ sent: sent.status, done: done.status, content: done.content }));
`,
    );
    const { stdout } = await run(process.execPath, ['send.mjs'], {
      cwd: app,
      env: cleanEnv({ KEY: keyId!, SECRET: secret!, BASE: url, LINE: line! }),
    });
    expect(JSON.parse(stdout)).toEqual({ sent: 'QUEUED', done: 'DELIVERED', content: 'packed' });

    // SIGTERM, as systemd stops it: the server drains and exits, and nothing is left running.
    signalGroup(server, 'SIGTERM');
    await vi.waitFor(() => expect(groupAlive(server!)).toBe(false), { timeout: 20_000, interval: 100 });
    expect(started.output()).toContain('shutting down');
    expect(started.output()).not.toContain('shutdown failed');
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    // Recorded for whoever wonders why this file is slow: the install is nearly all of it.
    console.info(`packaging: npm install of both tarballs took ${Math.round(installMs / 1000)} s`);
  }, 60_000);

  it('both packages’ types resolve by package name, as a TypeScript project sees them', () => {
    const file = join(app, 'check.ts');
    writeFileSync(
      file,
      `import { Tapback, type MessageResponse } from '@tapback/client';
import { loadConfig, startServer, type Server } from 'tapback';
const client = new Tapback({ apiKey: 'k', apiSecret: 's', baseURL: 'http://127.0.0.1:1' });
export const send: Promise<unknown> = client.messages.send({ number: '+19998887777', from_number: '+15550001000', content: 'x' });
export const handle = (m: MessageResponse): string | undefined => m.message_handle;
export const boot = (): Promise<Server> => startServer(loadConfig({ env: { TAPBACK_PORT: '0' } }));
// @ts-expect-error: the client's types reject a send without a recipient
void client.messages.send({ from_number: '+15550001000', content: 'x' });
`,
    );
    const program = ts.createProgram([file], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
      typeRoots: [join(app, 'node_modules', '@types')],
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(diagnostics).toEqual([]);
    // Resolved from the installed packages, not from the workspace.
    const resolved = program.getSourceFiles().map((f) => f.fileName);
    expect(resolved.some((f) => f.startsWith(join(app, 'node_modules/@tapback/client/dist/')))).toBe(true);
    expect(resolved.some((f) => f.startsWith(join(app, 'node_modules/tapback/dist/')))).toBe(true);
  });
});

function readdirSorted(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
}

function startServe(): { child: ChildProcess; url: Promise<string>; output: () => string } {
  // The installed bin, as `npx` finds it in an application's directory; the database goes in ./data.
  const child = spawn('npx', ['--no-install', 'tapback', 'serve'], {
    cwd: app,
    env: cleanEnv({ TAPBACK_PORT: '0', TAPBACK_HOST: '127.0.0.1' }),
    stdio: 'pipe',
    // Its own process group, so the server npx starts is signalled (and never left behind) too.
    detached: true,
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 30 s\n${out}\n${err}`)), 30_000);
    child.once('exit', (code) => reject(new Error(`tapback serve exited ${code}\n${out}\n${err}`)));
    const poll = setInterval(() => {
      // The banner is complete once its last block (the status curl) is printed.
      const match = /listening on (http:\/\/\S+)[\s\S]*Then: curl/.exec(out);
      if (match?.[1] === undefined) return;
      clearInterval(poll);
      clearTimeout(timer);
      resolve(match[1]);
    }, 20);
  });
  return { child, url, output: () => out + err };
}
