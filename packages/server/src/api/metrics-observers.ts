import type { StatusChange } from '../domain/job.js';
import type { Message } from '../domain/message.js';
import type { SendResult } from '../webhooks/http-sender.js';
import type { ServerMetrics } from './metrics.js';

/** What the dispatcher calls to send (webhooks/dispatcher.ts `WebhookSender`). */
interface Sender {
  post(url: string, body: string, headers: Record<string, string>): Promise<SendResult>;
}

/** `sender`, counting and timing every attempt (blocked ones included) into `metrics`. */
export function observedSender<S extends Sender>(sender: S, metrics: ServerMetrics): Sender {
  return {
    post: async (url, body, headers) => {
      const result = await sender.post(url, body, headers);
      metrics.webhookAttempt(result);
      return result;
    },
  };
}

/** How long a line's provider kind is remembered: a line rarely changes provider. */
const PROVIDER_TTL_MS = 60_000;

/**
 * Counts accepted messages and status changes by their line's provider kind. The kind is looked
 * up once a minute per line (the store's line lookup is cached per request anyway), never on the
 * caller's path: counting runs after the response and the commit.
 */
export class MessageMetrics {
  private readonly providers = new Map<string, { kind: string; until: number }>();

  constructor(
    private readonly metrics: ServerMetrics,
    private readonly findLine: (number: string) => Promise<{ provider: string } | undefined>,
  ) {}

  accepted(message: Message): void {
    this.withProvider(message.sendblueNumber, (p) => this.metrics.messageAccepted(p, message.messageType));
  }

  statusChanged(change: StatusChange): void {
    // A read (date_read) keeps the status: counting it would count the status twice.
    if (change.read === true) return;
    const { message } = change;
    this.withProvider(message.sendblueNumber, (p) => this.metrics.statusChanged(p, message.status));
  }

  /** Calls `count` with the line's provider kind: at once when known, else after looking it up. */
  private withProvider(number: string, count: (provider: string) => void): void {
    const now = Date.now();
    const known = this.providers.get(number);
    if (known !== undefined && known.until > now) return count(known.kind);
    void this.findLine(number)
      .catch(() => undefined)
      .then((line) => {
        const kind = line?.provider ?? 'unknown';
        // Bounded by the number of lines; a removed line's entry is refreshed or left.
        this.providers.set(number, { kind, until: now + PROVIDER_TTL_MS });
        count(kind);
      });
  }
}
