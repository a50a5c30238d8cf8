import { Command } from 'commander';
import { createKeyPair } from '../accounts/credentials.js';
import type { Store } from '../store/store.js';
import { print, table, withStore } from './admin-store.js';
import { CliError } from './cli-error.js';

export async function requireAccount(store: Store, email: string) {
  const account = await store.findAccountByEmail(email);
  if (account === undefined)
    throw new CliError(`no account ${email}; create it with: tapback accounts create --email ${email}`);
  return account;
}

export function keyCommands(program: Command): Command {
  const keys = new Command('keys').description('manage API key pairs');
  keys
    .command('create')
    .description('create an API key pair; the secret is printed once')
    .requiredOption('--account <email>', 'the account')
    .option('--label <label>', 'a note to recognise the key by')
    .option('--json', 'print JSON')
    .action(async (opts: { account: string; label?: string; json?: boolean }) => {
      await withStore(program, async (store) => {
        const account = await requireAccount(store, opts.account);
        const { key, secret } = await createKeyPair(
          store,
          account.id,
          Date.now(),
          opts.label ? { label: opts.label } : {},
        );
        print(opts.json === true, { ...key, secret }, () => [
          `Created key for ${account.email}`,
          `  sb-api-key-id:     ${key.keyId}`,
          `  sb-api-secret-key: ${secret}`,
          'The secret is stored only as a digest; keep it now.',
        ]);
      });
    });
  keys
    .command('list')
    .description('list API keys (never secrets)')
    .option('--account <email>', 'only this account')
    .option('--json', 'print JSON')
    .action(async (opts: { account?: string; json?: boolean }) => {
      await withStore(program, async (store) => {
        const accountId = opts.account === undefined ? undefined : (await requireAccount(store, opts.account)).id;
        const list = await store.listApiKeys(accountId);
        print(opts.json === true, list, () =>
          table(
            ['KEY ID', 'ACCOUNT', 'STATE', 'LABEL'],
            list.map((k) => [k.keyId, k.accountEmail, k.revokedAt === null ? 'active' : 'revoked', k.label ?? '']),
          ),
        );
      });
    });
  keys
    .command('revoke')
    .description('revoke an API key; requests using it get 401 at once')
    .argument('<key-id>', 'the key id')
    .option('--json', 'print JSON')
    .action(async (keyId: string, opts: { json?: boolean }) => {
      await withStore(program, async (store) => {
        const revoked = await store.revokeApiKey(keyId, Date.now());
        if (!revoked) throw new CliError(`no active key ${keyId}`);
        print(opts.json === true, { keyId, revoked }, () => [`Revoked ${keyId}`]);
      });
    });
  return keys;
}
