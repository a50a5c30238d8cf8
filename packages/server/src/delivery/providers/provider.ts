import type { Message } from '../../domain/message.js';
import type { StatusPatch } from '../../domain/job.js';

/**
 * A network that carries messages: the sandbox, and later BlueBubbles (iMessage) and SMPP (SMS).
 * The worker calls `send` once per delivery attempt; the provider answers with what happened now
 * and what it expects to report later (delivery receipts), which the worker stores as durable
 * jobs so a restart cannot lose them.
 */
export interface Provider {
  readonly name: string;
  send(request: ProviderSendRequest, signal: AbortSignal): Promise<ProviderResult>;
}

export interface ProviderSendRequest {
  message: Message;
  /** 1 for the first attempt. */
  attempt: number;
}

export type ProviderResult =
  | {
      kind: 'accepted';
      /** Status changes, each `afterMs` after this call (0 = now), applied in order. */
      events: { afterMs: number; patch: StatusPatch }[];
      /**
       * Messages the recipient sends back, each `afterMs` after this call (the sandbox's echo
       * contact); received once the status changes due by then are applied.
       */
      replies?: { afterMs: number; content: string }[];
    }
  | {
      kind: 'failed';
      /** Transient failures are retried with backoff; permanent ones end in ERROR at once. */
      retryable: boolean;
      errorCode: number;
      errorMessage: string;
      errorReason?: string;
    };

/** Providers by name; lines name theirs. */
export class ProviderRegistry {
  private readonly byName = new Map<string, Provider>();

  constructor(providers: Provider[]) {
    for (const p of providers) this.byName.set(p.name, p);
  }

  get(name: string): Provider | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}
