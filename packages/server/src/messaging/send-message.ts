import { createHash } from 'node:crypto';
import type { Clock } from '../domain/clock.js';
import type { Message, SendStyle } from '../domain/message.js';
import { parsePhone } from '../domain/phone.js';
import type { NewMessage } from '../domain/message.js';
import type { LinesPort } from '../store/ports/lines-port.js';
import type { MessagesPort } from '../store/ports/messages-port.js';
import type { Caller } from './caller.js';
import { outboundDraft } from './message-drafts.js';
import { messageBody, statusCallbackUrl } from '../domain/validation.js';
import { IdentifiedAccepts, type RequestIdentity } from './request-identity.js';
import { ownLine } from './validation.js';
import { type RouteService, type SendOutcome, acceptDraft } from './accept-draft.js';

export type { SendOutcome } from './accept-draft.js';
import { type AppCardInput, appCardPayload } from './app-card-draft.js';
import { type AddressCheck, refusePrivateUrl } from './url-policy.js';

/** The send body, after schema validation (types are right; values not yet checked). */
export interface SendInput {
  number: string;
  from_number: string;
  content?: string;
  media_url?: string;
  send_style?: SendStyle;
  status_callback?: string;
  /** An iMessage App Card: the message is stored as type `app_card`, its text the card's fallback. */
  app_card?: AppCardInput;
}

export interface SendServiceDeps {
  store: MessagesPort & LinesPort;
  clock: Clock;
  /** Most messages an account may have waiting (status QUEUED) before sends get 429. */
  queueLimit: number;
  /** Called after a message and its job are committed, to wake the delivery worker. */
  onAccepted: (message: Message) => void;
  /** Refuses private callback and media URLs at send time (the SSRF guard's policy); unchecked when absent. */
  urlPolicy?: AddressCheck;
  /** How long after a send an official SDK retry of it replays it (`TAPBACK_RETRY_MATCH_WINDOW_MS`). */
  retryMatchWindowMs?: number;
  /** Routing's word on a new message's service (the QUEUED response's `service`). */
  routeService?: RouteService;
}

/**
 * Accepting an outbound message: validate, then store the message and its delivery job in one
 * durable transaction. Every rejection happens before anything is stored, so a client may always
 * retry a 4xx/429 safely; once stored, the answer is a 200.
 */
export class SendService {
  private readonly accepts: IdentifiedAccepts<SendOutcome>;

  constructor(private readonly deps: SendServiceDeps) {
    this.accepts = new IdentifiedAccepts(deps);
  }

  /**
   * `identity`: an `Idempotency-Key` (a string, or `{kind: 'key'}`) or the request's digest
   * (request-identity.ts); without one, nothing is replayed.
   */
  send(caller: Caller, input: SendInput, identity?: string | RequestIdentity): Promise<SendOutcome> {
    return this.accepts.run(
      caller.accountId,
      identity,
      () => hashRequest(input),
      async (key) => acceptDraft(this.deps, await this.validate(caller, input), key),
    );
  }

  private async validate(caller: Caller, input: SendInput): Promise<NewMessage> {
    const to = parsePhone(input.number, 'number');
    const from = await ownLine(this.deps.store, caller.accountId, input.from_number, 'from_number');
    const card = input.app_card === undefined ? undefined : appCardPayload(input.app_card, this.deps.urlPolicy);
    // A card's text is what surfaces that cannot show it display: the content, else its fallback.
    const fallback =
      card === undefined ? undefined : (input.content ?? card.fallbackText ?? card.layout.summary ?? card.appName);
    const { content, mediaUrl } = messageBody(fallback === undefined ? input : { ...input, content: fallback });
    const statusCallback = statusCallbackUrl(input.status_callback);
    refusePrivateUrl(this.deps.urlPolicy, mediaUrl, 'media_url');
    refusePrivateUrl(this.deps.urlPolicy, statusCallback ?? '', 'status_callback');
    const draft = outboundDraft(caller, {
      line: from,
      to,
      content,
      mediaUrl,
      sendStyle: input.send_style ?? '',
      statusCallback,
      now: this.deps.clock.now(),
    });
    return card === undefined ? draft : { ...draft, messageType: 'app_card', typePayload: card };
  }
}

/** A digest of the request's meaning: key order and absent-vs-default do not matter. */
function hashRequest(input: SendInput): string {
  const canonical = [
    input.number,
    input.from_number,
    input.content ?? '',
    input.media_url ?? '',
    input.send_style ?? '',
    input.status_callback ?? '',
    input.app_card ?? null,
  ];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}
