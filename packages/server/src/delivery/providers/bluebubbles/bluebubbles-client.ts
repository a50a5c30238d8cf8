import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import type {
  BbChat,
  BbEnvelope,
  BbEventName,
  BbMessage,
  BbMessageQuery,
  BbPageMetadata,
  BbSendMethod,
  BbSendTextBody,
  BbServerInfo,
  BbWebhook,
} from './bluebubbles-wire.js';

/**
 * Why a BlueBubbles call failed: `http` = the server answered with an error status (its words in
 * `serverMessage`, its envelope's `data` in `data`: a failed send carries the message with its
 * error code); `network` = no answer (refused, reset, DNS); `timeout` = no answer in time;
 * `invalid` = an answer that is not the server's JSON.
 */
export type BlueBubblesErrorKind = 'http' | 'network' | 'timeout' | 'invalid';

export class BlueBubblesError extends Error {
  constructor(
    readonly kind: BlueBubblesErrorKind,
    /** The HTTP status; 0 when there was no answer. */
    readonly status: number,
    /** The server's `error.message` (or `message`), or the transport's reason. */
    readonly serverMessage: string,
    /** The envelope's `error.type`, e.g. `iMessage Error`. */
    readonly errorType?: string,
    readonly data?: unknown,
  ) {
    super(status > 0 ? `BlueBubbles answered ${status}: ${serverMessage}` : `BlueBubbles: ${serverMessage}`);
    this.name = 'BlueBubblesError';
  }

  /** No answer, a timeout or a 5xx: the same call may succeed later. */
  get transient(): boolean {
    return this.kind !== 'http' || this.status >= 500;
  }
}

export interface BlueBubblesClientOptions {
  /** The server's base URL, e.g. `http://192.168.1.20:1234` (a path prefix is kept). */
  url: string;
  password: string;
  /** Per-call limit on top of the caller's signal; 0 = none. Defaults to 30 s. */
  timeoutMs?: number;
}

export interface BbAttachmentUpload {
  chatGuid: string;
  tempGuid: string;
  /** The file name the recipient sees. */
  name: string;
  bytes: Uint8Array;
  mimeType: string;
  method?: BbSendMethod;
  effectId?: string;
  subject?: string;
}

export interface BbMessagePage {
  messages: BbMessage[];
  metadata: BbPageMetadata;
}

/** A downloaded attachment's bytes and the `Content-Type` the server gave them. */
export interface BbDownload {
  bytes: Uint8Array;
  mimeType: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Every REST call Tapback makes to a BlueBubbles Server (routes: `api/http/api/v1/httpRoutes.ts`).
 * Authentication is the `password` query parameter the server's `authMiddleware.ts` reads. The
 * operator configures the URL (usually a Mac on a private network), so it is called directly,
 * without the SSRF guard that protects calls to URLs that API users supply.
 */
export class BlueBubblesClient {
  private readonly base: URL;
  private readonly timeoutMs: number;

  constructor(private readonly options: BlueBubblesClientOptions) {
    this.base = new URL(options.url.endsWith('/') ? options.url : `${options.url}/`);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** `GET /api/v1/ping`: answers `data: "pong"` once the password is right. */
  async ping(signal: AbortSignal): Promise<void> {
    await this.json<string>('GET', 'api/v1/ping', { signal });
  }

  /** `GET /api/v1/server/info`: macOS version, whether the Private API is on and connected. */
  serverInfo(signal: AbortSignal): Promise<BbServerInfo> {
    return this.data<BbServerInfo>('GET', 'api/v1/server/info', { signal });
  }

  /** `POST /api/v1/message/text`: resolves with the sent message once Messages stored it. */
  sendText(body: BbSendTextBody, signal: AbortSignal): Promise<BbMessage> {
    return this.data<BbMessage>('POST', 'api/v1/message/text', { body, signal });
  }

  /** `POST /api/v1/message/attachment` (multipart, the file in the `attachment` field). */
  sendAttachment(upload: BbAttachmentUpload, signal: AbortSignal): Promise<BbMessage> {
    const fields: Record<string, string> = {
      chatGuid: upload.chatGuid,
      tempGuid: upload.tempGuid,
      name: upload.name,
    };
    if (upload.method) fields.method = upload.method;
    if (upload.effectId) fields.effectId = upload.effectId;
    if (upload.subject) fields.subject = upload.subject;
    const form = multipart(fields, { field: 'attachment', ...upload });
    return this.data<BbMessage>('POST', 'api/v1/message/attachment', { raw: form, signal });
  }

  /** `GET /api/v1/message/:guid?with=chats,attachments`. A missing message is a 404 `BlueBubblesError`. */
  getMessage(guid: string, signal: AbortSignal): Promise<BbMessage> {
    return this.data<BbMessage>('GET', `api/v1/message/${encodeURIComponent(guid)}`, {
      query: { with: 'chats,attachments' },
      signal,
    });
  }

  /** `POST /api/v1/message/query`: one page of messages with their chats (for polling). */
  async queryMessages(query: BbMessageQuery, signal: AbortSignal): Promise<BbMessagePage> {
    const envelope = await this.json<BbMessage[]>('POST', 'api/v1/message/query', { body: query, signal });
    const m = (envelope.metadata ?? {}) as Partial<BbPageMetadata>;
    const messages = envelope.data ?? [];
    return {
      messages,
      metadata: {
        offset: m.offset ?? 0,
        limit: m.limit ?? messages.length,
        total: m.total ?? messages.length,
        count: m.count ?? messages.length,
      },
    };
  }

  /**
   * `GET /api/v1/attachment/:guid/download?original=true`: the file as Messages stored it
   * (without `original` the server converts HEIC and CAF first). Refuses past `maxBytes`.
   */
  async downloadAttachment(guid: string, signal: AbortSignal, maxBytes = 100 * 1024 * 1024): Promise<BbDownload> {
    const res = await this.send('GET', `api/v1/attachment/${encodeURIComponent(guid)}/download`, {
      query: { original: 'true' },
      signal,
    });
    if (res.statusCode !== 200) throw await errorFrom(res.statusCode, res.body);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        res.body.destroy();
        throw new BlueBubblesError('invalid', 0, `attachment ${guid} is larger than ${maxBytes} bytes`);
      }
      chunks.push(chunk);
    }
    const type = res.headers['content-type'];
    return {
      bytes: new Uint8Array(Buffer.concat(chunks)),
      mimeType: (Array.isArray(type) ? type[0] : type) ?? 'application/octet-stream',
    };
  }

  /** `GET /api/v1/webhook` (optionally only those with this exact `url`). */
  listWebhooks(signal: AbortSignal, url?: string): Promise<BbWebhook[]> {
    return this.data<BbWebhook[]>('GET', 'api/v1/webhook', { query: url ? { url } : {}, signal });
  }

  /** `POST /api/v1/webhook`: the server answers with the existing webhook when the URL is already registered. */
  createWebhook(
    input: { url: string; events: readonly (BbEventName | '*')[] },
    signal: AbortSignal,
  ): Promise<BbWebhook> {
    return this.data<BbWebhook>('POST', 'api/v1/webhook', { body: input, signal });
  }

  /** `DELETE /api/v1/webhook/:id`. */
  async deleteWebhook(id: number, signal: AbortSignal): Promise<void> {
    await this.json<unknown>('DELETE', `api/v1/webhook/${id}`, { signal });
  }

  /**
   * `GET /api/v1/handle/availability/imessage?address=`: whether the address is registered with
   * iMessage. Needs the Private API (a 500 `iMessage Error` without it).
   */
  async imessageAvailability(address: string, signal: AbortSignal): Promise<boolean> {
    const data = await this.data<{ available: boolean }>('GET', 'api/v1/handle/availability/imessage', {
      query: { address },
      signal,
    });
    return data.available === true;
  }

  /** `POST /api/v1/chat/:guid/typing` (Private API). */
  async startTyping(chatGuid: string, signal: AbortSignal): Promise<void> {
    await this.json<unknown>('POST', `api/v1/chat/${encodeURIComponent(chatGuid)}/typing`, { signal });
  }

  /** `DELETE /api/v1/chat/:guid/typing` (Private API). */
  async stopTyping(chatGuid: string, signal: AbortSignal): Promise<void> {
    await this.json<unknown>('DELETE', `api/v1/chat/${encodeURIComponent(chatGuid)}/typing`, { signal });
  }

  /** `POST /api/v1/chat/:guid/read` (Private API): marks the chat read on the Mac. */
  async markRead(chatGuid: string, signal: AbortSignal): Promise<void> {
    await this.json<unknown>('POST', `api/v1/chat/${encodeURIComponent(chatGuid)}/read`, { signal });
  }

  /** `GET /api/v1/chat/:guid?with=participants`. A missing chat is a 404 `BlueBubblesError`. */
  getChat(guid: string, signal: AbortSignal): Promise<BbChat> {
    return this.data<BbChat>('GET', `api/v1/chat/${encodeURIComponent(guid)}`, {
      query: { with: 'participants' },
      signal,
    });
  }

  /** `POST /api/v1/chat/query`: chats with their participants, one page. */
  queryChats(query: { offset?: number; limit?: number }, signal: AbortSignal): Promise<BbChat[]> {
    return this.data<BbChat[]>('POST', 'api/v1/chat/query', {
      body: { with: ['participants'], offset: query.offset ?? 0, limit: query.limit ?? 1000 },
      signal,
    });
  }

  /**
   * `POST /api/v1/chat/new` (`routers/chatRouter.ts` `create`): starts a chat with `addresses`
   * by sending its first message; answers the chat with that message (its `tempGuid` restored).
   */
  createChat(
    input: {
      addresses: readonly string[];
      message: string;
      tempGuid: string;
      method?: BbSendMethod;
      effectId?: string;
    },
    signal: AbortSignal,
  ): Promise<BbChat & { messages?: BbMessage[] }> {
    return this.data<BbChat & { messages?: BbMessage[] }>('POST', 'api/v1/chat/new', {
      body: { ...input, service: 'iMessage' },
      signal,
    });
  }

  /**
   * The group chat whose participants are exactly `addresses` (E.164 or email; the Mac's own
   * address is never a participant), scanning chats page by page; undefined when none matches.
   */
  async findGroupChat(addresses: readonly string[], signal: AbortSignal): Promise<BbChat | undefined> {
    const want = [...new Set(addresses.map(normalizeAddress))].sort().join('\n');
    const limit = 1000;
    for (let offset = 0; ; offset += limit) {
      const chats = await this.queryChats({ offset, limit }, signal);
      for (const chat of chats) {
        if (!chat.guid.includes(';+;')) continue;
        const have = [...new Set((chat.participants ?? []).map((p) => normalizeAddress(p.address)))].sort();
        if (have.join('\n') === want) return chat;
      }
      if (chats.length < limit) return undefined;
    }
  }

  private async data<T>(method: string, path: string, options: CallOptions): Promise<T> {
    const envelope = await this.json<T>(method, path, options);
    if (envelope.data === undefined) {
      throw new BlueBubblesError('invalid', 200, `${method} /${path} answered without data`);
    }
    return envelope.data;
  }

  private async json<T>(method: string, path: string, options: CallOptions): Promise<BbEnvelope<T>> {
    const res = await this.send(method, path, options);
    if (res.statusCode < 200 || res.statusCode >= 300) throw await errorFrom(res.statusCode, res.body);
    let envelope: BbEnvelope<T>;
    try {
      envelope = (await res.body.json()) as BbEnvelope<T>;
    } catch {
      throw new BlueBubblesError(
        'invalid',
        res.statusCode,
        `${method} /${path} answered with something other than JSON`,
      );
    }
    if (envelope === null || typeof envelope !== 'object') {
      throw new BlueBubblesError('invalid', res.statusCode, `${method} /${path} answered with an unexpected body`);
    }
    return envelope;
  }

  private async send(method: string, path: string, options: CallOptions): Promise<HttpAnswer> {
    const url = new URL(path, this.base);
    url.searchParams.set('password', this.options.password);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    const signals = [options.signal];
    if (this.timeoutMs > 0) signals.push(AbortSignal.timeout(this.timeoutMs));
    const signal = AbortSignal.any(signals);
    const headers: Record<string, string> = {};
    let body: string | Buffer | undefined;
    if (options.raw) {
      headers['content-type'] = options.raw.contentType;
      body = options.raw.body;
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    try {
      return await request(url, { method: method as 'GET', headers, body, signal });
    } catch (e) {
      if (signal.aborted) {
        const own = !options.signal.aborted;
        throw new BlueBubblesError(
          'timeout',
          0,
          own ? `no answer within ${this.timeoutMs} ms` : `call abandoned: ${String(options.signal.reason)}`,
        );
      }
      throw new BlueBubblesError('network', 0, (e as Error).message);
    }
  }
}

interface CallOptions {
  query?: Record<string, string>;
  body?: unknown;
  raw?: { contentType: string; body: Buffer };
  signal: AbortSignal;
}

type HttpAnswer = Awaited<ReturnType<typeof request>>;

/** Reads the server's error envelope (`responses/errors.ts`): `{ status, message, error: { type, message }, data? }`. */
async function errorFrom(status: number, body: HttpAnswer['body']): Promise<BlueBubblesError> {
  const text = await body.text().catch(() => '');
  let envelope: BbEnvelope<unknown> | undefined;
  try {
    envelope = JSON.parse(text) as BbEnvelope<unknown>;
  } catch {
    envelope = undefined;
  }
  if (!envelope || typeof envelope !== 'object') {
    return new BlueBubblesError('http', status, text.slice(0, 200) || `HTTP ${status}`);
  }
  const words = [envelope.message, envelope.error?.message].filter(
    (w): w is string => typeof w === 'string' && w !== '',
  );
  return new BlueBubblesError(
    'http',
    status,
    words.join(': ') || `HTTP ${status}`,
    envelope.error?.type,
    envelope.data,
  );
}

/** Phone numbers compare by digits and `+`, emails case-insensitively. */
export function normalizeAddress(address: string): string {
  return address.includes('@') ? address.trim().toLowerCase() : address.replace(/[^\d+]/g, '');
}

function multipart(
  fields: Record<string, string>,
  file: { field: string; name: string; mimeType: string; bytes: Uint8Array },
): { contentType: string; body: Buffer } {
  const boundary = `----tapback${randomBytes(12).toString('hex')}`;
  const quote = (s: string): string => s.replace(/[\r\n"]/g, (c) => encodeURIComponent(c));
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`),
    );
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${quote(file.field)}"; filename="${quote(file.name)}"\r\n` +
        `Content-Type: ${file.mimeType}\r\n\r\n`,
    ),
    Buffer.from(file.bytes),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(parts) };
}
