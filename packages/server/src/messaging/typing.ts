import { type AccountEventSink, NO_ACCOUNT_EVENTS } from '../domain/account-event.js';
import type { Clock } from '../domain/clock.js';
import { errors } from '../domain/errors.js';
import { parsePhone } from '../domain/phone.js';
import type { LinesPort } from '../store/ports/lines-port.js';
import type { MessagesPort } from '../store/ports/messages-port.js';
import type { WebhooksPort } from '../store/ports/webhooks-port.js';
import { activeEndpoints } from '../store/webhook-outbox.js';
import type { Caller } from './caller.js';
import { existingConversation, ownLine } from './validation.js';

/** POST /api/send-typing-indicator, after schema validation. */
export interface SendTypingInput {
  number: string;
  from_number: string;
  state?: 'start' | 'stop';
  max_duration_ms?: number;
}

/** The `typing_indicator` webhook body, as Sendblue sends it. */
export interface TypingPayload {
  /** The contact who is (or stopped) typing. */
  number: string;
  is_typing: boolean;
  /** The account's line the contact is typing to. */
  from_number: string;
  timestamp: string;
}

/**
 * Typing indicators both ways: the account showing one to a contact (best effort, like Sendblue:
 * `SENT` even though the sandbox shows nothing; it needs an existing 1:1 conversation), and a
 * contact's typing reported to the account's `typing_indicator` webhooks.
 */
export class TypingService {
  constructor(
    private readonly store: MessagesPort & LinesPort & WebhooksPort,
    private readonly clock: Clock,
    /** Wakes the webhook dispatcher after deliveries are queued. */
    private readonly onQueued: () => void,
    /** Where a contact's typing is published live (`typing.changed`). */
    private readonly events: AccountEventSink = NO_ACCOUNT_EVENTS,
    /** Shows the indicator on the line's network, if its provider can (delivery/line-capabilities.ts). */
    private readonly showTyping: (line: string, to: string) => Promise<'shown' | 'unavailable'> = async () => 'shown',
  ) {}

  async send(caller: Caller, input: SendTypingInput): Promise<{ number: string; status: 'SENT'; error_message: null }> {
    const { number, line } = await existingConversation(this.store, caller.accountId, input);
    if ((await this.showTyping(line, number)) === 'unavailable') throw errors.typingUnavailable('from_number', line);
    return { number, status: 'SENT', error_message: null };
  }

  /**
   * A contact typing to a line, as its network reported it: the line's account's `typing_indicator`
   * webhooks. A line removed meanwhile queues nothing.
   */
  async fromNetwork(input: { line: string; from: string; isTyping: boolean }): Promise<number> {
    const line = await this.store.findLine(input.line);
    if (line === undefined) return 0;
    return this.contactTyping(
      // The network reports for the line's account: no key pair made this call.
      { accountId: line.accountId, email: line.accountEmail, plan: line.accountPlan, keyId: '' },
      { from: input.from, to: line.number, is_typing: input.isTyping },
    );
  }

  /** A contact typing to one of the account's lines (POST /sandbox/typing); returns the deliveries queued. */
  async contactTyping(caller: Caller, input: { from: string; to: string; is_typing?: boolean }): Promise<number> {
    const contact = parsePhone(input.from, 'from');
    const line = await ownLine(this.store, caller.accountId, input.to, 'to');
    const now = this.clock.now();
    const payload: TypingPayload = {
      number: contact,
      is_typing: input.is_typing ?? true,
      from_number: line,
      timestamp: new Date(now).toISOString(),
    };
    const { endpoints } = await this.store.getWebhookConfig(caller.accountId, now);
    const body = JSON.stringify(payload);
    const deliveries = activeEndpoints(endpoints, 'typing_indicator', line).map((e) => ({
      accountId: caller.accountId,
      kind: 'typing_indicator' as const,
      endpointId: e.id,
      url: e.url,
      messageId: null,
      messageHandle: null,
      statusSeq: null,
      payload: body,
    }));
    if (deliveries.length > 0) {
      await this.store.enqueueWebhooks(deliveries, now);
      this.onQueued();
    }
    this.events.publish({
      accountId: caller.accountId,
      type: 'typing.changed',
      occurredAt: now,
      data: { number: contact, sendblue_number: line, is_typing: payload.is_typing },
    });
    return deliveries.length;
  }
}
