import type { StatusPatch } from '../../../domain/job.js';
import type { Service } from '../../../domain/message.js';
import { DELIVERY_ERRORS } from '../../../domain/delivery-errors.js';
import { smsSegments } from '../../../domain/sms-segments.js';
import type {
  Provider,
  ProviderConnection,
  ProviderFactory,
  ProviderSendRequest,
  ScheduledEvent,
  SendResult,
} from '../provider.js';
import { sandboxRuleFor } from './sandbox-behaviour.js';

export interface SandboxTiming {
  /** From the delivery attempt to SENT. */
  sentDelayMs: number;
  /** From SENT to DELIVERED (or to ERROR for recipients ending 0003). */
  deliveredDelayMs: number;
}

/** The sandbox needs no connection: it is always there and never drops. */
const ALWAYS_CONNECTED: ProviderConnection = { closed: new Promise(() => undefined), close: async () => undefined };

/**
 * The built-in network: no account, no device, fully deterministic. What happens to a message
 * depends only on the recipient's last four digits and the attempt number (sandbox-behaviour.ts).
 * It knows its own timing, so it reports what will happen as scheduled events (kept as durable
 * jobs: a restart loses none), and its echo contact's replies arrive as inbound messages.
 */
export class SandboxProvider implements Provider {
  readonly kind = 'sandbox';
  readonly services = ['iMessage', 'SMS', 'RCS'] as const;

  constructor(private readonly timing: SandboxTiming) {}

  async connect(): Promise<ProviderConnection> {
    return ALWAYS_CONNECTED;
  }

  async lookup(number: string): Promise<{ service: Service }> {
    return { service: sandboxRuleFor(number).service };
  }

  /** The sandbox contact sees nothing: a typing indicator is accepted and goes nowhere. */
  async typing(): Promise<void> {}

  /**
   * Sends as the service routing chose. By SMS, the sandbox behaves as an SMS network whatever the
   * number (one sent delay per segment, SENT, never DELIVERED), except that an unreachable number
   * stays unreachable. By iMessage, a number that is SMS only fails as not an iMessage user, which
   * routing answers by sending it by SMS.
   */
  async send({ message, attempt, service }: ProviderSendRequest): Promise<SendResult> {
    const rule = sandboxRuleFor(message.toNumber);
    const { sentDelayMs: sent, deliveredDelayMs: delivered } = this.timing;
    if (service === 'SMS' && rule.behaviour !== 'unreachable') {
      // The SMS network takes one sent delay per segment: a long text paces its line longer.
      const segments = Math.max(1, smsSegments(message.content).segments);
      return { kind: 'accepted', scheduled: [at(sent * segments, { status: 'SENT', service: 'SMS' })] };
    }
    const sentPatch: StatusPatch = { status: 'SENT', service, wasDowngraded: false };
    const deliveredAt = (extra: ScheduledEvent[] = []): SendResult => ({
      kind: 'accepted',
      scheduled: [at(sent, sentPatch), at(sent + delivered, { status: 'DELIVERED' }), ...extra],
    });
    switch (rule.behaviour) {
      case 'unreachable':
        return {
          kind: 'failed',
          retryable: false,
          errorCode: DELIVERY_ERRORS.sendFailed,
          errorMessage: 'Message failed to send',
          errorReason: 'sandbox: recipient is unreachable',
        };
      case 'flaky':
        if (attempt <= 2) {
          return {
            kind: 'failed',
            retryable: true,
            errorCode: DELIVERY_ERRORS.sendFailed,
            errorMessage: `sandbox: transient network failure on attempt ${attempt}`,
          };
        }
        return deliveredAt();
      case 'sms_only':
        return {
          kind: 'failed',
          retryable: false,
          notOnService: true,
          errorCode: DELIVERY_ERRORS.sendFailed,
          errorMessage: 'Message failed to send',
          errorReason: `sandbox: the recipient is not an ${service} user`,
        };
      case 'never_confirmed':
        return { kind: 'accepted', scheduled: [at(sent, sentPatch)] };
      case 'echo':
        return deliveredAt([{ afterMs: sent + delivered, inbound: { content: `Echo: ${message.content}` } }]);
      case 'fails_after_sending':
        return {
          kind: 'accepted',
          scheduled: [
            at(sent, sentPatch),
            at(sent + delivered, {
              status: 'ERROR',
              errorCode: DELIVERY_ERRORS.sendFailed,
              errorMessage: 'Message failed to send',
              errorReason: 'sandbox: the network reported a failure after sending',
            }),
          ],
        };
      case 'rcs':
      case 'imessage':
        return deliveredAt();
    }
  }
}

/** The sandbox takes no settings: every sandbox line shares one instance. */
export function sandboxProviderFactory(timing: SandboxTiming): ProviderFactory<Record<string, never>> {
  return {
    kind: 'sandbox',
    secrets: [],
    parse: (settings) => {
      const extra = Object.keys(settings);
      if (extra.length > 0) throw new Error(`the sandbox takes no settings (got ${extra.join(', ')})`);
      return {};
    },
    connectionKey: () => 'sandbox',
    create: () => new SandboxProvider(timing),
  };
}

function at(afterMs: number, patch: StatusPatch): ScheduledEvent {
  return { afterMs, patch };
}
