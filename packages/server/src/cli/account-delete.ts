import { createInterface } from 'node:readline/promises';
import { Command } from 'commander';
import type { Account } from '../domain/account.js';
import type { Store } from '../store/store.js';
import { CliError } from './cli-error.js';
import { print, withStore } from './admin-store.js';

interface DeleteOptions {
  yes?: boolean;
  force?: boolean;
  json?: boolean;
}

/**
 * `tapback accounts delete <id|email>`: the account and everything it owns, for good, in one
 * transaction. Asks for the account's email on a terminal (or takes `--yes`), and refuses while
 * messages of the account are still QUEUED unless `--force`, since they would then never be sent.
 */
export function accountDeleteCommand(program: Command): Command {
  return new Command('delete')
    .description('delete an account and everything it owns (keys, lines, messages, webhooks, contacts…)')
    .argument('<account>', 'the account: its email, or its numeric id (accounts list --json)')
    .option('--yes', 'do not ask for confirmation (needed when stdin is not a terminal)')
    .option('--force', 'delete even while messages of the account are QUEUED (they are never sent)')
    .option('--json', 'print JSON')
    .action(async (ref: string, opts: DeleteOptions) => {
      await withStore(program, async (store) => {
        const account = await findAccount(store, ref);
        if (opts.force !== true) {
          const queued = await queuedCount(store, account);
          if (queued > 0) throw refusal(account, queued);
        }
        if (opts.yes !== true) await confirm(account);
        const result = await store.deleteAccount(account.id, { force: opts.force === true });
        if (result.kind === 'not_found') throw new CliError(`account ${account.email} no longer exists`);
        // A send may have been queued between the look above and the deletion's own check.
        if (result.kind === 'refused') throw refusal(account, result.queued);
        print(
          opts.json === true,
          { deleted: { id: account.id, email: account.email }, removed: result.removed },
          () => [
            `Deleted account ${account.email}`,
            ...Object.entries(result.removed)
              .filter(([table]) => table !== 'accounts')
              .map(([table, n]) => `  ${table}: ${n}`),
          ],
        );
      });
    });
}

async function findAccount(store: Store, ref: string): Promise<Account> {
  const account = /^\d+$/.test(ref)
    ? (await store.listAccounts()).find((a) => a.id === Number(ref))
    : await store.findAccountByEmail(ref);
  if (account === undefined) throw new CliError(`no account "${ref}" (see: tapback accounts list)`);
  return account;
}

async function queuedCount(store: Store, account: Account): Promise<number> {
  const page = await store.listMessages(account.id, {
    limit: 1,
    offset: 0,
    orderBy: 'createdAt',
    orderDirection: 'asc',
    status: 'QUEUED',
  });
  return page.total;
}

function refusal(account: Account, queued: number): CliError {
  return new CliError(
    `account ${account.email} has ${queued} QUEUED message${queued === 1 ? '' : 's'}: wait until they are sent, or pass --force to delete them unsent`,
  );
}

/** The account's email, typed back on the terminal; anything else deletes nothing. */
async function confirm(account: Account): Promise<void> {
  if (process.stdin.isTTY !== true) {
    throw new CliError(`deleting ${account.email} needs confirmation: run it on a terminal, or pass --yes`);
  }
  // The prompt goes to stderr, so `--json` output on stdout stays parseable.
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    process.stderr.write(
      `This deletes account ${account.email} and everything it owns (API keys, lines, messages, webhooks, contacts, media…). It cannot be undone.\n`,
    );
    const answer = await rl.question(`Type the account's email to confirm: `);
    if (answer.trim().toLowerCase() !== account.email.toLowerCase()) {
      throw new CliError(`"${answer.trim()}" is not ${account.email}: nothing was deleted`);
    }
  } finally {
    rl.close();
  }
}
