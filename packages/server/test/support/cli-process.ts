import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TEST_SECRET_KEY } from './backends.js';

/** The repository root and the `tapback` binary (which runs the compiled dist/: `npm run build` first). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const CLI_BIN = fileURLToPath(new URL('../../bin/tapback.js', import.meta.url));
const COMPILED_CLI = new URL('../../dist/cli/main.js', import.meta.url);

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Every child still running, so a failed test cannot leak one: `killAllChildren()` in afterAll. */
const running = new Set<ChildProcess>();

/** The parent's environment without any Tapback setting, plus `env`. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('TAPBACK_') && k !== 'DATABASE_URL'),
  );
  // PostgreSQL requires TAPBACK_SECRET_KEY; a test that is not about it gets the tests' key.
  const key = env.DATABASE_URL?.startsWith('postgres') === true ? { TAPBACK_SECRET_KEY: TEST_SECRET_KEY } : {};
  return { ...base, NO_COLOR: '1', ...key, ...env };
}

function assertBuilt(): void {
  if (!existsSync(COMPILED_CLI)) throw new Error('the CLI is not compiled: run `npm run build` first');
}

function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/**
 * Runs `node packages/server/bin/tapback.js ...args` (or `command` with `args`) to completion.
 * Killed after `timeoutMs`.
 */
export function runCli(
  args: string[],
  env: Record<string, string>,
  options: { cwd?: string; timeoutMs?: number; command?: string } = {},
): Promise<CliResult> {
  if (options.command === undefined) assertBuilt();
  const command = options.command ?? process.execPath;
  const argv = options.command === undefined ? [CLI_BIN, ...args] : args;
  const child = track(spawn(command, argv, { cwd: options.cwd ?? REPO_ROOT, env: childEnv(env), stdio: 'pipe' }));
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A `tapback serve` child process, listening on the URL its banner printed. */
export interface ServerProcess {
  url: string;
  pid: number;
  /** Everything printed so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

/**
 * Starts `tapback serve` with `env` (port 0 unless given) and resolves once its banner names the
 * URL it listens on, or rejects with its output if it exits or takes longer than `timeoutMs`.
 */
export function startServerProcess(env: Record<string, string>, timeoutMs = 15_000): Promise<ServerProcess> {
  assertBuilt();
  const child = track(
    spawn(process.execPath, [CLI_BIN, 'serve'], {
      cwd: REPO_ROOT,
      env: childEnv({ TAPBACK_PORT: '0', TAPBACK_HOST: '127.0.0.1', TAPBACK_LOG_LEVEL: 'warn', ...env }),
      stdio: 'pipe',
    }),
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let settled = false;
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`tapback serve ${why}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
    };
    const timer = setTimeout(() => fail(`printed no URL within ${timeoutMs} ms`), timeoutMs);
    void exited.then(({ code, signal }) => fail(`exited early (code ${code}, signal ${signal})`));
    const poll = setInterval(() => {
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match?.[1] === undefined || settled) return;
      settled = true;
      clearInterval(poll);
      clearTimeout(timer);
      resolve({
        url: match[1],
        pid: child.pid ?? -1,
        output: () => ({ stdout, stderr }),
        exited,
        kill: (signal) => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        },
      });
    }, 10);
  });
}

/** SIGKILLs every child these helpers started that is still running, and waits for them to go. */
export async function killAllChildren(): Promise<void> {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}
