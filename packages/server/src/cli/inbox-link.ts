import { Command } from 'commander';
import { BOOTSTRAP_EMAIL } from '../accounts/bootstrap.js';
import { SignInLinks, signInUrl } from '../accounts/sign-in-links.js';
import { loadConfig } from '../config/config.js';
import { SystemClock } from '../domain/clock.js';
import { print, withStore } from './admin-store.js';
import { CliError } from './cli-error.js';

/**
 * `tapback inbox link`: a fresh one-time sign-in link to the web inbox, minted on the configured
 * database, for a server that printed none (not a zero-config start, or its link was used or
 * expired). The link's base is `--url`, else TAPBACK_PUBLIC_URL, else TAPBACK_HOST and TAPBACK_PORT.
 *
 * @example npx tapback inbox link --account ops@example.com
 */
export function inboxCommands(program: Command): Command {
  const inbox = new Command('inbox').description('the web inbox');
  inbox
    .command('link')
    .description('print a one-time sign-in link to the web inbox (valid once, for 15 minutes)')
    .option('--account <email>', `the account to sign in to (default ${BOOTSTRAP_EMAIL})`)
    .option('--url <base>', 'the server’s base URL in the link (default TAPBACK_PUBLIC_URL, else host and port)')
    .option('--json', 'print JSON')
    .action(async (opts: { account?: string; url?: string; json?: boolean }) => {
      const flags = program.opts<{ databaseUrl?: string }>();
      const config = loadConfig({ flags: { 'database-url': flags.databaseUrl }, env: process.env });
      const base = opts.url ?? config.publicUrl ?? `http://${hostInUrl(config.host)}:${config.port}`;
      const email = opts.account ?? BOOTSTRAP_EMAIL;
      await withStore(program, async (store) => {
        const minted = await new SignInLinks({ store, clock: new SystemClock() }).mint(email);
        if ('refused' in minted) {
          throw new CliError(
            minted.refused === 'no_account'
              ? `no account ${email}; name one with --account <email> (npx tapback accounts list)`
              : `${minted.email} has no active key pair, and a sign-in session acts as one; create one with: npx tapback keys create --account ${minted.email}`,
          );
        }
        const url = signInUrl(base, minted.code);
        print(opts.json === true, { url, account: minted.email, expiresAt: minted.expiresAt }, () => [
          url,
          `Signs a browser in to ${minted.email} once, until ${new Date(minted.expiresAt).toISOString()}.`,
        ]);
      });
    });
  return inbox;
}

/** An address to listen on, as a URL's host: any-address binds are reached on loopback; IPv6 in brackets. */
function hostInUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
