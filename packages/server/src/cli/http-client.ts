import { Command } from 'commander';
import { CliError } from './cli-error.js';

export const DEFAULT_BASE_URL = 'http://127.0.0.1:4010';

/** The options every command that talks to a running server over HTTP takes. */
export interface HttpOptions {
  baseUrl?: string;
  keyId?: string;
  secret?: string;
  apiSecret?: string;
}

/** An error answer of the API: its `code` and `message` are what the user sees. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** No server answered at the base URL. */
export class UnreachableError extends Error {}

/**
 * A new command of the HTTP group: `--base-url`, `--key-id` and the API secret (`--secret`, or
 * `secretFlag` where `--secret` already means something else), each with its environment variable.
 */
export function httpCommand(name: string, secretFlag: '--secret' | '--api-secret' = '--secret'): Command {
  return new Command(name)
    .option('--base-url <url>', `the server (default: TAPBACK_BASE_URL or ${DEFAULT_BASE_URL})`)
    .option('--key-id <id>', 'API key id (default: TAPBACK_API_KEY_ID)')
    .option(`${secretFlag} <secret>`, 'API secret (default: TAPBACK_API_SECRET)');
}

/** The client for a command's options; a missing credential is a usage mistake (exit 2). */
export function clientFrom(
  opts: HttpOptions,
  secretFlag: '--secret' | '--api-secret' = '--secret',
  env: NodeJS.ProcessEnv = process.env,
): ApiClient {
  const baseUrl = (opts.baseUrl ?? env.TAPBACK_BASE_URL ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const keyId = opts.keyId ?? env.TAPBACK_API_KEY_ID;
  const secret = opts.secret ?? opts.apiSecret ?? env.TAPBACK_API_SECRET;
  if (keyId === undefined || keyId === '') throw new CliError('no API key id: pass --key-id or set TAPBACK_API_KEY_ID');
  if (secret === undefined || secret === '')
    throw new CliError(`no API secret: pass ${secretFlag} or set TAPBACK_API_SECRET`);
  try {
    new URL(baseUrl);
  } catch {
    throw new CliError(`--base-url ${baseUrl} is not a URL`);
  }
  return new ApiClient(baseUrl, keyId, secret);
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly keyId: string,
    private readonly secret: string,
  ) {}

  get headers(): Record<string, string> {
    return { 'sb-api-key-id': this.keyId, 'sb-api-secret-key': this.secret };
  }

  /** One request; resolves with the JSON answer, rejects with `ApiError` or `UnreachableError`. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.fetch(path, {
      method,
      headers: body === undefined ? this.headers : { ...this.headers, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ApiError(res.status, 'not_json', `${method} ${path} answered ${res.status} with no JSON`);
    }
    if (!res.ok) {
      const e = json as { code?: unknown; message?: unknown };
      throw new ApiError(
        res.status,
        typeof e.code === 'string' ? e.code : `http_${res.status}`,
        typeof e.message === 'string' ? e.message : text,
      );
    }
    return json as T;
  }

  /** A raw request (event streams): the caller reads the response; errors as `request`'s. */
  async fetch(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(`${this.baseUrl}${path}`, init);
    } catch (error) {
      if (init.signal?.aborted === true) throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new UnreachableError(
        `cannot reach Tapback at ${this.baseUrl} (${cause?.code ?? cause?.message ?? String(error)}); ` +
          'start it with `tapback serve`, or point --base-url / TAPBACK_BASE_URL at it',
      );
    }
  }
}

/**
 * Wraps a command's action: an API error prints `tapback: <code>: <message>`, an unreachable server
 * one line, and both exit 1 (usage mistakes stay CliErrors, exit 2).
 */
export function httpAction<A extends unknown[]>(action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (error) {
      if (error instanceof ApiError) {
        process.stderr.write(`tapback: ${error.code}: ${error.message}\n`);
        process.exit(1);
      }
      if (error instanceof UnreachableError) {
        process.stderr.write(`tapback: ${error.message}\n`);
        process.exit(1);
      }
      throw error;
    }
  };
}

/** Colours for a terminal only: none when stdout is not a TTY or NO_COLOR is set. */
export function palette(stream: NodeJS.WriteStream = process.stdout) {
  const on = stream.isTTY === true && (process.env.NO_COLOR ?? '') === '';
  const wrap =
    (code: number) =>
    (text: string): string =>
      on ? `\u001b[${code}m${text}\u001b[0m` : text;
  return { green: wrap(32), red: wrap(31), yellow: wrap(33), cyan: wrap(36), dim: wrap(2), bold: wrap(1) };
}
