import { signal } from '@preact/signals';

/** The message object every list, read and send route answers (the fields the inbox reads). */
export interface Message {
  message_handle: string;
  content: string;
  is_outbound: boolean;
  status: string;
  status_sequence: number;
  error_code: number | null;
  error_message: string | null;
  date_created: string;
  date_updated: string;
  from_number: string;
  to_number: string;
  number: string;
  sendblue_number: string;
  media_url: string;
  message_type: string;
  group_id: string;
  participants: string[];
  group_display_name: string;
  send_style: string;
  service: string;
  date_read: string | null;
}

export interface Conversation {
  conversation_id: string;
  sendblue_number: string;
  number: string | null;
  group_id: string | null;
  participants: string[];
  service: string;
  last_message: Message;
  unread_count: number;
  last_message_at: string;
}

export interface Session {
  account: { email: string };
  csrf_token: string;
  expires_at: string;
  server?: { version: string; sandbox: boolean; manual_clock: boolean };
}

/** The signed-in session; null when signed out, undefined while the first check runs. */
export const session = signal<Session | null | undefined>(undefined);

/** A non-2xx answer, with the API's stable `code` and its message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiInit {
  method?: string;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Calls the API with the session cookie. Non-GET requests carry the session's CSRF token, which
 * the server requires of every cookie-authenticated change.
 */
export async function api<T>(path: string, init: ApiInit = {}): Promise<T> {
  const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const csrf = session.value?.csrf_token;
  if (!SAFE_METHODS.has(method) && csrf !== undefined) headers['x-csrf-token'] = csrf;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    ...(init.signal === undefined ? {} : { signal: init.signal }),
  });
  const text = await res.text();
  const json = text === '' ? {} : (safeJson(text) as Record<string, unknown>);
  if (!res.ok) {
    const code = typeof json.code === 'string' ? json.code : `http_${res.status}`;
    const message = typeof json.message === 'string' ? json.message : `${res.status} ${res.statusText}`;
    // A session that ended elsewhere (sign-out in another tab, expiry) sends the app back to sign-in.
    if (res.status === 401 && !path.startsWith('/api/session')) session.value = null;
    throw new ApiError(res.status, code, message);
  }
  return json as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 200) };
  }
}

/** A query string from the defined values (`?a=1&b=2`, or '' when none). */
export function query(params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

/** The error's message for an inline notice. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
