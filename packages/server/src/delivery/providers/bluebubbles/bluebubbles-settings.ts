import type { ProviderFactory } from '../provider.js';
import type { BbSendMethod } from './bluebubbles-wire.js';
import type { BlueBubblesProviderDeps } from './bluebubbles-provider.js';
import { BlueBubblesProvider } from './bluebubbles-provider.js';

/** How the Mac sends: `auto` = through the Private API when it is enabled and connected, else AppleScript. */
export type BlueBubblesMethod = 'auto' | BbSendMethod;
const METHODS: readonly BlueBubblesMethod[] = ['auto', 'apple-script', 'private-api'];

/** A line's BlueBubbles settings. */
export interface BlueBubblesSettings {
  /** The server's base URL (no password in it): what may be shown. */
  url: string;
  /** The server password, stored sealed. */
  password: string;
  method: BlueBubblesMethod;
  /** Seconds between pings while connected; a failed ping ends the connection (the line goes OFFLINE). */
  pingSeconds: number;
  /** Seconds any one REST call may take (a send waits for Messages to store the message). */
  timeoutSeconds: number;
}

/**
 * Parses `{ url, password, method?, ping_seconds?, timeout_seconds? }` as the CLI and the stored
 * line settings give them. A password inside the URL (`?password=` or `user:password@`) is taken
 * out of it, so it is stored sealed and never shown; a separate `password` wins.
 */
export function parseBlueBubblesSettings(input: Record<string, unknown>): BlueBubblesSettings {
  const raw = input.url;
  if (typeof raw !== 'string' || raw === '') throw new Error('url: the BlueBubbles server URL is required');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('url: not a URL (expected http://HOST:PORT or https://…)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`url: the scheme must be http:// or https://, not ${url.protocol}//`);
  }
  if (url.hostname === '') throw new Error('url: the host is missing');
  const inUrl = url.searchParams.get('password') ?? (url.password === '' ? null : decodeURIComponent(url.password));
  const password = typeof input.password === 'string' ? input.password : inUrl;
  if (password === null || password.trim() === '')
    throw new Error('password: the BlueBubbles server password is required');
  url.searchParams.delete('password');
  url.username = '';
  url.password = '';
  url.hash = '';
  for (const key of url.searchParams.keys()) throw new Error(`url: unknown query parameter ${key}`);

  const method = input.method ?? 'auto';
  if (typeof method !== 'string' || !(METHODS as readonly string[]).includes(method)) {
    throw new Error(`method: must be one of ${METHODS.join(', ')}, not ${String(method)}`);
  }
  return {
    url: url.toString().replace(/\/$/, ''),
    password,
    method: method as BlueBubblesMethod,
    pingSeconds: intSetting(input, 'ping_seconds', 30, 1, 3600),
    timeoutSeconds: intSetting(input, 'timeout_seconds', 60, 1, 600),
  };
}

function intSetting(input: Record<string, unknown>, key: string, fallback: number, min: number, max: number): number {
  const raw = input[key];
  if (raw === undefined) return fallback;
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${key}: must be an integer from ${min} to ${max}, not ${String(raw)}`);
  }
  return value;
}

/**
 * The `bluebubbles` provider kind. `deps` carries what the provider needs beyond its settings (the
 * media fetcher, the event source for webhooks or polling, the group chat lookup); the CLI builds it
 * without deps, only to validate settings.
 */
export function bluebubblesProviderFactory(
  deps: Partial<BlueBubblesProviderDeps> = {},
): ProviderFactory<BlueBubblesSettings> {
  return {
    kind: 'bluebubbles',
    parse: parseBlueBubblesSettings,
    secrets: ['password'],
    // One Mac is one connection: lines on the same server share it.
    connectionKey: (s) => s.url,
    create: (settings, providerDeps) => new BlueBubblesProvider(settings, { ...providerDeps, ...deps }),
  };
}
