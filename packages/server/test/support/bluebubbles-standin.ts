/**
 * A BlueBubbles Server stand-in on loopback for provider and end-to-end tests, written from the
 * BlueBubbles Server source (under `packages/server/src/server/`): the routes of
 * `api/http/api/v1/httpRoutes.ts` Tapback calls, the `password` query auth of
 * `middleware/authMiddleware.ts` (also `guid`/`token`), the validators' rules and messages
 * (`validators/messageValidator.ts`, `handleValidator.ts`, `webhookValidator.ts`), the envelopes
 * of `responses/success.ts` / `errors.ts`, the Private API gate of `privateApiMiddleware.ts`, and
 * webhook delivery as `services/webhookService/index.ts` does it (POST `{ type, data }` JSON to
 * every webhook whose events include the type or `*`, fire and forget). Payload shapes are in
 * `bluebubbles-fixtures.ts`.
 *
 * Not modelled: `where` clauses of message queries (answered 400 so a test notices), the
 * socket.io API, FCM, attachments' conversion.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type {
  BbAttachment,
  BbHandle,
  BbMessage,
  BbWebhook,
} from '../../src/delivery/providers/bluebubbles/bluebubbles-wire.js';
import { BB_EVENTS, BB_ITEM_TYPE } from '../../src/delivery/providers/bluebubbles/bluebubbles-wire.js';
import type { StandinMessageRow } from './bluebubbles-fixtures.js';
import {
  BB_ERRORS,
  bbAttachment,
  bbChat,
  bbHandle,
  bbMessage,
  bbPrivateApiRequired,
  bbServerInfo,
  bbSuccess,
} from './bluebubbles-fixtures.js';

/** `api/http/constants.ts` `webhookEventOptions`. */
const WEBHOOK_EVENT_VALUES = [
  '*',
  'new-message',
  'updated-message',
  'message-send-error',
  'group-name-change',
  'group-icon-changed',
  'group-icon-removed',
  'participant-removed',
  'participant-added',
  'participant-left',
  'chat-read-status-changed',
  'typing-indicator',
  'scheduled-message-error',
  'server-update',
  'new-server',
  'ft-call-status-changed',
  'new-findmy-location',
];

export interface StandinOptions {
  password?: string;
  /** `enable_private_api` in the server's settings. */
  privateApi?: boolean;
  /** The helper bundle is connected (only matters with `privateApi`). */
  helperConnected?: boolean;
  /** The Mac's iMessage account (`detected_imessage`). */
  account?: string;
  /** Sent messages get `dateDelivered` this long after the send; null = only on `deliver()`. */
  deliverAfterMs?: number | null;
  /** Addresses registered with iMessage; others fail with error 22. Default: all. */
  iMessageUsers?: (address: string) => boolean;
}

export interface StandinRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

export interface WebhookPost {
  url: string;
  event: { type: string; data: unknown };
  /** The receiver's status, or the error when it could not be reached. */
  outcome: number | string;
}

interface ChatRow {
  rowId: number;
  guid: string;
  displayName?: string;
  participants: BbHandle[];
}

export class BlueBubblesStandin {
  url = '';
  password: string;
  privateApi: boolean;
  helperConnected: boolean;
  deliverAfterMs: number | null;
  iMessageUsers: (address: string) => boolean;
  /** When false, webhook POSTs are not made (as when the Mac cannot reach Tapback): tests polling. */
  reachWebhooks = true;
  /** Every authenticated REST call, in order. */
  readonly requests: StandinRequest[] = [];
  /** Every webhook POST attempted. */
  readonly posts: WebhookPost[] = [];
  /** Attachments uploaded with sends: guid → bytes. */
  readonly uploads = new Map<string, { name: string; bytes: Buffer; mimeType: string }>();
  /**
   * Make the next send calls answer this HTTP status and server error (e.g. 503); consumed in
   * order. `afterSending`: Messages sends the message and only the answer is lost, as with the
   * server's `504 Gateway Timeout` (`responses/errors.ts` `GatewayTimeout`). `on`: only sends of
   * that kind take it.
   */
  readonly sendFaults: { status: number; error?: string; afterSending?: boolean; on?: 'message' | 'attachment' }[] = [];
  private readonly account: string;
  private readonly messages = new Map<string, StandinMessageRow>();
  private readonly chats = new Map<string, ChatRow>();
  private readonly handles = new Map<string, BbHandle>();
  private readonly files = new Map<string, { bytes: Buffer; mimeType: string }>();
  private webhooks: BbWebhook[] = [];
  private readonly lastEvent = new Map<string, { type: string; data: unknown }>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sockets = new Set<Socket>();
  private rowId = 100;
  private webhookId = 0;
  private readonly server = createServer((req, res) => {
    this.handle(req, res).catch((e: Error) => send(res, 500, BB_ERRORS.serverError(e.message)));
  });

  private constructor(options: StandinOptions) {
    this.password = options.password ?? 'standin-password';
    this.privateApi = options.privateApi ?? true;
    this.helperConnected = options.helperConnected ?? true;
    this.account = options.account ?? 'line@icloud.com';
    this.deliverAfterMs = options.deliverAfterMs === undefined ? null : options.deliverAfterMs;
    this.iMessageUsers = options.iMessageUsers ?? (() => true);
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  static async start(options: StandinOptions = {}): Promise<BlueBubblesStandin> {
    const standin = new BlueBubblesStandin(options);
    await new Promise<void>((resolve) => standin.server.listen(0, '127.0.0.1', resolve));
    standin.url = `http://127.0.0.1:${(standin.server.address() as AddressInfo).port}`;
    return standin;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    await this.flush();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The server restarted: webhook registrations made over the API are gone (as a reinstall loses them). */
  restart(): void {
    this.webhooks = [];
  }

  /** Waits for every webhook POST in flight. */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  registeredWebhooks(): readonly BbWebhook[] {
    return this.webhooks;
  }

  /** A message as `GET /api/v1/message/:guid` answers it. */
  message(guid: string): BbMessage | undefined {
    const row = this.messages.get(guid);
    return row ? bbMessage(row, false) : undefined;
  }

  /** Messages the Mac sent, oldest first. */
  sent(): BbMessage[] {
    return [...this.messages.values()].filter((m) => m.isFromMe).map((m) => bbMessage(m, false));
  }

  /** A group chat on the Mac with these participants (as if someone created it earlier). */
  addGroupChat(participants: readonly string[], displayName = ''): string {
    const guid = `iMessage;+;chat${100000 + this.nextRow()}`;
    this.chats.set(guid, {
      rowId: this.nextRow(),
      guid,
      displayName,
      participants: participants.map((p) => this.handleFor(p)),
    });
    return guid;
  }

  /** A contact writes to the Mac: stored and posted as `new-message`. */
  receive(input: {
    from: string;
    text: string;
    chatGuid?: string;
    group?: { participants: readonly string[]; displayName?: string };
    attachment?: { name: string; mimeType: string; bytes: Buffer };
  }): BbMessage {
    let chatGuid = input.chatGuid ?? `iMessage;-;${input.from}`;
    if (input.group && input.chatGuid === undefined) {
      chatGuid = this.addGroupChat([input.from, ...input.group.participants], input.group.displayName);
    }
    const chat = this.chatFor(chatGuid);
    const attachments: BbAttachment[] = [];
    if (input.attachment) {
      const guid = `at_${this.nextRow()}_${input.attachment.name}`;
      this.files.set(guid, { bytes: input.attachment.bytes, mimeType: input.attachment.mimeType });
      attachments.push(
        bbAttachment({
          rowId: this.nextRow(),
          guid,
          mimeType: input.attachment.mimeType,
          transferName: input.attachment.name,
          totalBytes: input.attachment.bytes.length,
          isOutgoing: false,
        }),
      );
    }
    const row = this.store({
      text: input.text === '' && attachments.length > 0 ? '\ufffc' : input.text,
      handle: this.handleFor(input.from),
      chat,
      attachments,
      isFromMe: false,
    });
    this.emit(BB_EVENTS.newMessage, bbMessage(row, true));
    return bbMessage(row, false);
  }

  /** Messages gives up on a sent message with this error code: `message-send-error`. */
  fail(guid: string, errorCode: number): void {
    const row = this.row(guid);
    row.error = errorCode;
    this.emit(BB_EVENTS.messageSendError, bbMessage(row, true));
  }

  /** The recipient's device acknowledged it: `updated-message` with `dateDelivered`. */
  deliver(guid: string): void {
    const row = this.row(guid);
    row.dateDelivered = Date.now();
    this.emit(BB_EVENTS.updatedMessage, bbMessage(row, true));
  }

  /** The recipient read it (they share read receipts): `updated-message` with `dateRead`. */
  read(guid: string): void {
    const row = this.row(guid);
    row.dateDelivered ??= Date.now();
    row.dateRead = Date.now();
    this.emit(BB_EVENTS.updatedMessage, bbMessage(row, true));
  }

  /** The last event about `guid` posted again (the server's poller often reports an update twice). */
  emitDuplicateUpdate(guid: string): void {
    const last = this.lastEvent.get(guid);
    if (!last) throw new Error(`no event for ${guid} yet`);
    this.post(last);
  }

  /** A contact starts or stops typing in their one-to-one chat (Private API only, as on a real Mac). */
  typing(from: string, on: boolean): void {
    if (!this.privateApi || !this.helperConnected) return;
    this.emit(BB_EVENTS.typingIndicator, { display: on, guid: `iMessage;-;${from}` });
  }

  /** `by` renames a group: a group-event message (item type 2) posted as `group-name-change`. */
  renameGroup(chatGuid: string, name: string, by: string): BbMessage {
    const chat = this.chatFor(chatGuid);
    chat.displayName = name;
    const row = this.store({ text: null, handle: this.handleFor(by), chat, attachments: [], isFromMe: false });
    row.itemType = BB_ITEM_TYPE.groupRename;
    row.groupTitle = name;
    this.emit(BB_EVENTS.groupNameChange, bbMessage(row, true));
    return bbMessage(row, false);
  }

  /** `by` adds (or removes) `who`: item type 1, groupActionType 0 (1), posted as `participant-added` (`-removed`). */
  changeParticipant(chatGuid: string, who: string, by: string, added: boolean): BbMessage {
    const chat = this.chatFor(chatGuid);
    const handle = this.handleFor(who);
    chat.participants = added
      ? [...chat.participants, handle]
      : chat.participants.filter((p) => p.address !== handle.address);
    const row = this.store({ text: null, handle: this.handleFor(by), chat, attachments: [], isFromMe: false });
    row.itemType = BB_ITEM_TYPE.participantChange;
    row.groupActionType = added ? 0 : 1;
    this.emit(added ? BB_EVENTS.participantAdded : BB_EVENTS.participantRemoved, bbMessage(row, true));
    return bbMessage(row, false);
  }

  // -- HTTP -----------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://standin');
    const query = Object.fromEntries(url.searchParams.entries());
    const raw = await readBody(req);
    const token = query.guid ?? query.password ?? query.token;
    if (!token) return send(res, 401, BB_ERRORS.unauthorized('Missing server password!'));
    if (token.trim() !== this.password.trim()) return send(res, 401, BB_ERRORS.unauthorized());
    const type = req.headers['content-type'] ?? '';
    let body: unknown = {};
    let files: Map<string, { name: string; mimeType: string; bytes: Buffer }> | undefined;
    if (type.startsWith('multipart/form-data')) {
      const parsed = parseMultipart(raw, type);
      body = parsed.fields;
      files = parsed.files;
    } else if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return send(res, 400, BB_ERRORS.badRequest('Invalid JSON body'));
      }
    }
    const method = req.method ?? 'GET';
    // Koa's router decodes path parameters (a chat guid's `;` and `+` arrive escaped).
    const path = decodeURIComponent(url.pathname);
    this.requests.push({ method, path, query, body });
    const b = (body ?? {}) as Record<string, unknown>;
    const seg = url.pathname.split('/').map(decodeURIComponent);
    // seg: ['', 'api', 'v1', resource, ...]
    if (seg[1] !== 'api' || seg[2] !== 'v1') return send(res, 404, BB_ERRORS.notFound());
    const [resource, a, c] = [seg[3], seg[4], seg[5]];

    if (method === 'GET' && resource === 'ping') return send(res, 200, bbSuccess('pong', 'Ping received!'));
    if (method === 'GET' && resource === 'server' && a === 'info') {
      return send(res, 200, bbSuccess(bbServerInfo(this.privateApi, this.helperConnected, this.account)));
    }
    if (resource === 'message') {
      if (method === 'POST' && a === 'text') return this.sendText(res, b);
      if (method === 'POST' && a === 'attachment') return this.sendAttachment(res, b, files);
      if (method === 'POST' && a === 'query') return this.queryMessages(res, b);
      if (method === 'GET' && a !== undefined && c === undefined) {
        const row = this.messages.get(a);
        if (!row) return send(res, 404, BB_ERRORS.notFound('Message does not exist!'));
        return send(res, 200, bbSuccess(bbMessage(row, false)));
      }
    }
    if (resource === 'chat') {
      if (method === 'POST' && a === 'query') return this.queryChats(res, b);
      if (method === 'POST' && a === 'new') return this.createChat(res, b);
      if (a !== undefined && (c === 'typing' || c === 'read')) {
        if (!this.privateApi || !this.helperConnected) return send(res, 500, bbPrivateApiRequired(this.privateApi));
        if (c === 'read' && method === 'POST') {
          this.emit(BB_EVENTS.chatReadStatusChanged, { chatGuid: a, read: true });
          return send(res, 200, bbSuccess(undefined, 'Successfully marked chat as read!'));
        }
        if (c === 'typing' && method === 'POST')
          return send(res, 200, bbSuccess(undefined, 'Successfully started typing!'));
        if (c === 'typing' && method === 'DELETE')
          return send(res, 200, bbSuccess(undefined, 'Successfully stopped typing!'));
      }
      if (method === 'GET' && a !== undefined && c === undefined) {
        const chat = this.chats.get(a);
        if (!chat) return send(res, 404, BB_ERRORS.notFound('Chat does not exist!'));
        return send(res, 200, bbSuccess(bbChat(chat, true)));
      }
    }
    if (resource === 'handle' && method === 'GET' && a === 'availability' && c === 'imessage') {
      if (!this.privateApi || !this.helperConnected) return send(res, 500, bbPrivateApiRequired(this.privateApi));
      if (typeof query.address !== 'string' || query.address === '') {
        return send(res, 400, BB_ERRORS.badRequest('The address field is required.'));
      }
      return send(res, 200, bbSuccess({ available: this.iMessageUsers(query.address) }));
    }
    if (resource === 'attachment' && method === 'GET' && a !== undefined && c === 'download') {
      const file = this.files.get(a);
      if (!file) return send(res, 404, BB_ERRORS.notFound('Attachment does not exist!'));
      res.writeHead(200, { 'content-type': file.mimeType, 'content-length': file.bytes.length });
      res.end(file.bytes);
      return;
    }
    if (resource === 'webhook') return this.webhookRoute(res, method, a, query, b);
    return send(res, 404, BB_ERRORS.notFound());
  }

  private sendText(res: ServerResponse, b: Record<string, unknown>): void {
    const rule = validateSend(b, ['chatGuid', 'tempGuid', 'message', 'method', 'effectId', 'subject']);
    if (rule) return send(res, 400, BB_ERRORS.badRequest(rule));
    let method = (b.method as string | undefined) ?? 'apple-script';
    if (b.effectId || b.subject || b.selectedMessageGuid) method = 'private-api';
    if (method === 'apple-script' && !b.tempGuid) {
      return send(res, 400, BB_ERRORS.badRequest(`A 'tempGuid' is required when sending via AppleScript`));
    }
    if (method === 'apple-script' && !b.message) {
      return send(res, 400, BB_ERRORS.badRequest(`A 'message' is required when sending via AppleScript`));
    }
    if (method === 'private-api' && !b.message && !b.subject) {
      return send(
        res,
        400,
        BB_ERRORS.badRequest(`A 'message' or 'subject' is required when sending via the Private API`),
      );
    }
    this.finishSend(res, b, method, b.message as string, [], 'Message sent!', 'Message Send Error', 'message');
  }

  private sendAttachment(
    res: ServerResponse,
    b: Record<string, unknown>,
    files: Map<string, { name: string; mimeType: string; bytes: Buffer }> | undefined,
  ): void {
    if (!b.chatGuid) return send(res, 400, BB_ERRORS.badRequest('The chatGuid field is required.'));
    if (!b.name) return send(res, 400, BB_ERRORS.badRequest('The name field is required.'));
    let method = (b.method as string | undefined) ?? 'apple-script';
    if (b.effectId || b.subject || b.selectedMessageGuid) method = 'private-api';
    if (method === 'apple-script' && !b.tempGuid) {
      return send(res, 400, BB_ERRORS.badRequest(`A 'tempGuid' is required when sending via AppleScript`));
    }
    const file = files?.get('attachment');
    if (!file || file.bytes.length === 0)
      return send(res, 400, BB_ERRORS.badRequest('Attachment not provided or was empty!'));
    const guid = `at_${this.nextRow()}_${String(b.tempGuid ?? '')}`;
    this.files.set(guid, { bytes: file.bytes, mimeType: file.mimeType });
    this.uploads.set(guid, { name: b.name as string, bytes: file.bytes, mimeType: file.mimeType });
    const attachment = bbAttachment({
      rowId: this.nextRow(),
      guid,
      mimeType: file.mimeType,
      transferName: b.name as string,
      totalBytes: file.bytes.length,
      isOutgoing: true,
    });
    this.finishSend(res, b, method, '\ufffc', [attachment], 'Attachment sent!', 'Attachment Send Error', 'attachment');
  }

  /** `routers/messageRouter.ts` `sendText`/`sendAttachment` once validated. */
  private finishSend(
    res: ServerResponse,
    b: Record<string, unknown>,
    method: string,
    text: string,
    attachments: BbAttachment[],
    ok: string,
    failure: string,
    noun: string,
  ): void {
    const at = this.sendFaults.findIndex((f) => f.on === undefined || f.on === noun);
    const fault = at === -1 ? undefined : this.sendFaults.splice(at, 1)[0];
    if (fault && !fault.afterSending) {
      return send(res, fault.status, { ...BB_ERRORS.serverError(fault.error), status: fault.status });
    }
    if (method === 'private-api' && (!this.privateApi || !this.helperConnected)) {
      const why = this.privateApi
        ? 'iMessage Private API Helper is not connected!'
        : 'iMessage Private API is not enabled!';
      return send(res, 500, BB_ERRORS.imessage(failure, why));
    }
    const chatGuid = b.chatGuid as string;
    const isGroup = chatGuid.includes(';+;');
    if (isGroup && !this.chats.has(chatGuid)) {
      return send(res, 500, BB_ERRORS.imessage(failure, `Chat does not exist: ${chatGuid}`));
    }
    const chat = this.chatFor(chatGuid);
    const recipient = isGroup ? null : chat.participants[0]!;
    const row = this.store({ text, handle: recipient, chat, attachments, isFromMe: true });
    if (typeof b.effectId === 'string') row.expressiveSendStyleId = b.effectId;
    const unreachable = isGroup
      ? chat.participants.every((p) => !this.iMessageUsers(p.address))
      : !this.iMessageUsers(recipient!.address);
    if (unreachable) {
      row.error = 22;
      return send(
        res,
        500,
        BB_ERRORS.imessage(failure, `Failed to send ${noun}! See attached message error code.`, bbMessage(row, false)),
      );
    }
    if (this.deliverAfterMs !== null) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        if (row.error === 0 && row.dateDelivered === null) this.deliver(row.guid);
      }, this.deliverAfterMs);
      this.timers.add(t);
    }
    const data: BbMessage = { ...bbMessage(row, false) };
    if (typeof b.tempGuid === 'string' && b.tempGuid !== '' && noun === 'message') data.tempGuid = b.tempGuid;
    // The Mac matches its own sent message to the send and posts it with the tempGuid (`emitMessageMatch`).
    this.emit(BB_EVENTS.newMessage, { ...bbMessage(row, true), tempGuid: b.tempGuid });
    if (fault) return send(res, fault.status, { ...BB_ERRORS.serverError(fault.error), status: fault.status });
    send(res, 200, bbSuccess(data, ok));
  }

  private queryMessages(res: ServerResponse, b: Record<string, unknown>): void {
    if (Array.isArray(b.where) && b.where.length > 0) {
      return send(res, 400, BB_ERRORS.badRequest('where clauses are not modelled by the stand-in'));
    }
    const limit = b.limit === undefined ? 100 : Number(b.limit);
    const offset = b.offset === undefined ? 0 : Number(b.offset);
    if (!Number.isFinite(limit) || limit < 1 || limit > 1000) {
      return send(res, 400, BB_ERRORS.badRequest('The limit must be between 1 and 1000.'));
    }
    if (b.sort !== undefined && b.sort !== 'ASC' && b.sort !== 'DESC') {
      return send(res, 400, BB_ERRORS.badRequest('The selected sort is invalid.'));
    }
    const after = b.after === undefined ? undefined : Number(b.after);
    const before = b.before === undefined ? undefined : Number(b.before);
    let rows = [...this.messages.values()].filter(
      (m) =>
        (after === undefined || m.dateCreated >= after) &&
        (before === undefined || m.dateCreated <= before) &&
        (b.chatGuid === undefined || m.chat.guid === b.chatGuid),
    );
    rows.sort((x, y) => x.dateCreated - y.dateCreated || x.rowId - y.rowId);
    if (b.sort !== 'ASC') rows.reverse();
    const total = rows.length;
    rows = rows.slice(offset, offset + limit);
    const withQuery = Array.isArray(b.with) ? (b.with as unknown[]).map((w) => String(w).toLowerCase()) : [];
    const participants = withQuery.includes('chat.participants') || withQuery.includes('chats.participants');
    const data = rows.map((r) => {
      const m = bbMessage(r, false);
      // `loadChatParticipants` fills group chats (style 43) only. (The server's loop for it fills
      // some messages' chats and skips others; the stand-in fills every one.)
      if (participants && r.chat.guid.includes(';+;')) m.chats = [bbChat(r.chat, true)];
      return m;
    });
    send(res, 200, bbSuccess(data, 'Successfully fetched messages!', { offset, limit, total, count: data.length }));
  }

  private queryChats(res: ServerResponse, b: Record<string, unknown>): void {
    const limit = b.limit === undefined ? 1000 : Number(b.limit);
    const offset = b.offset === undefined ? 0 : Number(b.offset);
    const all = [...this.chats.values()];
    const data = all.slice(offset, offset + limit).map((c) => bbChat(c, true));
    send(res, 200, bbSuccess(data, 'Success', { count: data.length, total: all.length, offset, limit }));
  }

  /** `routers/chatRouter.ts` `create`: a new chat and its first message. */
  private createChat(res: ServerResponse, b: Record<string, unknown>): void {
    if (!Array.isArray(b.addresses)) return send(res, 400, BB_ERRORS.badRequest('The addresses field is required.'));
    const addresses = b.addresses as string[];
    const guid = addresses.length === 1 ? `iMessage;-;${addresses[0]}` : this.addGroupChat(addresses);
    const chat = this.chatFor(guid);
    const messages: BbMessage[] = [];
    if (typeof b.message === 'string' && b.message !== '') {
      const row = this.store({ text: b.message, handle: null, chat, attachments: [], isFromMe: true });
      const m = bbMessage(row, false);
      if (typeof b.tempGuid === 'string') m.tempGuid = b.tempGuid;
      messages.push(m);
    }
    send(res, 200, bbSuccess({ ...bbChat(chat, true), messages }, 'Successfully created chat!'));
  }

  private webhookRoute(
    res: ServerResponse,
    method: string,
    id: string | undefined,
    query: Record<string, string>,
    b: Record<string, unknown>,
  ): void {
    if (method === 'GET' && id === undefined) {
      const list = this.webhooks.filter(
        (w) =>
          (query.url === undefined || w.url === query.url) && (query.id === undefined || w.id === Number(query.id)),
      );
      return send(res, 200, bbSuccess(list, 'Successfully fetched webhooks!'));
    }
    if (method === 'POST' && id === undefined) {
      if (typeof b.url !== 'string') return send(res, 400, BB_ERRORS.badRequest('The url field is required.'));
      if (!Array.isArray(b.events)) return send(res, 400, BB_ERRORS.badRequest('The events field is required.'));
      if (b.url.length === 0) return send(res, 400, BB_ERRORS.badRequest('Webhook URL is required!'));
      if (!b.url.startsWith('http'))
        return send(res, 400, BB_ERRORS.badRequest('Webhook URL must include an HTTP scheme!'));
      for (const e of b.events as unknown[]) {
        if (typeof e !== 'string') return send(res, 400, BB_ERRORS.badRequest('Webhook events must be strings!'));
        if (!WEBHOOK_EVENT_VALUES.includes(e)) {
          return send(
            res,
            400,
            BB_ERRORS.badRequest(
              `Invalid webhook event: ${e}! Webhook must be one of: ${WEBHOOK_EVENT_VALUES.join(',')}`,
            ),
          );
        }
      }
      // `databases/server/index.ts` `addWebhook`: an existing URL is answered as it is.
      const existing = this.webhooks.find((w) => w.url === b.url);
      if (existing) return send(res, 200, bbSuccess(existing, 'Successfully created webhook!'));
      const webhook: BbWebhook = {
        id: ++this.webhookId,
        url: b.url,
        events: b.events as string[],
        created: new Date().toISOString(),
      };
      this.webhooks.push(webhook);
      return send(res, 200, bbSuccess(webhook, 'Successfully created webhook!'));
    }
    if (method === 'DELETE' && id !== undefined) {
      const n = Number.parseInt(id, 10);
      if (!this.webhooks.some((w) => w.id === n)) return send(res, 404, BB_ERRORS.notFound('Webhook does not exist!'));
      this.webhooks = this.webhooks.filter((w) => w.id !== n);
      return send(res, 200, bbSuccess(undefined, 'Successfully deleted webhook!'));
    }
    send(res, 404, BB_ERRORS.notFound());
  }

  // -- state ----------------------------------------------------------------------------------

  private nextRow(): number {
    return ++this.rowId;
  }

  private handleFor(address: string): BbHandle {
    let h = this.handles.get(address);
    if (!h) this.handles.set(address, (h = bbHandle(this.nextRow(), address, 'iMessage')));
    return h;
  }

  private chatFor(guid: string): ChatRow {
    let chat = this.chats.get(guid);
    if (!chat) {
      const address = guid.split(';-;')[1] ?? guid;
      chat = { rowId: this.nextRow(), guid, participants: [this.handleFor(address)] };
      this.chats.set(guid, chat);
    }
    return chat;
  }

  private row(guid: string): StandinMessageRow {
    const row = this.messages.get(guid);
    if (!row) throw new Error(`no message ${guid}`);
    return row;
  }

  private store(m: {
    text: string | null;
    handle: BbHandle | null;
    chat: ChatRow;
    attachments: BbAttachment[];
    isFromMe: boolean;
  }): StandinMessageRow {
    const rowId = this.nextRow();
    const row: StandinMessageRow = {
      rowId,
      guid: `p:0/${String(rowId).padStart(8, '0')}-STANDIN-${rowId.toString(16).toUpperCase()}`,
      ...m,
      error: 0,
      dateCreated: Date.now(),
      dateDelivered: null,
      dateRead: null,
      itemType: BB_ITEM_TYPE.text,
      groupTitle: null,
      groupActionType: 0,
      expressiveSendStyleId: null,
    };
    this.messages.set(row.guid, row);
    return row;
  }

  private emit(type: string, data: unknown): void {
    const event = { type, data };
    const guid = (data as { guid?: unknown }).guid;
    if (typeof guid === 'string') this.lastEvent.set(guid, event);
    this.post(event);
  }

  /** `services/webhookService/index.ts` `dispatch`: every matching webhook, not awaited, errors swallowed. */
  private post(event: { type: string; data: unknown }): void {
    if (!this.reachWebhooks) return;
    for (const hook of this.webhooks) {
      if (!hook.events.includes('*') && !hook.events.includes(event.type)) continue;
      const record: WebhookPost = { url: hook.url, event, outcome: 'pending' };
      this.posts.push(record);
      const p = fetch(hook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(event),
      })
        .then(async (r) => {
          record.outcome = r.status;
          await r.arrayBuffer();
        })
        .catch((e: Error) => {
          record.outcome = e.message;
        })
        .finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }
  }
}

function validateSend(b: Record<string, unknown>, fields: string[]): string | undefined {
  if (typeof b.chatGuid !== 'string' || b.chatGuid === '') return 'The chatGuid field is required.';
  if (fields.includes('message') && !('message' in b)) return 'The message field must be present.';
  for (const f of ['tempGuid', 'message', 'effectId', 'subject']) {
    if (b[f] !== undefined && typeof b[f] !== 'string') return `The ${f} must be a string.`;
  }
  if (b.method !== undefined && b.method !== 'apple-script' && b.method !== 'private-api') {
    return 'The selected method is invalid.';
  }
  return undefined;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function parseMultipart(
  raw: Buffer,
  contentType: string,
): { fields: Record<string, string>; files: Map<string, { name: string; mimeType: string; bytes: Buffer }> } {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const fields: Record<string, string> = {};
  const files = new Map<string, { name: string; mimeType: string; bytes: Buffer }>();
  if (!boundary) return { fields, files };
  const marker = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let start = raw.indexOf(marker);
  while (start !== -1) {
    const next = raw.indexOf(marker, start + marker.length);
    if (next === -1) break;
    const part = raw.subarray(start + marker.length + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, split).toString('utf8');
    const content = part.subarray(split + 4);
    const name = /name="([^"]*)"/.exec(head)?.[1] ?? '';
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    if (filename !== undefined) {
      const mimeType = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? 'application/octet-stream';
      files.set(name, { name: filename, mimeType, bytes: Buffer.from(content) });
    } else {
      fields[name] = content.toString('utf8');
    }
    start = next;
  }
  return { fields, files };
}
