import { Command } from 'commander';
import { CliError } from './cli-error.js';
import { print, table, withStore } from './admin-store.js';
import { accountDeleteCommand } from './account-delete.js';

export function accountCommands(program: Command): Command {
  const accounts = new Command('accounts').description('manage accounts');
  accounts
    .command('create')
    .description('create an account')
    .requiredOption('--email <email>', 'the account email')
    .option('--plan <plan>', 'plan name shown on messages', 'dedicated')
    .option('--json', 'print JSON')
    .action(async (opts: { email: string; plan: string; json?: boolean }) => {
      if (!/^[^@\s]+@[^@\s]+$/.test(opts.email)) throw new CliError(`"${opts.email}" is not an email address`);
      await withStore(program, async (store) => {
        if (await store.findAccountByEmail(opts.email)) throw new CliError(`account ${opts.email} already exists`);
        const account = await store.createAccount({ email: opts.email, plan: opts.plan, now: Date.now() });
        print(opts.json === true, account, () => [`Created account ${account.email} (plan ${account.plan})`]);
      });
    });
  accounts
    .command('list')
    .description('list accounts')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await withStore(program, async (store) => {
        const all = await store.listAccounts();
        print(opts.json === true, all, () =>
          table(
            ['EMAIL', 'PLAN'],
            all.map((a) => [a.email, a.plan]),
          ),
        );
      });
    });
  accounts.addCommand(accountDeleteCommand(program));
  return accounts;
}
