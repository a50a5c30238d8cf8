import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type {
  NetworkGroupMembers,
  NetworkGroupRename,
  NetworkInbound,
  NetworkReceipt,
  NetworkTyping,
} from '../domain/network-event.js';
import { Batcher } from '../lib/batcher.js';
import type { ReceiptResult, ReceiptsPort } from '../store/ports/receipts-port.js';
import type { MessageEvents } from './message-events.js';
import type { ProviderEvents } from './providers/provider.js';

export interface NetworkIntakeDeps {
  store: ReceiptsPort;
  clock: Clock;
  /** What the early-receipt sweep sleeps on. */
  sleepClock: Clock;
  events: MessageEvents;
  /** Stores a network's inbound message for the line's account (messaging's ReceiveService). */
  receive: (inbound: NetworkInbound) => Promise<unknown>;
  /** A contact typing to a line: its account's `typing_indicator` webhooks (messaging's TypingService). */
  typing?: (typing: NetworkTyping) => Promise<unknown>;
  /** Renames the group mapped to a network's group chat (messaging's NetworkGroups). */
  renameGroup?: (rename: NetworkGroupRename) => Promise<unknown>;
  /** Sets the members of the group mapped to a network's group chat (messaging's NetworkGroups). */
  groupMembers?: (change: NetworkGroupMembers) => Promise<unknown>;
  logger: Logger;
  /** A receipt whose id no send recorded within this long is dropped (logged and counted). */
  earlyReceiptTtlMs: number;
}

/**
 * Where every provider's reports come in (`ProviderEvents`). Receipts of one event-loop turn are
 * applied together, each idempotently and with its webhooks, in one transaction; the provider
 * acknowledges them to its network only once that committed. Receipts for ids no send has recorded
 * yet are kept by the store (the receipt-before-submit_sm_resp race) and dropped by a sweep once
 * they are `earlyReceiptTtlMs` old: never retried forever.
 */
export class NetworkIntake implements ProviderEvents {
  /** Receipts whose id never matched a send, since start. */
  unmatchedReceipts = 0;
  private readonly counts: Record<ReceiptResult, number> = { applied: 0, duplicate: 0, stale: 0, early: 0 };
  private running = false;
  private stopping = new AbortController();
  private sweepDone: Promise<void> = Promise.resolve();

  constructor(private readonly deps: NetworkIntakeDeps) {}

  onStatus(receipt: NetworkReceipt): Promise<void> {
    return this.receipts.submit(receipt);
  }

  async onInbound(message: NetworkInbound): Promise<void> {
    const stored = await this.deps.receive(message);
    if (stored === undefined)
      this.deps.logger.warn({ line: message.line }, 'inbound message for a line that no longer exists; dropped');
  }

  async onTyping(typing: NetworkTyping): Promise<void> {
    await this.deps.typing?.(typing);
  }

  async onGroupRenamed(rename: NetworkGroupRename): Promise<void> {
    await this.deps.renameGroup?.(rename);
  }

  async onGroupMembers(change: NetworkGroupMembers): Promise<void> {
    await this.deps.groupMembers?.(change);
  }

  /** How many receipts ended each way, since start. */
  receiptCounts(): Readonly<Record<ReceiptResult, number>> {
    return this.counts;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = new AbortController();
    this.sweepDone = this.sweep();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    await this.sweepDone;
  }

  /** Drops early receipts past their time; returns how many. */
  async expireEarlyReceipts(): Promise<number> {
    const { store, clock, logger, earlyReceiptTtlMs } = this.deps;
    const expired = await store.expireEarlyReceipts(clock.now() - earlyReceiptTtlMs);
    for (const r of expired) {
      logger.warn(
        { line: r.line, networkMessageId: r.networkMessageId, receivedAt: new Date(r.receivedAt).toISOString() },
        'a receipt named a message id no send recorded; dropped',
      );
    }
    this.unmatchedReceipts += expired.length;
    return expired.length;
  }

  private readonly receipts = new Batcher<NetworkReceipt, void>(async (batch) => {
    const applied = await this.deps.store.applyNetworkReceipts(batch, this.deps.clock.now());
    for (const result of applied.results) this.counts[result]++;
    for (const change of applied.changes) this.deps.events.emit(change);
    return batch.map(() => ({ ok: true, value: undefined }));
  });

  private async sweep(): Promise<void> {
    const interval = Math.max(1000, Math.floor(this.deps.earlyReceiptTtlMs / 4));
    while (this.running) {
      await this.deps.sleepClock.sleep(interval, this.stopping.signal);
      if (!this.running) return;
      await this.expireEarlyReceipts().catch((error: unknown) =>
        this.deps.logger.error({ err: error }, 'dropping expired early receipts failed'),
      );
    }
  }
}
