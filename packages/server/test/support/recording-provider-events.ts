import type { Message } from '../../src/domain/message.js';
import type { NetworkInbound, NetworkReceipt, ProviderEvents } from '../../src/delivery/providers/provider.js';

/**
 * `ProviderEvents` that records what a provider reported, in order. `reject` makes the next calls
 * fail (as a store that cannot commit would); `until` waits for a condition on what was recorded.
 */
export class RecordingProviderEvents implements ProviderEvents {
  readonly statuses: NetworkReceipt[] = [];
  readonly inbound: NetworkInbound[] = [];
  /** Calls to refuse before accepting again. */
  reject = 0;
  private readonly waiters = new Set<() => void>();

  async onStatus(receipt: NetworkReceipt): Promise<void> {
    this.take();
    this.statuses.push(receipt);
    this.wake();
  }

  async onInbound(message: NetworkInbound): Promise<void> {
    this.take();
    this.inbound.push(message);
    this.wake();
  }

  /** Resolves once `condition` holds; rejects after `timeoutMs`. */
  until(condition: (e: this) => boolean, timeoutMs = 5000): Promise<void> {
    if (condition(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition(this)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error('timed out waiting for provider events'));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  private take(): void {
    if (this.reject > 0) {
      this.reject--;
      throw new Error('store unavailable');
    }
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

let nextId = 1;

/** An outbound SMS as a provider receives it for one delivery attempt. */
export function outboundSms(line: string, to: string, content: string, overrides: Partial<Message> = {}): Message {
  const id = nextId++;
  const now = Date.now();
  return {
    id,
    handle: `00000000-0000-7000-8000-${String(id).padStart(12, '0')}`,
    accountId: 1,
    accountEmail: 'test@example.com',
    plan: 'dedicated',
    isOutbound: true,
    status: 'QUEUED',
    content,
    mediaUrl: '',
    sendStyle: '',
    fromNumber: line,
    toNumber: to,
    number: to,
    sendblueNumber: line,
    service: 'SMS',
    wasDowngraded: null,
    errorCode: null,
    errorMessage: null,
    errorReason: null,
    errorDetail: null,
    messageType: 'message',
    groupId: '',
    participants: [],
    groupDisplayName: '',
    optedOut: false,
    statusCallback: null,
    createdAt: now,
    sentAt: 0,
    updatedAt: now,
    statusSeq: 0,
    dateRead: null,
    providerMessageId: null,
    typePayload: null,
    ...overrides,
  };
}
