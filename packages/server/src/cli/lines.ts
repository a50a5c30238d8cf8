import { Command } from 'commander';
import { AppError } from '../domain/errors.js';
import type { LineHealth } from '../domain/line.js';
import { parsePhone } from '../domain/phone.js';
import { LINE_PROVIDERS, maskSettings, settingsFromOptions } from './line-settings.js';
import { print, table, withStore } from './admin-store.js';
import { requireAccount } from './keys.js';
import { CliError } from './cli-error.js';
import { type RouteOptions, applyRouteOptions, describeRoute, hasRouteOptions, routeOptions } from './line-routes.js';

interface ProviderOptions {
  provider?: string;
  smppUrl?: string;
  bluebubblesUrl?: string;
  bluebubblesPassword?: string;
}

function phone(raw: string): string {
  try {
    return parsePhone(raw, 'number');
  } catch (error) {
    throw new CliError(error instanceof AppError ? error.message : String(error));
  }
}

const providerOptions = (command: Command, defaultProvider?: string): Command =>
  command
    .option(
      '--provider <name>',
      `network that carries it (${LINE_PROVIDERS.join(', ')})${defaultProvider ? '' : '; default: unchanged'}`,
      defaultProvider,
    )
    .option(
      '--smpp-url <url>',
      'for --provider smpp: smpp[s]://SYSTEM_ID:PASSWORD@HOST:PORT?bind=transceiver&window=10&rate=50… (see docs/providers.md)',
    )
    .option('--bluebubbles-url <url>', 'for --provider bluebubbles: the BlueBubbles Server URL, http[s]://HOST:PORT')
    .option('--bluebubbles-password <password>', 'for --provider bluebubbles: the server password (stored sealed)');

/**
 * `tapback lines …`: which numbers an account sends from, and the network that carries each. The
 * CLI writes the database directly; a running server picks changes up within TAPBACK_LINES_RELOAD_MS
 * and restarts only the changed line's provider.
 */
export function lineCommands(program: Command): Command {
  const lines = new Command('lines').description('manage lines (the numbers an account sends from)');
  routeOptions(
    providerOptions(
      lines
        .command('add')
        .description('add a line to an account')
        .requiredOption('--account <email>', 'the account')
        .requiredOption('--number <e164>', 'the line’s number, E.164 (+1...)'),
      'sandbox',
    ),
  )
    .option('--json', 'print JSON')
    .action(async (opts: ProviderOptions & RouteOptions & { account: string; number: string; json?: boolean }) => {
      const number = phone(opts.number);
      const provider = opts.provider ?? 'sandbox';
      const settings = settingsFromOptions(provider, opts);
      await withStore(program, async (store) => {
        const account = await requireAccount(store, opts.account);
        const existing = await store.findLine(number);
        if (existing) throw new CliError(`line ${number} already belongs to ${existing.accountEmail}`);
        const added = await store.addLine({ accountId: account.id, number, provider, settings, now: Date.now() });
        const line = hasRouteOptions(opts) ? await applyRouteOptions(store, added, opts) : added;
        print(opts.json === true, line, () => [`Added line ${line.number} (${line.provider}) to ${account.email}`]);
      });
    });
  routeOptions(
    providerOptions(
      lines
        .command('set')
        .description(
          'change the network of a line, its settings or its SMS fallback (a running server restarts only its provider)',
        )
        .requiredOption('--number <e164>', 'the line'),
    ),
  )
    .option('--json', 'print JSON')
    .action(async (opts: ProviderOptions & RouteOptions & { number: string; json?: boolean }) => {
      const number = phone(opts.number);
      await withStore(program, async (store) => {
        const existing = await store.findLine(number);
        if (existing === undefined) throw new CliError(`no line ${number}`);
        const provider = opts.provider ?? existing.provider;
        if (provider === existing.provider && opts.smppUrl === undefined && opts.bluebubblesUrl === undefined) {
          if (hasRouteOptions(opts)) {
            const routed = await applyRouteOptions(store, existing, opts);
            print(opts.json === true, routed, () => [`Line ${routed.number}: SMS fallback ${describeRoute(routed)}`]);
            return;
          }
          throw new CliError('nothing to change: give --provider or a provider setting such as --smpp-url');
        }
        const settings = settingsFromOptions(provider, opts);
        const updated = await store.updateLine({ number, provider, settings, now: Date.now() });
        if (updated === undefined) throw new CliError(`no line ${number}`);
        const line = hasRouteOptions(opts) ? await applyRouteOptions(store, updated, opts) : updated;
        print(opts.json === true, line, () => [`Line ${line.number} is now carried by ${line.provider}`]);
      });
    });
  lines
    .command('remove')
    .description('unbind and remove a line that has no queued messages')
    .requiredOption('--number <e164>', 'the line')
    .option('--json', 'print JSON')
    .action(async (opts: { number: string; json?: boolean }) => {
      const number = phone(opts.number);
      await withStore(program, async (store) => {
        const outcome = await store.removeLine(number);
        if (outcome === 'not_found') throw new CliError(`no line ${number}`);
        if (outcome === 'has_queued') {
          throw new CliError(`line ${number} has queued messages; remove it once they are sent or failed`);
        }
        print(opts.json === true, { number, removed: true }, () => [`Removed line ${number}`]);
      });
    });
  lines
    .command('list')
    .description('list lines with their provider, settings (credentials masked) and health')
    .option('--account <email>', 'only this account')
    .option('--json', 'print JSON')
    .action(async (opts: { account?: string; json?: boolean }) => {
      await withStore(program, async (store) => {
        const accountId = opts.account === undefined ? undefined : (await requireAccount(store, opts.account)).id;
        const [list, configs, health] = await Promise.all([
          store.listLines(accountId),
          store.listLineConfigs(),
          store.listLineHealth(accountId),
        ]);
        const settingsOf = new Map(configs.map((c) => [c.number, maskSettings(c.provider, c.settings)]));
        const healthOf = new Map<string, LineHealth>(health.map((h) => [h.number, h]));
        const rows = list.map((l) => ({
          ...l,
          settings: settingsOf.get(l.number) ?? {},
          status: healthOf.get(l.number)?.status ?? 'UNKNOWN',
          statusChangedAt: healthOf.get(l.number)?.changedAt ?? null,
          lastError: healthOf.get(l.number)?.lastError ?? null,
        }));
        print(opts.json === true, rows, () =>
          table(
            ['NUMBER', 'PROVIDER', 'STATUS', 'ACCOUNT', 'SMS FALLBACK', 'SETTINGS', 'LAST ERROR'],
            rows.map((r) => [
              r.number,
              r.provider,
              r.status,
              r.accountEmail,
              describeRoute(r),
              Object.entries(r.settings)
                .map(([k, v]) => `${k}=${String(v)}`)
                .join(' ') || '-',
              r.lastError ?? '-',
            ]),
          ),
        );
      });
    });
  return lines;
}
