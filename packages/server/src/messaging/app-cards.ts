import { createHash } from 'node:crypto';
import type { Clock } from '../domain/clock.js';
import { errors } from '../domain/errors.js';
import type { Message, SendStyle } from '../domain/message.js';
import type { AppCardLayout, AppCardPayload } from '../domain/message-payload.js';
import { declinedForOptOut } from '../domain/opt-out.js';
import { checkPublicUrl, wellFormed } from '../domain/validation.js';
import type { LinesPort } from '../store/ports/lines-port.js';
import type { MessagesPort } from '../store/ports/messages-port.js';
import type { Caller } from './caller.js';
import { outboundDraft } from './message-drafts.js';
import { type AddressCheck, refusePrivateUrl } from './url-policy.js';

/** POST /api/messages/{handle}/update-app-card, after schema validation. */
export interface AppCardUpdateInput {
  fallback_text?: string;
  idempotency_key?: string;
  interactive?: boolean;
  layout?: AppCardLayout;
  send_style?: SendStyle;
  url?: string;
}

export interface AppCardDeps {
  store: MessagesPort & LinesPort;
  clock: Clock;
  queueLimit: number;
  onAccepted: (message: Message) => void;
  urlPolicy?: AddressCheck;
}

/**
 * App Card continuations. Sendblue: "Continues an existing App Card by sending a new Apple message
 * in the same iMessage session, from the same sender line and inline-reply context. The
 * continuation receives its own message handle and delivery/read status updates." So an update
 * never changes the card it names: it is a new outbound message of type `app_card`, to the same
 * contact from the same line, carrying the card with the fields given replaced (a `layout` replaces
 * the whole layout), the same session, and `updateMessageHandle` pointing at the session's first
 * card. It is delivered, reported (status callback, webhooks) and subject to opt-out as any message.
 */
export class AppCardService {
  constructor(private readonly deps: AppCardDeps) {}

  async update(caller: Caller, handle: string, input: AppCardUpdateInput): Promise<Message> {
    const target = await this.deps.store.getMessage(caller.accountId, handle);
    if (target === undefined) throw errors.notFound('Message');
    const card = target.typePayload;
    if (target.messageType !== 'app_card' || card?.kind !== 'app_card' || !target.isOutbound) {
      throw errors.validation('message_handle', 'is not an App Card this account sent');
    }
    const layout = input.layout ?? card.layout;
    for (const [field, url] of [
      ['url', input.url],
      ['layout.imageUrl', input.layout?.imageUrl],
    ] as const) {
      // Inline app state travels as a data: URL (Sendblue allows 16384 characters); nothing to reach.
      if (url === undefined || (field === 'url' && url.startsWith('data:'))) continue;
      checkPublicUrl(wellFormed(url), field);
      refusePrivateUrl(this.deps.urlPolicy, wellFormed(url), field);
    }
    const payload: AppCardPayload = {
      ...card,
      layout,
      url: input.url === undefined ? card.url : wellFormed(input.url),
      fallbackText: input.fallback_text === undefined ? card.fallbackText : wellFormed(input.fallback_text),
      interactive: input.interactive ?? card.interactive,
      updateMessageHandle: card.updateMessageHandle ?? target.handle,
    };
    const draft = {
      ...outboundDraft(caller, {
        line: target.sendblueNumber,
        to: target.number,
        content: payload.fallbackText ?? layout.summary ?? '',
        sendStyle: input.send_style ?? '',
        statusCallback: target.statusCallback,
        now: this.deps.clock.now(),
      }),
      messageType: 'app_card' as const,
      typePayload: payload,
    };
    const idempotency =
      input.idempotency_key === undefined
        ? undefined
        : {
            // Scoped to the card: the same key on another card is another update.
            key: `app-card:${target.handle}:${input.idempotency_key}`,
            requestHash: createHash('sha256').update(target.handle).digest('hex'),
            // What a replay needs: the update's handle, to answer with its current state.
            responseBody: draft.handle,
          };
    const result = await this.deps.store.acceptOutbound({
      message: draft,
      queueLimit: this.deps.queueLimit,
      ...(idempotency === undefined ? {} : { idempotency }),
      whenOptedOut: { message: declinedForOptOut(draft), responseBody: draft.handle },
    });
    switch (result.kind) {
      case 'accepted':
        this.deps.onAccepted(result.message);
        return result.message;
      case 'replay': {
        // "Reusing this key for the same App Card target returns the original update."
        const original = await this.deps.store.getMessage(caller.accountId, result.responseBody);
        if (original === undefined) throw errors.notFound('Message');
        return original;
      }
      case 'queue_full':
        throw errors.queueFull(this.deps.queueLimit);
    }
  }
}
