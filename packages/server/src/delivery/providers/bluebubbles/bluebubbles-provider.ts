import type { Logger } from 'pino';
import { DELIVERY_ERRORS } from '../../../domain/delivery-errors.js';
import type { StatusPatch } from '../../../domain/job.js';
import type { Message, Service } from '../../../domain/message.js';
import type { WorkerMedia } from '../../provider-call.js';
import type {
  Provider,
  ProviderConnection,
  ProviderDeps,
  ProviderEvents,
  ProviderSendRequest,
  SendResult,
} from '../provider.js';
import { BlueBubblesClient, BlueBubblesError } from './bluebubbles-client.js';
import { effectIdOf } from './bluebubbles-effects.js';
import type { BlueBubblesSettings } from './bluebubbles-settings.js';
import type { BbMessage, BbSendMethod, BbServerInfo } from './bluebubbles-wire.js';
import { describeMessageError, isNotOnIMessage } from './bluebubbles-status.js';

const SEND_FAILED = DELIVERY_ERRORS.sendFailed;
/** How far the Mac's clock may be behind Tapback's when a retry looks for an earlier copy. */
const CLOCK_SKEW_MS = 60_000;

/**
 * What the event source (webhooks or polling, started once connected) gets: the client, where
 * events go, what the server said about itself, and a way to end the connection when it finds
 * the server gone. `signal` is aborted when the connection closes.
 */
export interface BlueBubblesEventSourceContext {
  client: BlueBubblesClient;
  events: ProviderEvents;
  settings: BlueBubblesSettings;
  serverInfo: BbServerInfo;
  /** The Private API is enabled and its helper connected (typing and read events need it). */
  privateApi: boolean;
  /** The lines this connection serves (E.164): the Mac's iMessage account sends and receives for them. */
  lines(): readonly string[];
  logger: Logger;
  now(): number;
  signal: AbortSignal;
  fail(error: Error): void;
}

export interface BlueBubblesEventSource {
  stop(): Promise<void> | void;
}

export type StartBlueBubblesEventSource = (
  context: BlueBubblesEventSourceContext,
) => BlueBubblesEventSource | Promise<BlueBubblesEventSource>;

/** Where a Tapback group's iMessage chat is remembered (its chat guid, once found or created). */
export interface BlueBubblesGroupChats {
  chatGuidOf(input: { line: string; groupId: string }): Promise<string | undefined>;
  remember(input: { line: string; groupId: string; chatGuid: string }): Promise<void>;
}

export interface BlueBubblesProviderDeps extends ProviderDeps {
  /** Fetches a message's `media_url` (through the SSRF guard) to upload it as an attachment. */
  media?: WorkerMedia;
  /** Webhooks or polling; without it the line sends but hears nothing back. */
  startEventSource?: StartBlueBubblesEventSource;
  groupChats?: BlueBubblesGroupChats;
}

interface Session {
  info: BbServerInfo;
  privateApi: boolean;
}

/**
 * iMessage through a BlueBubbles Server on a Mac. `send` is one REST call per part (text, then
 * the attachment); outcomes after that (delivered, read, failed) arrive as events from the event
 * source started on connect, matched by the `tempGuid` (Tapback's message handle) or the guid.
 */
export class BlueBubblesProvider implements Provider {
  readonly kind = 'bluebubbles';
  readonly services: readonly Service[] = ['iMessage'];
  readonly client: BlueBubblesClient;
  /**
   * Present only while the Private API is enabled and connected: without it the capability is
   * absent, which the API reports as `typing_unavailable`.
   */
  typing?: (input: { from: string; to: string }, signal: AbortSignal) => Promise<void>;
  /** Likewise: marking a chat read is a Private API call (`read_receipts_unavailable` without it). */
  markRead?: (input: { from: string; to: string }, signal: AbortSignal) => Promise<void>;
  private session: Session | undefined;
  private readonly logger: Logger;

  constructor(
    private readonly settings: BlueBubblesSettings,
    private readonly deps: BlueBubblesProviderDeps,
  ) {
    this.client = new BlueBubblesClient({
      url: settings.url,
      password: settings.password,
      timeoutMs: settings.timeoutSeconds * 1000,
    });
    this.logger = deps.logger.child({ provider: 'bluebubbles', server: settings.url });
  }

  /** The Private API is on and its helper connected, as of the last connect. */
  get privateApi(): boolean {
    return this.session?.privateApi ?? false;
  }

  async connect(events: ProviderEvents, signal: AbortSignal): Promise<ProviderConnection> {
    await this.client.ping(signal);
    const info = await this.client.serverInfo(signal);
    const privateApi = info.private_api && info.helper_connected;
    if (this.settings.method === 'private-api' && !privateApi) {
      throw new Error('method private-api: the server’s Private API is not enabled or its helper is not connected');
    }
    this.session = { info, privateApi };
    this.typing = privateApi ? (input, s) => this.showTyping(input, s) : undefined;
    this.markRead = privateApi ? (input, s) => this.client.markRead(directChatGuid(input.to), s) : undefined;
    this.logger.info(
      { macos: info.os_version, server: info.server_version, privateApi, imessage: info.detected_imessage },
      'connected to BlueBubbles',
    );

    const alive = new AbortController();
    let settle: (error: Error | undefined) => void = () => undefined;
    const closed = new Promise<Error | undefined>((resolve) => (settle = resolve));
    let done = false;
    const finish = (error: Error | undefined): void => {
      if (done) return;
      done = true;
      clearInterval(timer);
      alive.abort();
      this.session = undefined;
      this.typing = undefined;
      this.markRead = undefined;
      void Promise.resolve(source?.stop()).catch((e: unknown) =>
        this.logger.warn({ err: e }, 'stopping events failed'),
      );
      settle(error);
    };
    let pinging = false;
    const timer = setInterval(() => {
      if (pinging) return;
      pinging = true;
      this.client
        .ping(AbortSignal.timeout(this.settings.timeoutSeconds * 1000))
        .catch((e: Error) => finish(e))
        .finally(() => (pinging = false));
    }, this.settings.pingSeconds * 1000);
    timer.unref();

    let source: BlueBubblesEventSource | undefined;
    if (this.deps.startEventSource) {
      try {
        source = await this.deps.startEventSource({
          client: this.client,
          events,
          settings: this.settings,
          serverInfo: info,
          privateApi,
          lines: () => this.deps.lines?.() ?? [],
          logger: this.logger,
          now: () => this.deps.now(),
          signal: alive.signal,
          fail: (error) => finish(error),
        });
      } catch (error) {
        finish(error as Error);
        throw error;
      }
    } else {
      this.logger.warn('no event source: this line sends but receives no receipts or messages');
    }
    return { closed, close: async () => finish(undefined) };
  }

  async send({ message, attempt }: ProviderSendRequest, signal: AbortSignal): Promise<SendResult> {
    const session = this.session;
    if (!session) return failed(true, 'not connected to the BlueBubbles server');
    const effectId = effectIdOf(message.sendStyle);
    const useEffect = effectId !== undefined && session.privateApi;
    if (effectId !== undefined && !useEffect) {
      // Effects need the Private API; the words still reach the recipient, without the effect.
      this.logger.warn({ message: message.handle, sendStyle: message.sendStyle }, 'send_style dropped: no Private API');
    }
    const method = this.method(session, useEffect);
    const ids: string[] = [];
    const parts: BbMessage[] = [];
    let sent: BbMessage | undefined;
    try {
      const target = await this.chatOf(message, method, useEffect ? effectId : undefined, signal);
      if (target.created) {
        ids.push(idOf(target.created, message.handle));
        sent = target.created;
        parts.push(sent);
      } else if (message.content !== '') {
        const earlier = attempt > 1 ? await this.earlierCopy(target.chatGuid, message, signal) : undefined;
        sent =
          earlier ??
          (await this.client.sendText(
            {
              chatGuid: target.chatGuid,
              tempGuid: message.handle,
              message: message.content,
              method,
              ...(useEffect ? { effectId } : {}),
            },
            signal,
          ));
        ids.push(idOf(sent, message.handle));
        parts.push(sent);
      }
      if (message.mediaUrl !== '') {
        const file = await this.fetchMedia(message.mediaUrl);
        if (file.kind === 'failed') return ids.length > 0 ? partial(file.result) : file.result;
        const tempGuid = ids.length > 0 ? `${message.handle}.media` : message.handle;
        const attached = await this.client.sendAttachment(
          {
            chatGuid: target.chatGuid,
            tempGuid,
            name: file.name,
            bytes: file.bytes,
            mimeType: file.mimeType,
            method,
            ...(useEffect && ids.length === 0 ? { effectId } : {}),
          },
          signal,
        );
        ids.push(idOf(attached, tempGuid));
        sent ??= attached;
        parts.push(attached);
      }
    } catch (error) {
      const result = sendFailure(error);
      return ids.length > 0 ? partial(result) : result;
    }
    if (!sent) return failed(false, 'an iMessage needs text or a media URL');
    const patches: StatusPatch[] = [{ status: 'SENT', service: 'iMessage' }];
    if (parts.every((p) => p.dateDelivered !== null && p.dateDelivered > 0)) {
      patches.push({ status: 'DELIVERED', service: 'iMessage' });
    }
    return { kind: 'accepted', networkMessageIds: ids, patches };
  }

  /**
   * Whether `number` is registered with iMessage. Apple answers this only through the Private
   * API; without it every number is taken for an iMessage user, and a send to one that is not
   * fails with `notOnService` (error 22), which routing answers with the SMS fallback.
   */
  async lookup(number: string, signal: AbortSignal): Promise<{ service: Service }> {
    if (!this.session?.privateApi) return { service: 'iMessage' };
    const available = await this.client.imessageAvailability(number, signal);
    return { service: available ? 'iMessage' : 'SMS' };
  }

  async check(
    input: { message: Message; networkMessageIds: readonly string[] },
    signal: AbortSignal,
  ): Promise<{ state: 'delivered' | 'failed'; patch: StatusPatch } | { state: 'pending' }> {
    // A tempGuid (Tapback's own id, kept only when an answer had no guid) is unknown to Messages.
    const guids = input.networkMessageIds.filter((id) => !id.startsWith(input.message.handle));
    let delivered = guids.length > 0;
    for (const guid of guids) {
      let found: BbMessage;
      try {
        found = await this.client.getMessage(guid, signal);
      } catch (error) {
        if (error instanceof BlueBubblesError && error.status === 404) {
          delivered = false;
          continue;
        }
        throw error;
      }
      if (found.error !== 0) return { state: 'failed', patch: errorPatch(found.error) };
      if (found.dateDelivered === null || found.dateDelivered === 0) delivered = false;
    }
    return delivered
      ? { state: 'delivered', patch: { status: 'DELIVERED', service: 'iMessage' } }
      : { state: 'pending' };
  }

  /**
   * On a retry: the text an earlier attempt already sent, if its answer was lost (a timeout, a
   * `504`). BlueBubbles keeps no `tempGuid` once a send returns, so the Mac's recent messages in
   * the chat are searched for this text, sent by the Mac since the message was created (less a
   * minute for the clocks' difference). An identical text sent by hand in that minute would be
   * taken for it; that is the price of not sending every retried message twice.
   */
  private async earlierCopy(chatGuid: string, message: Message, signal: AbortSignal): Promise<BbMessage | undefined> {
    const page = await this.client.queryMessages(
      { chatGuid, after: message.createdAt - CLOCK_SKEW_MS, sort: 'DESC', limit: 50 },
      signal,
    );
    const copy = page.messages.find(
      (m) => m.isFromMe && m.error === 0 && m.text === message.content && (m.attachments ?? []).length === 0,
    );
    if (copy) this.logger.info({ message: message.handle, guid: copy.guid }, 'retry found the text already sent');
    return copy;
  }

  private async showTyping(input: { from: string; to: string }, signal: AbortSignal): Promise<void> {
    await this.client.startTyping(directChatGuid(input.to), signal);
  }

  private method(session: Session, effect: boolean): BbSendMethod {
    if (this.settings.method !== 'auto') return this.settings.method;
    return session.privateApi || effect ? 'private-api' : 'apple-script';
  }

  /** The chat to send into; a group with no chat on the Mac yet is created with the message's text. */
  private async chatOf(
    message: Message,
    method: BbSendMethod,
    effectId: string | undefined,
    signal: AbortSignal,
  ): Promise<{ chatGuid: string; created?: BbMessage }> {
    if (message.groupId === '') return { chatGuid: directChatGuid(message.number) };
    const key = { line: message.sendblueNumber, groupId: message.groupId };
    const known = await this.deps.groupChats?.chatGuidOf(key);
    if (known !== undefined) return { chatGuid: known };
    const members = message.participants.filter((p) => p !== message.sendblueNumber);
    const found = await this.client.findGroupChat(members, signal);
    if (found) {
      await this.deps.groupChats?.remember({ ...key, chatGuid: found.guid });
      return { chatGuid: found.guid };
    }
    if (message.content === '') throw new BlueBubblesError('http', 400, 'a new group chat starts with a text');
    const chat = await this.client.createChat(
      {
        addresses: members,
        message: message.content,
        tempGuid: message.handle,
        method,
        ...(effectId ? { effectId } : {}),
      },
      signal,
    );
    await this.deps.groupChats?.remember({ ...key, chatGuid: chat.guid });
    const first = chat.messages?.[0];
    return first ? { chatGuid: chat.guid, created: first } : { chatGuid: chat.guid };
  }

  private async fetchMedia(
    url: string,
  ): Promise<
    | { kind: 'ok'; bytes: Uint8Array; mimeType: string; name: string }
    | { kind: 'failed'; reason: string; result: SendResult & { kind: 'failed' } }
  > {
    const media = this.deps.media;
    if (!media) {
      const reason = 'media_url cannot be sent: this server has no media fetcher for BlueBubbles lines';
      return { kind: 'failed', reason, result: failed(false, reason) };
    }
    const fetched = await media.fetcher.fetch(url, media.limits);
    if (fetched.kind !== 'ok') {
      const reason =
        fetched.kind === 'too_large'
          ? `media_url is larger than ${media.limits.maxBytes} bytes`
          : `media_url could not be fetched: ${fetched.reason}`;
      return { kind: 'failed', reason, result: failed(fetched.kind === 'failed', reason) };
    }
    return { kind: 'ok', bytes: fetched.bytes, mimeType: fetched.contentType, name: fileName(fetched.path) };
  }
}

/**
 * The network id of one sent part: the guid Messages gave it. Not also the `tempGuid`: a message's
 * status folds all its ids as segments, and Messages' later updates (`updated-message`, a poll)
 * name only the guid, so a `tempGuid` segment would keep the message from ever being DELIVERED.
 * The `tempGuid` only stands in when an answer has no guid.
 */
function idOf(sent: BbMessage, tempGuid: string): string {
  return typeof sent.guid === 'string' && sent.guid !== '' ? sent.guid : tempGuid;
}

/** The one-to-one iMessage chat with a phone number or email (`iMessage;-;+15551234567`). */
export function directChatGuid(address: string): string {
  return `iMessage;-;${address}`;
}

function fileName(path: string): string {
  const last = decodeURIComponent(path.split('/').pop() ?? '');
  return last === '' ? 'attachment' : last;
}

function failed(retryable: boolean, reason: string, detail?: string): SendResult & { kind: 'failed' } {
  return {
    kind: 'failed',
    retryable,
    errorCode: SEND_FAILED,
    errorMessage: 'Message failed to send',
    errorReason: reason,
    ...(detail === undefined ? {} : { errorDetail: detail }),
  };
}

/**
 * The text went, the attachment did not. A retry finds the text already sent (`earlierCopy`) and
 * sends only the attachment, so a transient failure stays transient.
 */
function partial(result: SendResult & { kind: 'failed' }): SendResult {
  return { ...result, errorReason: `the text was sent, the attachment was not: ${result.errorReason ?? ''}` };
}

function errorPatch(code: number): StatusPatch {
  return {
    status: 'ERROR',
    service: 'iMessage',
    errorCode: SEND_FAILED,
    errorMessage: 'Message failed to send',
    errorReason: isNotOnIMessage(code) ? 'the recipient is not registered with iMessage' : 'Messages reported an error',
    errorDetail: describeMessageError(code),
  };
}

/** A send's failure as the provider contract has it (see docs/providers.md, the status table). */
export function sendFailure(error: unknown): SendResult & { kind: 'failed' } {
  if (!(error instanceof BlueBubblesError)) {
    return failed(true, 'the BlueBubbles call failed', error instanceof Error ? error.message : String(error));
  }
  const code = messageErrorCode(error.data);
  if (code !== undefined && code !== 0) {
    const detail = `${describeMessageError(code)}; server: ${error.serverMessage}`;
    if (isNotOnIMessage(code)) {
      return { ...failed(false, 'the recipient is not registered with iMessage', detail), notOnService: true };
    }
    return failed(false, 'Messages could not send it', detail);
  }
  if (error.kind === 'timeout')
    return failed(true, 'the BlueBubbles server did not answer in time', error.serverMessage);
  if (error.kind === 'network') return failed(true, 'the BlueBubbles server cannot be reached', error.serverMessage);
  if (error.kind === 'invalid')
    return failed(true, 'the BlueBubbles server answered unexpectedly', error.serverMessage);
  const detail = `HTTP ${error.status}: ${error.serverMessage}`;
  // A wrong password is the line's configuration, not the message's fault: kept for a retry.
  if (error.status >= 500 || error.status === 401)
    return failed(true, 'the BlueBubbles server could not send it now', detail);
  return failed(false, 'the BlueBubbles server refused the message', detail);
}

function messageErrorCode(data: unknown): number | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  const code = (data as { error?: unknown }).error;
  return typeof code === 'number' ? code : undefined;
}
