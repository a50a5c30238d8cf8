import type { Clock } from '../domain/clock.js';
import { AppError } from '../domain/errors.js';
import { parsePhone } from '../domain/phone.js';
import type { Store } from '../store/store.js';
import { activeEndpoints } from '../store/webhook-outbox.js';
import type { Caller } from './caller.js';

/** POST /api/send-typing-indicator, after schema validation. */
export interface SendTypingInput {
  number: string;
  from_number: string;
  state?: 'start' | 'stop';
  max_duration_ms?: number;
}

/** The `typing_indicator` webhook body (shared/sendblue-api.md 7.2). */
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
    private readonly store: Store,
    private readonly clock: Clock,
    /** Wakes the webhook dispatcher after deliveries are queued. */
    private readonly onQueued: () => void,
  ) {}

  async send(caller: Caller, input: SendTypingInput): Promise<{ number: string; status: 'SENT'; error_message: null }> {
    const number = parsePhone(input.number, 'number');
    const line = await this.ownLine(caller, input.from_number, 'from_number');
    const { total } = await this.store.listMessages(caller.accountId, {
      limit: 1,
      offset: 0,
      orderBy: 'createdAt',
      orderDirection: 'desc',
      number,
      sendblueNumber: line,
      messageType: 'message',
    });
    if (total === 0) {
      throw new AppError('no_route_mapping', 'No route mapping found', {
        details: [{ field: 'number', message: `no 1:1 conversation with ${number} on ${line} yet` }],
      });
    }
    return { number, status: 'SENT', error_message: null };
  }

  /** A contact typing to one of the account's lines (POST /sandbox/typing); returns the deliveries queued. */
  async contactTyping(caller: Caller, input: { from: string; to: string; is_typing?: boolean }): Promise<number> {
    const contact = parsePhone(input.from, 'from');
    const line = await this.ownLine(caller, input.to, 'to');
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
    return deliveries.length;
  }

  private async ownLine(caller: Caller, raw: string, field: string): Promise<string> {
    const number = parsePhone(raw, field);
    const line = await this.store.findLine(number);
    if (line === undefined || line.accountId !== caller.accountId) {
      throw new AppError('unknown_line', `${field} ${number} is not a line of this account`, {
        details: [{ field, message: 'not a line of this account' }],
      });
    }
    return number;
  }
}
