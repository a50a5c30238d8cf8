import { type ChildProcess, spawn } from 'node:child_process';
import { CLI_BIN, REPO_ROOT } from './cli-process.js';

/** A long-running `tapback` command (tail, webhooks listen) whose output a test reads as it comes. */
export interface FollowedCli {
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout; rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Sends `signal` and resolves with the exit code once the process has ended. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const running = new Set<ChildProcess>();

/** Starts `node bin/tapback.js ...args` with `env` (no other TAPBACK_* setting of the parent). */
export function followCli(args: string[], env: Record<string, string>): FollowedCli {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TAPBACK_')));
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...base, NO_COLOR: '1', ...env },
    stdio: 'pipe',
  });
  running.add(child);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  return {
    stdout: () => out,
    stderr: () => err,
    waitFor: async (pattern, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(out);
        if (match !== null) return match;
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`no ${String(pattern)} in the output\n--- stdout\n${out}\n--- stderr\n${err}`);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    stop: async (signal = 'SIGINT') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** SIGKILLs every followed command still running (afterAll). */
export function killFollowed(): void {
  for (const child of running) child.kill('SIGKILL');
}
