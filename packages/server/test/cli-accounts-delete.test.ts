import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { databaseLocation } from '../src/config/config.js';
import { openStore } from '../src/store/open-store.js';
import type { Store } from '../src/store/store.js';
import { SERVER_BACKENDS, TEST_SECRET_KEY, twoAccounts } from './support/backends.js';
import { CLI_BIN, killAllChildren, runCli } from './support/cli-process.js';
import { messageDraft } from './support/message-draft.js';

/**
 * `tapback accounts delete`, as an operator runs it: the compiled CLI in a process of its own
 * against a database a server could be using, on each backend.
 */

const LINE_A = '+15550001000';
const LINE_B = '+15550002000';
const CONTACT = '+19998887777';

// Each test spawns the CLI two or three times; on a busy machine one spawn takes seconds.
vi.setConfig({ testTimeout: 60_000 });
afterAll(killAllChildren);

describe.each(SERVER_BACKENDS)('tapback accounts delete ($name)', (backend) => {
  let db: { url: string; dispose(): Promise<void> };
  let env: Record<string, string>;

  /** Opens the database as the CLI does, runs `use`, and closes it again before the CLI runs. */
  async function withDb<T>(use: (store: Store) => Promise<T>): Promise<T> {
    const store = await openStore(databaseLocation(db.url), { secretKey: TEST_SECRET_KEY });
    try {
      return await use(store);
    } finally {
      await store.close();
    }
  }

  async function emails(): Promise<string[]> {
    return withDb(async (store) => (await store.listAccounts()).map((a) => a.email).sort());
  }

  beforeEach(async () => {
    db = await backend.createDatabase();
    env = { DATABASE_URL: db.url, TAPBACK_SECRET_KEY: TEST_SECRET_KEY };
    // Two accounts, each with a line and a QUEUED message (no server runs: nothing delivers it).
    await withDb(async (store) => {
      const { a, b } = await twoAccounts(store, { a: [LINE_A], b: [LINE_B] });
      for (const [account, line] of [
        [a, LINE_A],
        [b, LINE_B],
      ] as const) {
        const r = await store.acceptOutbound({
          message: messageDraft(account, line, CONTACT, { createdAt: Date.now() }),
          queueLimit: 100,
        });
        expect(r.kind).toBe('accepted');
      }
    });
  });
  afterEach(async () => {
    await db.dispose();
  });

  it('refuses while the account has QUEUED messages, deleting nothing', async () => {
    const r = await runCli(['accounts', 'delete', 'a@example.com', '--yes'], env);

    expect(r.code).toBe(2);
    expect(r.stderr).toContain('a@example.com has 1 QUEUED message');
    expect(r.stderr).toContain('--force');
    expect(await emails()).toEqual(['a@example.com', 'b@example.com']);
  });

  it('--force deletes the account with its queued message; the other account keeps everything', async () => {
    const r = await runCli(['accounts', 'delete', 'A@Example.com', '--yes', '--force', '--json'], env);

    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { deleted: { email: string }; removed: Record<string, number> };
    expect(out.deleted.email).toBe('a@example.com');
    expect(out.removed).toMatchObject({ accounts: 1, lines: 1, messages: 1, jobs: 1 });
    expect(await emails()).toEqual(['b@example.com']);
    await withDb(async (store) => {
      const b = await store.findAccountByEmail('b@example.com');
      expect((await store.listLines(b!.id)).map((l) => l.number)).toEqual([LINE_B]);
      expect(await store.countJobs()).toBe(1);
    });
  });

  it('takes a numeric id, and says so for an account that does not exist', async () => {
    const id = await withDb(async (store) => (await store.findAccountByEmail('a@example.com'))!.id);

    const r = await runCli(['accounts', 'delete', String(id), '--yes', '--force'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Deleted account a@example.com');

    const again = await runCli(['accounts', 'delete', String(id), '--yes', '--force'], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`no account "${id}"`);
  });

  it('without --yes and without a terminal, asks for --yes and deletes nothing', async () => {
    const r = await runCli(['accounts', 'delete', 'a@example.com', '--force'], env);

    expect(r.code).toBe(2);
    expect(r.stderr).toContain('needs confirmation');
    expect(await emails()).toEqual(['a@example.com', 'b@example.com']);
  });

  it('on a terminal, deletes only once the account’s email is typed back', async () => {
    // `script` (util-linux) runs the CLI on a pseudo-terminal and passes it what is piped to its stdin.
    const onTerminal = (typed: string) =>
      runCli(
        [
          '-c',
          `printf '${typed}\\n' | script -qec "'${process.execPath}' '${CLI_BIN}' accounts delete a@example.com --force" /dev/null`,
        ],
        env,
        { command: 'sh' },
      );

    const wrong = await onTerminal('b@example.com');
    expect(wrong.stdout).toContain("Type the account's email to confirm");
    expect(wrong.stdout).toContain('nothing was deleted');
    expect(wrong.code).toBe(2);
    expect(await emails()).toEqual(['a@example.com', 'b@example.com']);

    const right = await onTerminal('a@example.com');
    expect(right.stdout).toContain('Deleted account a@example.com');
    expect(right.code).toBe(0);
    expect(await emails()).toEqual(['b@example.com']);
  });
});
