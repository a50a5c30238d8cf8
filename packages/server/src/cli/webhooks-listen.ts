import { type IncomingHttpHeaders, type IncomingMessage, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WEBHOOK_TYPES, type WebhookType } from '../domain/webhook.js';
import { verifyWebhook } from '../webhooks/signing.js';
import { CliError } from './cli-error.js';
import { closeServer, readBody } from './http-listener.js';
import { type ApiClient, ApiError, palette } from './http-client.js';

export interface ForwardOptions {
  client: ApiClient;
  forwardTo: string;
  host: string;
  port: number;
  types: WebhookType[];
  json: boolean;
  write: (line: string) => void;
}

/** Hop-by-hop and length headers are the connection's, not the webhook's: every other header is forwarded. */
const NOT_FORWARDED = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'keep-alive',
  'upgrade',
  'expect',
]);

/** Parses `--events receive,outbound`; absent: every account webhook type. */
export function webhookTypesOption(value: string | undefined): WebhookType[] {
  if (value === undefined) return [...WEBHOOK_TYPES];
  const types = value.split(',').filter((t) => t !== '');
  const unknown = types.find((t) => !(WEBHOOK_TYPES as readonly string[]).includes(t));
  if (unknown !== undefined) throw new CliError(`--events: ${unknown} is not one of ${WEBHOOK_TYPES.join(', ')}`);
  return types as WebhookType[];
}

/**
 * `tapback webhooks listen --forward-to <url>`, in the manner of `stripe listen`: a local listener
 * registered on the account as a webhook of each type (`<listener>/<type>`, so a line can say which
 * type came), every delivery verified with the account's signing secret, forwarded with its original
 * headers and body, and answered with the forward's status. The entries are removed again on exit.
 */
export async function listenAndForward(options: ForwardOptions, stop: Promise<void>): Promise<void> {
  const { client, write } = options;
  const c = palette();
  const config = await client.request<{ signing_secret: string }>('GET', '/api/account/webhooks');
  const secret = config.signing_secret;

  const server = createServer((req, res) => {
    readBody(req).then(
      async (body) => {
        const type = (req.url ?? '/').slice(1) || 'webhook';
        const verdict = verifyWebhook(secret, req.headers, body);
        if (!verdict.ok) {
          write(
            line(options.json, c, {
              type,
              id: header(req.headers, 'webhook-id'),
              verified: false,
              reason: verdict.reason,
              status: 400,
            }),
          );
          res.statusCode = 400;
          res.end();
          return;
        }
        const forwarded = await forward(options.forwardTo, req, body);
        write(
          line(options.json, c, {
            type,
            id: header(req.headers, 'webhook-id'),
            verified: true,
            forwardTo: options.forwardTo,
            status: forwarded.status,
            ...(forwarded.error === undefined ? {} : { error: forwarded.error }),
          }),
        );
        res.statusCode = forwarded.status;
        res.end();
      },
      () => {
        res.statusCode = 413;
        res.end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new CliError(`port ${options.port} is in use: pass --port`) : error),
    );
    server.listen(options.port, options.host, resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  const base = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  const registered: WebhookType[] = [];
  try {
    for (const type of options.types) {
      await client.request('POST', '/api/account/webhooks', { webhooks: [`${base}/${type}`], type });
      registered.push(type);
    }
  } catch (error) {
    await unregister(client, base, registered);
    await closeServer(server);
    if (error instanceof ApiError && error.code === 'url_not_allowed') {
      throw new ApiError(
        error.status,
        error.code,
        `${error.message}. The server refuses webhooks to ${address}: start it with ` +
          `TAPBACK_ALLOW_PRIVATE_CIDRS=127.0.0.0/8,::1/128 (the default) or a list that includes ${address}`,
      );
    }
    throw error;
  }
  if (!options.json) {
    write(`Ready: ${base} is registered as a webhook of ${client.baseUrl} for ${registered.join(', ')}.`);
    write(`Forwarding to ${options.forwardTo}; signatures checked with the account's signing secret. Ctrl-C to stop.`);
  }
  try {
    await stop;
  } finally {
    await unregister(client, base, registered);
    await closeServer(server);
    if (!options.json) write('Removed the temporary webhooks.');
  }
}

async function forward(url: string, req: IncomingMessage, body: string): Promise<{ status: number; error?: string }> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || NOT_FORWARDED.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  try {
    const res = await fetch(url, { method: req.method ?? 'POST', headers, body, redirect: 'manual' });
    await res.arrayBuffer();
    return { status: res.status };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    // Tapback sees a 502 and retries on its schedule, as it would for a down endpoint.
    return { status: 502, error: `forward failed: ${cause ?? String(error)}` };
  }
}

interface Outcome {
  type: string;
  id: string;
  verified: boolean;
  status: number;
  reason?: string;
  forwardTo?: string;
  error?: string;
}

function line(json: boolean, c: ReturnType<typeof palette>, o: Outcome): string {
  const at = new Date().toISOString();
  if (json) return JSON.stringify({ at, ...o });
  const status = o.status < 300 ? c.green(String(o.status)) : c.red(String(o.status));
  if (!o.verified)
    return `${c.dim(at)}  ${c.cyan(o.type)} ${o.id}  ${c.red(`signature INVALID: ${o.reason ?? ''}`)}  [${status}]`;
  const error = o.error === undefined ? '' : `  ${c.red(o.error)}`;
  return `${c.dim(at)}  ${c.cyan(o.type)} ${o.id}  signature verified  -> POST ${o.forwardTo ?? ''} [${status}]${error}`;
}

async function unregister(client: ApiClient, base: string, types: readonly WebhookType[]): Promise<void> {
  for (const type of types) {
    await client
      .request('DELETE', '/api/account/webhooks', { webhooks: [`${base}/${type}`], type })
      .catch(() => undefined);
  }
}

function header(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return typeof v === 'string' ? v : '-';
}
