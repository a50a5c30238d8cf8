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
      const server = await startServer(config).catch((error: unknown) => {
        // The one start-up failure a user causes most: say which port and how to choose another.
        if ((error as { code?: unknown }).code === 'EADDRINUSE') {
          throw new CliError(
            `port ${config.port} on ${config.host} is already in use: stop what holds it, or choose another port with TAPBACK_PORT or --port`,
          );
        }
        throw error;
      });
      process.stdout.write(
        banner(
          server.url,
          `${redactUrl(config.databaseUrl)} (role: ${config.role})`,
          server.store.durability?.() ?? null,
          config.clock,
          server.bootstrap,
          config.webhooks.allowPrivateCidrs,
        ),
      );
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        server.app.log.info({ signal }, 'shutting down: draining requests and jobs');
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

function banner(
  url: string,
  databaseUrl: string,
  durability: { journalMode: string; synchronous: number } | null,
  clock: string,
  boot: BootstrapResult,
  allowPrivate: string[],
): string {
  const lines = [
    ``,
    `Tapback listening on ${url}`,
    `  database: ${databaseUrl}`,
    // Read back from the server's own connection, so what is printed is what it runs with.
    ...(durability === null
      ? []
      : [`  sqlite:   journal_mode=${durability.journalMode}, synchronous=${durability.synchronous}`]),
    `  clock:    ${clock}`,
    // Loud on purpose: the development default lets webhooks reach this machine; production sets 'none'.
    allowPrivate.length === 0
      ? `  webhooks: private addresses blocked (TAPBACK_ALLOW_PRIVATE_CIDRS=none)`
      : `  webhooks: may reach private ranges ${allowPrivate.join(', ')} (TAPBACK_ALLOW_PRIVATE_CIDRS; set 'none' in production)`,
  ];
  if (boot.keyId !== null) {
    const line = boot.line ?? '+15550001000';
    // A configured secret is never printed: only one this start generated, once.
    const secret = boot.secret ?? '$TAPBACK_BOOTSTRAP_API_SECRET';
    lines.push(
      ``,
      boot.created ? `Created the default account ${boot.email}:` : `Bootstrap account ${boot.email}:`,
      `  sb-api-key-id:     ${boot.keyId}`,
      `  sb-api-secret-key: ${boot.secret ?? '(TAPBACK_BOOTSTRAP_API_SECRET)'}`,
      `  sandbox line:      ${line}`,
      ``,
      `Send a message:`,
      `  curl -s ${url}/api/send-message \\`,
      `    -H 'sb-api-key-id: ${boot.keyId}' -H "sb-api-secret-key: ${secret}" \\`,
      `    -H 'content-type: application/json' \\`,
      `    -d '{"number":"+19998887777","from_number":"${line}","content":"Hello from Tapback"}'`,
      ``,
      `Then: curl -s '${url}/api/status?handle=<message_handle>' -H 'sb-api-key-id: ...' -H 'sb-api-secret-key: ...'`,
    );
  } else {
    lines.push(
      ``,
      `Accounts: ${boot.email} and others. Create keys with: npx tapback keys create --account ${boot.email}`,
    );
  }
  return `${lines.join('\n')}\n\n`;
}
