import type { ProviderFactory } from '../provider.js';
import type { IdFormat } from './smpp-message-id.js';
import { ID_FORMATS } from './smpp-message-id.js';
import { SmppProvider } from './smpp-provider.js';

export type BindMode = 'transceiver' | 'transmitter_receiver';

/** A line's SMPP settings, parsed from `smpp://SYSTEM_ID:PASSWORD@HOST:PORT?option=value…`. */
export interface SmppSettings {
  /** The URL without its password: what may be shown. */
  url: string;
  /** The bind password, kept apart from `url` so it can be stored sealed. */
  password: string;
  host: string;
  port: number;
  tls: boolean;
  /** Verify the SMSC's certificate (`smpps://` only). */
  tlsVerify: boolean;
  systemId: string;
  systemType: string;
  bind: BindMode;
  /** submit_sm PDUs awaiting their response at most. */
  window: number;
  /** submit_sm PDUs per second per line; 0 = unlimited. */
  rate: number;
  sourceTon: number;
  sourceNpi: number;
  destTon: number;
  destNpi: number;
  /** Seconds between enquire_link keep-alives; 0 = none. */
  enquireLinkSeconds: number;
  /** Seconds to wait for any response (bind, submit_sm) before the attempt counts as failed. */
  responseTimeoutSeconds: number;
  /** How the SMSC writes ids in submit_sm_resp (and the receipted_message_id TLV). */
  submitIdFormat: IdFormat;
  /** How the SMSC writes the `id:` of a receipt's text. */
  receiptIdFormat: IdFormat;
  /** Seconds an incomplete concatenated MO message waits for its missing parts. */
  concatTimeoutSeconds: number;
  /** Incomplete concatenated MO messages kept at once; the oldest is dropped past it. */
  concatBuffer: number;
}

interface IntOption {
  key: string;
  field: keyof SmppSettings;
  default: number;
  min: number;
  max: number;
}

/** Every numeric query option, its default and its range. */
const INT_OPTIONS: IntOption[] = [
  { key: 'window', field: 'window', default: 10, min: 1, max: 1000 },
  { key: 'rate', field: 'rate', default: 50, min: 0, max: 100_000 },
  { key: 'source_ton', field: 'sourceTon', default: 1, min: 0, max: 6 },
  { key: 'source_npi', field: 'sourceNpi', default: 1, min: 0, max: 18 },
  { key: 'dest_ton', field: 'destTon', default: 1, min: 0, max: 6 },
  { key: 'dest_npi', field: 'destNpi', default: 1, min: 0, max: 18 },
  { key: 'enquire_link', field: 'enquireLinkSeconds', default: 30, min: 0, max: 3600 },
  { key: 'timeout', field: 'responseTimeoutSeconds', default: 10, min: 1, max: 600 },
  { key: 'concat_timeout', field: 'concatTimeoutSeconds', default: 60, min: 1, max: 86_400 },
  { key: 'concat_buffer', field: 'concatBuffer', default: 1000, min: 1, max: 1_000_000 },
];
const OTHER_OPTIONS = ['system_type', 'bind', 'submit_id', 'receipt_id', 'tls_verify'];
const KNOWN = new Set([...INT_OPTIONS.map((o) => o.key), ...OTHER_OPTIONS]);

/** Parses `{ url, password? }` (a separate `password` wins over the URL's, so parsing is idempotent). */
export function parseSmppSettings(input: Record<string, unknown>): SmppSettings {
  const raw = input.url;
  if (typeof raw !== 'string' || raw === '') throw new Error('url: an smpp:// or smpps:// URL is required');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('url: not a URL (expected smpp://SYSTEM_ID:PASSWORD@HOST:PORT)');
  }
  if (url.protocol !== 'smpp:' && url.protocol !== 'smpps:') {
    throw new Error(`url: the scheme must be smpp:// or smpps://, not ${url.protocol}//`);
  }
  const tls = url.protocol === 'smpps:';
  const systemId = decodeURIComponent(url.username);
  if (systemId === '' || systemId.length > 15)
    throw new Error('url: system_id (the user part) must be 1 to 15 characters');
  const password = typeof input.password === 'string' ? input.password : decodeURIComponent(url.password);
  if (password.length > 8) throw new Error('password: at most 8 characters in SMPP 3.4');
  if (url.hostname === '') throw new Error('url: the host is missing');
  const port = url.port === '' ? (tls ? 3550 : 2775) : Number(url.port);

  const q = url.searchParams;
  for (const key of q.keys()) {
    if (!KNOWN.has(key)) throw new Error(`url: unknown option ${key} (known: ${[...KNOWN].join(', ')})`);
  }
  const ints: Record<string, number> = {};
  for (const o of INT_OPTIONS) {
    const text = q.get(o.key);
    const value = text === null ? o.default : Number(text);
    if (!Number.isInteger(value) || value < o.min || value > o.max) {
      throw new Error(`url: option ${o.key} must be an integer from ${o.min} to ${o.max}, not ${text}`);
    }
    ints[o.field] = value;
  }
  const bind = q.get('bind') ?? 'transceiver';
  if (bind !== 'transceiver' && bind !== 'transmitter_receiver') {
    throw new Error(`url: option bind must be transceiver or transmitter_receiver, not ${bind}`);
  }
  const systemType = q.get('system_type') ?? '';
  if (systemType.length > 12) throw new Error('url: option system_type must be at most 12 characters');
  const tlsVerify = q.get('tls_verify') ?? 'true';
  if (tlsVerify !== 'true' && tlsVerify !== 'false') throw new Error('url: option tls_verify must be true or false');

  url.password = '';
  return {
    url: url.toString(),
    password,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    tls,
    tlsVerify: tlsVerify === 'true',
    systemId,
    systemType,
    bind,
    submitIdFormat: idFormat(q, 'submit_id'),
    receiptIdFormat: idFormat(q, 'receipt_id'),
    ...ints,
  } as SmppSettings;
}

function idFormat(q: URLSearchParams, key: string): IdFormat {
  const value = q.get(key) ?? 'auto';
  if (!(ID_FORMATS as readonly string[]).includes(value)) {
    throw new Error(`url: option ${key} must be one of ${ID_FORMATS.join(', ')}, not ${value}`);
  }
  return value as IdFormat;
}

/** Lines with the same bind identity share one SMPP connection. */
export function smppConnectionKey(s: SmppSettings): string {
  return `${s.tls ? 'smpps' : 'smpp'}://${encodeURIComponent(s.systemId)}@${s.host}:${s.port}/${s.bind}`;
}

export const smppProviderFactory: ProviderFactory<SmppSettings> = {
  kind: 'smpp',
  parse: parseSmppSettings,
  secrets: ['password'],
  connectionKey: smppConnectionKey,
  create: (settings, deps) => new SmppProvider(settings, deps),
};
