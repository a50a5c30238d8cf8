import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Command } from 'commander';
import { verifyWebhook } from '../webhooks/signing.js';
import { CliError } from './cli-error.js';
import { closeServer, readBody } from './http-listener.js';
import { type HttpOptions, clientFrom, httpAction } from './http-client.js';
import { listenAndForward, webhookTypesOption } from './webhooks-listen.js';

export interface CatcherOptions {
  host: string;
  port: number;
  /** The account's signing secret (`whsec_...`); without it signatures are shown, not checked. */
  secret?: string;
  /** The status to answer verified deliveries with, e.g. 500 to watch the retries. */
  status: number;
  write: (text: string) => void;
}

/**
 * A local receiver for development: prints every delivery and, given the secret, verifies its
 * Standard Webhooks signature (a bad signature is answered 401). Listens on loopback by default.
 */
export async function startWebhookCatcher(
  options: CatcherOptions,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    readBody(req).then(
      (body) => {
        const verdict = options.secret === undefined ? undefined : verifyWebhook(options.secret, req.headers, body);
        options.write(describe(req, body, verdict));
        res.statusCode = verdict !== undefined && !verdict.ok ? 401 : options.status;
        res.end();
      },
      () => {
        res.statusCode = 413;
        res.end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    close: () => closeServer(server),
  };
}

function describe(req: IncomingMessage, body: string, verdict: ReturnType<typeof verifyWebhook> | undefined): string {
  const h = (name: string): string => String(req.headers[name] ?? '-');
  const check =
    verdict === undefined ? 'not checked (no --secret)' : verdict.ok ? 'verified' : `INVALID: ${verdict.reason}`;
  let pretty = body;
  try {
    pretty = JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    // Not JSON: shown as received.
  }
  // The shared secret is a credential: only say whether it came.
  const shared = req.headers['sb-signing-secret'] === undefined ? 'absent' : 'present';
  return [
    `--- ${new Date().toISOString()} ${req.method} ${req.url}`,
    `webhook-id: ${h('webhook-id')}  webhook-timestamp: ${h('webhook-timestamp')}`,
    `signature: ${check}  sb-signing-secret: ${shared}`,
    pretty,
    '',
  ].join('\n');
}

type ListenOptions = HttpOptions & {
  port: string;
  host: string;
  secret?: string;
  status: string;
  forwardTo?: string;
  events?: string;
  json?: boolean;
};

/** `--forward-to`: the listener registers itself on the account (webhooks-listen.ts). */
const forwardMode = httpAction(async (opts: ListenOptions): Promise<void> => {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port ${opts.port} is not a port`);
  try {
    new URL(opts.forwardTo ?? '');
  } catch {
    throw new CliError(`--forward-to ${opts.forwardTo ?? ''} is not a URL`);
  }
  // --secret is the catcher's signing secret; with --forward-to the API secret is --api-secret.
  const client = clientFrom({ ...opts, secret: undefined }, '--api-secret');
  const stop = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await listenAndForward(
    {
      client,
      forwardTo: opts.forwardTo ?? '',
      host: opts.host,
      port,
      types: webhookTypesOption(opts.events),
      json: opts.json === true,
      write: (text) => process.stdout.write(`${text}\n`),
    },
    stop,
  );
});

/** `tapback webhooks listen`: the development catcher. */
export function webhookCommands(): Command {
  const webhooks = new Command('webhooks').description('webhook tools');
  webhooks
    .command('listen')
    .description('receive, verify and print webhook deliveries (point a status_callback or webhook at it)')
    .option('--port <port>', 'port to listen on', '4011')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--secret <whsec>', 'the account signing secret (signing_secret of GET /api/account/webhooks)')
    .option('--status <code>', 'HTTP status to answer with', '200')
    .option('--forward-to <url>', 'register on the account and forward each verified delivery here (needs credentials)')
    .option('--events <types>', 'with --forward-to: only these webhook types, comma-separated (default: all)')
    .option('--json', 'with --forward-to: one JSON object per delivery')
    .option('--base-url <url>', 'with --forward-to: the server (default: TAPBACK_BASE_URL or http://127.0.0.1:4010)')
    .option('--key-id <id>', 'with --forward-to: API key id (default: TAPBACK_API_KEY_ID)')
    .option('--api-secret <secret>', 'with --forward-to: API secret (default: TAPBACK_API_SECRET)')
    .action(async (opts: ListenOptions) => {
      if (opts.forwardTo !== undefined) return forwardMode(opts);
      const port = Number(opts.port);
      const status = Number(opts.status);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port ${opts.port} is not a port`);
      if (!Number.isInteger(status) || status < 100 || status > 599)
        throw new CliError(`--status ${opts.status} is not an HTTP status`);
      if (opts.secret !== undefined && !opts.secret.startsWith('whsec_'))
        throw new CliError('--secret must start with whsec_');
      const catcher = await startWebhookCatcher({
        host: opts.host,
        port,
        status,
        ...(opts.secret === undefined ? {} : { secret: opts.secret }),
        write: (text) => process.stdout.write(`${text}\n`),
      });
      process.stdout.write(`Listening for webhooks on ${catcher.url} (Ctrl-C to stop)\n\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await catcher.close();
    });
  return webhooks;
}
