import { Command } from 'commander';
import { loadConfig, redactUrl } from '../config/config.js';
import type { BootstrapResult } from '../accounts/bootstrap.js';
import { CliError } from './cli-error.js';
import { applyHeapGrowth } from './heap-growth.js';

export function serveCommand(): Command {
  return new Command('serve')
    .description('run the server')
    .option('--host <host>', 'address to listen on (TAPBACK_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port (TAPBACK_PORT, default 4010)')
    .option('--role <role>', 'api, worker or all (TAPBACK_ROLE, default all); split roles need PostgreSQL')
    .option('--log-level <level>', 'log level (TAPBACK_LOG_LEVEL, default info)')
    .option('--log-format <format>', 'auto, json or pretty (TAPBACK_LOG_FORMAT, default auto: pretty on a terminal)')
    .option('--clock <mode>', 'system or manual (TAPBACK_CLOCK)')
    .option('--sandbox-sent-delay-ms <ms>', 'sandbox delay to SENT')
    .option('--sandbox-delivered-delay-ms <ms>', 'sandbox delay from SENT to DELIVERED')
    .action(async (opts: Record<string, string | undefined>, command: Command) => {
      const global = command.parent?.opts<{ databaseUrl?: string }>() ?? {};
      const config = loadConfig({
        flags: {
          host: opts.host,
          port: opts.port,
          role: opts.role,
          'log-level': opts.logLevel,
          'log-format': opts.logFormat,
          clock: opts.clock,
          'sandbox-sent-delay-ms': opts.sandboxSentDelayMs,
          'sandbox-delivered-delay-ms': opts.sandboxDeliveredDelayMs,
          'database-url': global.databaseUrl,
        },
        env: process.env,
      });
      applyHeapGrowth();
      // Loaded here, not at the top: the admin commands never need the HTTP server or the worker.
      const { startServer } = await import('../main.js');
      const { createLogger } = await import('./logger.js');
      const server = await startServer(config, await createLogger(config)).catch((error: unknown) => {
        // The one start-up failure a user causes most: say which port and how to choose another.
        if ((error as { code?: unknown }).code === 'EADDRINUSE') {
          throw new CliError(
            `port ${config.port} on ${config.host} is already in use: stop what holds it, or choose another port with TAPBACK_PORT or --port`,
          );
        }
        throw error;
      });
      process.stdout.write(
        banner({
          url: server.url,
          database: `${redactUrl(config.databaseUrl)} (role: ${config.role})`,
          durability: server.store.durability?.() ?? null,
          clock: config.clock,
          boot: server.bootstrap,
          allowPrivate: config.webhooks.allowPrivateCidrs,
          accounts: server.bootstrap.keyId === null ? (await server.store.listAccounts()).length : 1,
          // A worker's HTTP port serves only /healthz and /readyz.
          apiReference: config.role === 'worker' ? null : `${server.url}/docs`,
          inbox: server.inboxLink,
        }),
      );
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        server.app.log.info({ signal }, 'shutting down: draining requests and jobs');
        // Draining is bounded: a request or network call that outlives the bound is abandoned
        // (its job is retried by the next process once its lease expires; nothing acknowledged is lost).
        setTimeout(() => {
          server.app.log.error(
            { timeoutMs: config.shutdownTimeoutMs },
            'shutdown did not finish within TAPBACK_SHUTDOWN_TIMEOUT_MS; exiting with work still in flight',
          );
          process.exit(1);
        }, config.shutdownTimeoutMs).unref();
        server.close().then(
          () => process.exit(0),
          (error: unknown) => {
            server.app.log.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
}

export interface BannerInfo {
  url: string;
  /** The database URL without its password, and the role. */
  database: string;
  durability: { journalMode: string; synchronous: number } | null;
  clock: string;
  boot: BootstrapResult;
  allowPrivate: string[];
  /** How many accounts the database holds (shown when this start made no key pair). */
  accounts: number;
  /** Where the browsable API reference is served, if this process serves the API. */
  apiReference: string | null;
  /** The web inbox's one-time sign-in link, if this start minted one. */
  inbox?: string | null;
}

/** What `tapback serve` prints once listening: where, on what, and a first command that works as shown. */
export function banner(info: BannerInfo): string {
  const { url, durability, boot, allowPrivate } = info;
  const lines = [
    ``,
    `Tapback listening on ${url}`,
    `  database: ${info.database}`,
    // Read back from the server's own connection, so what is printed is what it runs with.
    ...(durability === null
      ? []
      : [`  sqlite:   journal_mode=${durability.journalMode}, synchronous=${durability.synchronous}`]),
    `  clock:    ${info.clock}`,
    // Loud on purpose: the development default lets webhooks reach this machine; production sets 'none'.
    allowPrivate.length === 0
      ? `  webhooks: private addresses blocked (TAPBACK_ALLOW_PRIVATE_CIDRS=none)`
      : `  webhooks: may reach private ranges ${allowPrivate.join(', ')} (TAPBACK_ALLOW_PRIVATE_CIDRS; set 'none' in production)`,
    ...(info.apiReference === null ? [] : [`  API docs: ${info.apiReference}`]),
  ];
  if (boot.keyId !== null) {
    // A configured secret is never printed: only one this start generated, once.
    const secret = boot.secret ?? '$TAPBACK_BOOTSTRAP_API_SECRET';
    const credentials = `-H 'sb-api-key-id: ${boot.keyId}' -H "sb-api-secret-key: ${secret}"`;
    const line = boot.line ?? `<a line of ${boot.email}>`;
    lines.push(
      ``,
      boot.created ? `Created the default account ${boot.email}:` : `Bootstrap account ${boot.email}:`,
      `  sb-api-key-id:     ${boot.keyId}`,
      `  sb-api-secret-key: ${boot.secret ?? '(TAPBACK_BOOTSTRAP_API_SECRET)'}`,
      boot.line === null
        ? `  sandbox line:      none (add a line: npx tapback lines add --account ${boot.email} --number <e164>)`
        : `  sandbox line:      ${boot.line}`,
      ``,
      `Send a message:`,
      `  curl -s ${url}/api/send-message \\`,
      `    ${credentials} \\`,
      `    -H 'content-type: application/json' \\`,
      `    -d '{"number":"+19998887777","from_number":"${line}","content":"Hello from Tapback"}'`,
      ``,
      `Then: curl -s '${url}/api/status?handle=<message_handle>' ${credentials}`,
    );
  } else {
    const more = info.accounts > 1 ? ` and ${info.accounts - 1} more (npx tapback accounts list)` : '';
    lines.push(
      ``,
      `Accounts: ${boot.email}${more}. Create a key pair with: npx tapback keys create --account ${boot.email}`,
    );
  }
  if (info.inbox !== undefined && info.inbox !== null) {
    lines.push(
      ``,
      `Inbox: ${info.inbox}`,
      `  (signs a browser in once, within 15 minutes; a new link: npx tapback inbox link)`,
    );
  }
  return `${lines.join('\n')}\n\n`;
}
