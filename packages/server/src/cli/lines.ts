import { Command } from 'commander';
import { AppError } from '../domain/errors.js';
import { parsePhone } from '../domain/phone.js';
import { print, table, withStore } from './admin-store.js';
import { requireAccount } from './keys.js';
import { CliError } from './cli-error.js';

const PROVIDERS = ['sandbox'];

export function lineCommands(program: Command): Command {
  const lines = new Command('lines').description('manage lines (the numbers an account sends from)');
  lines
    .command('add')
    .description('add a line to an account')
    .requiredOption('--account <email>', 'the account')
    .requiredOption('--number <e164>', 'the line’s number, E.164 (+1...)')
    .option('--provider <name>', `network that carries it (${PROVIDERS.join(', ')})`, 'sandbox')
    .option('--json', 'print JSON')
    .action(async (opts: { account: string; number: string; provider: string; json?: boolean }) => {
      if (!PROVIDERS.includes(opts.provider)) throw new CliError(`unknown provider "${opts.provider}"`);
      let number: string;
      try {
        number = parsePhone(opts.number, 'number');
      } catch (error) {
        throw new CliError(error instanceof AppError ? error.message : String(error));
      }
      await withStore(program, async (store) => {
        const account = await requireAccount(store, opts.account);
        const existing = await store.findLine(number);
        if (existing) throw new CliError(`line ${number} already belongs to ${existing.accountEmail}`);
        const line = await store.addLine({ accountId: account.id, number, provider: opts.provider, now: Date.now() });
        print(opts.json === true, line, () => [`Added line ${line.number} (${line.provider}) to ${account.email}`]);
      });
    });
  lines
    .command('list')
    .description('list lines')
    .option('--account <email>', 'only this account')
    .option('--json', 'print JSON')
    .action(async (opts: { account?: string; json?: boolean }) => {
      await withStore(program, async (store) => {
        const accountId = opts.account === undefined ? undefined : (await requireAccount(store, opts.account)).id;
        const list = await store.listLines(accountId);
        print(opts.json === true, list, () =>
          table(
            ['NUMBER', 'PROVIDER', 'ACCOUNT'],
            list.map((l) => [l.number, l.provider, l.accountEmail]),
          ),
        );
      });
    });
  return lines;
}
