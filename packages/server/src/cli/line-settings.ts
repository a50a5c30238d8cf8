import { sandboxProviderFactory } from '../delivery/providers/sandbox/sandbox-provider.js';
import { smppProviderFactory } from '../delivery/providers/smpp/smpp-settings.js';
import { bluebubblesProviderFactory } from '../delivery/providers/bluebubbles/bluebubbles-settings.js';
import type { ProviderFactory } from '../delivery/providers/provider.js';
import { CliError } from './cli-error.js';

/** The providers a line can name, each with the settings the CLI takes for it. */
const FACTORIES: readonly ProviderFactory<unknown>[] = [
  // Timing does not matter here: the factory only validates (the sandbox takes no settings).
  sandboxProviderFactory({ sentDelayMs: 0, deliveredDelayMs: 0 }),
  smppProviderFactory,
  bluebubblesProviderFactory(),
];

export const LINE_PROVIDERS = FACTORIES.map((f) => f.kind);

/** A line's settings from the command's options, checked as the server will parse them. */
export function settingsFromOptions(
  provider: string,
  opts: { smppUrl?: string; bluebubblesUrl?: string; bluebubblesPassword?: string },
): Record<string, unknown> | null {
  const factory = FACTORIES.find((f) => f.kind === provider);
  if (factory === undefined) throw new CliError(`unknown provider "${provider}" (known: ${LINE_PROVIDERS.join(', ')})`);
  if (provider !== 'smpp' && opts.smppUrl !== undefined) throw new CliError('--smpp-url is for --provider smpp');
  const settings: Record<string, unknown> =
    provider === 'smpp' && opts.smppUrl !== undefined ? { url: opts.smppUrl } : {};
  if (provider === 'smpp' && opts.smppUrl === undefined) throw new CliError('--provider smpp needs --smpp-url');
  const bluebubbles = opts.bluebubblesUrl !== undefined || opts.bluebubblesPassword !== undefined;
  if (provider !== 'bluebubbles' && bluebubbles) {
    throw new CliError('--bluebubbles-url and --bluebubbles-password are for --provider bluebubbles');
  }
  if (provider === 'bluebubbles') {
    if (opts.bluebubblesUrl === undefined) throw new CliError('--provider bluebubbles needs --bluebubbles-url');
    settings.url = opts.bluebubblesUrl;
    if (opts.bluebubblesPassword !== undefined) settings.password = opts.bluebubblesPassword;
  }
  try {
    const parsed = factory.parse(settings);
    // A password given inside the URL is stored apart from it, sealed, never in the shown URL.
    if (provider === 'bluebubbles') {
      const { url, password } = parsed as { url: string; password: string };
      Object.assign(settings, { url, password });
    }
  } catch (error) {
    const bbFlag = String(error).includes('password:') ? '--bluebubbles-password' : '--bluebubbles-url';
    const flag = provider === 'smpp' ? '--smpp-url' : provider === 'bluebubbles' ? bbFlag : '--provider';
    throw new CliError(`${flag}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return Object.keys(settings).length === 0 ? null : settings;
}

/** Settings as they may be shown: credentials (and any password inside a URL) masked. */
export function maskSettings(provider: string, settings: Record<string, unknown>): Record<string, unknown> {
  const secrets = new Set(FACTORIES.find((f) => f.kind === provider)?.secrets ?? []);
  return Object.fromEntries(
    Object.entries(settings).map(([key, value]) => [key, secrets.has(key) ? '****' : maskUrlPassword(value)]),
  );
}

function maskUrlPassword(value: unknown): unknown {
  if (typeof value !== 'string' || !value.includes('://')) return value;
  try {
    const url = new URL(value);
    if (url.password === '') return value;
    url.password = '****';
    return url.toString();
  } catch {
    return value;
  }
}
