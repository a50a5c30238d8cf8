import type {
  Provider,
  ProviderConnection,
  ProviderEvents,
  ProviderFactory,
  ProviderSendRequest,
  SendResult,
} from '../../src/delivery/providers/provider.js';
import type { StatusPatch } from '../../src/domain/job.js';
import type { Service } from '../../src/domain/message.js';

/** One send the scripted iMessage network got. */
export interface IMessageSend {
  line: string;
  to: string;
  handle: string;
  service: Service;
  networkMessageId: string;
}

/** What the network does with a send to one recipient. */
export type RecipientScript =
  /** Accepted (SENT at once); a receipt comes only when the test calls `report`. */
  | 'accept'
  /** Refused: the recipient is not an iMessage user (`notOnService`). */
  | 'not_imessage';

/**
 * A scripted iMessage-only network (a stand-in for an iMessage bridge), as a provider kind
 * `fake-imessage` a real server runs: lookups answer from `lookups` (iMessage when not listed),
 * sends follow `scripts` (accepted when not listed), `check` answers from `checkAnswer`, and the
 * test reports receipts with `report`.
 */
export class FakeIMessageNetwork {
  readonly kind = 'fake-imessage';
  readonly sends: IMessageSend[] = [];
  readonly lookupCalls: string[] = [];
  readonly lookups = new Map<string, Service>();
  readonly scripts = new Map<string, RecipientScript>();
  /** What `check` says; `pending` while undefined (the same as a network without `check`). */
  checkAnswer: { state: 'delivered' | 'failed'; patch: StatusPatch } | { state: 'pending' } | undefined;
  private events: ProviderEvents | undefined;
  private next = 0;

  factory(): ProviderFactory<{ line?: string }> {
    return {
      kind: this.kind,
      secrets: [],
      parse: (settings) => settings as { line?: string },
      connectionKey: () => 'fake-imessage',
      create: () => this.provider(),
    };
  }

  /** Reports a receipt for one of the network's ids, as the network would. */
  async report(line: string, networkMessageId: string, patch: StatusPatch, notOnService = false): Promise<void> {
    if (this.events === undefined) throw new Error('the fake iMessage network is not connected');
    await this.events.onStatus({ line, networkMessageId, patch, ...(notOnService ? { notOnService: true } : {}) });
  }

  sendsTo(to: string): IMessageSend[] {
    return this.sends.filter((s) => s.to === to);
  }

  private provider(): Provider {
    const services: readonly Service[] = ['iMessage'];
    return {
      kind: this.kind,
      services,
      connect: async (events: ProviderEvents): Promise<ProviderConnection> => {
        this.events = events;
        return { closed: new Promise(() => undefined), close: async () => undefined };
      },
      lookup: async (number: string) => {
        this.lookupCalls.push(number);
        return { service: this.lookups.get(number) ?? 'iMessage' };
      },
      send: async (request: ProviderSendRequest): Promise<SendResult> => this.send(request),
      check: async () => this.checkAnswer ?? { state: 'pending' },
    };
  }

  private send({ message, service }: ProviderSendRequest): SendResult {
    const networkMessageId = `fake-imessage-${++this.next}`;
    this.sends.push({
      line: message.sendblueNumber,
      to: message.toNumber,
      handle: message.handle,
      service,
      networkMessageId,
    });
    if (this.scripts.get(message.toNumber) === 'not_imessage') {
      return {
        kind: 'failed',
        retryable: false,
        notOnService: true,
        errorCode: 10001,
        errorMessage: 'Message failed to send',
        errorReason: 'not an iMessage user',
      };
    }
    return {
      kind: 'accepted',
      networkMessageIds: [networkMessageId],
      patches: [{ status: 'SENT', service: 'iMessage' }],
    };
  }
}
