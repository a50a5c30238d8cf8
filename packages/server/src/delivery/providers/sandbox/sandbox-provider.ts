import type { StatusPatch } from '../../../domain/job.js';
import type { LegacyProvider, ProviderResult, ProviderSendRequest } from '../provider.js';
import { smsSegments } from '../../../domain/sms-segments.js';
import { sandboxRuleFor } from './sandbox-behaviour.js';

export interface SandboxTiming {
  /** From the delivery attempt to SENT. */
  sentDelayMs: number;
  /** From SENT to DELIVERED (or to ERROR for recipients ending 0003). */
  deliveredDelayMs: number;
}

export const SEND_FAILED_CODE = 10001;

/**
 * The built-in network: no account, no device, fully deterministic. What happens to a message
 * depends only on the recipient's last four digits and the attempt number (sandbox-behaviour.ts).
 */
export class SandboxProvider implements LegacyProvider {
  readonly name = 'sandbox';

  constructor(private readonly timing: SandboxTiming) {}

  async send({ message, attempt }: ProviderSendRequest): Promise<ProviderResult> {
    const rule = sandboxRuleFor(message.toNumber);
    const { sentDelayMs: sent, deliveredDelayMs: delivered } = this.timing;
    const sentPatch: StatusPatch = {
      status: 'SENT',
      service: rule.service,
      wasDowngraded: rule.behaviour === 'sms_only',
    };
    switch (rule.behaviour) {
      case 'unreachable':
        return {
          kind: 'failed',
          retryable: false,
          errorCode: SEND_FAILED_CODE,
          errorMessage: 'Message failed to send',
          errorReason: 'sandbox: recipient is unreachable',
        };
      case 'flaky':
        if (attempt <= 2) {
          return {
            kind: 'failed',
            retryable: true,
            errorCode: SEND_FAILED_CODE,
            errorMessage: `sandbox: transient network failure on attempt ${attempt}`,
          };
        }
        return { kind: 'accepted', events: [at(sent, sentPatch), at(sent + delivered, { status: 'DELIVERED' })] };
      case 'sms_only': {
        // The SMS network takes one sent delay per segment: a long text paces its line longer.
        const segments = Math.max(1, smsSegments(message.content).segments);
        return { kind: 'accepted', events: [at(sent * segments, sentPatch)] };
      }
      case 'never_confirmed':
        return { kind: 'accepted', events: [at(sent, sentPatch)] };
      case 'echo':
        return {
          kind: 'accepted',
          events: [at(sent, sentPatch), at(sent + delivered, { status: 'DELIVERED' })],
          replies: [{ afterMs: sent + delivered, content: `Echo: ${message.content}` }],
        };
      case 'fails_after_sending':
        return {
          kind: 'accepted',
          events: [
            at(sent, sentPatch),
            at(sent + delivered, {
              status: 'ERROR',
              errorCode: SEND_FAILED_CODE,
              errorMessage: 'Message failed to send',
              errorReason: 'sandbox: the network reported a failure after sending',
            }),
          ],
        };
      case 'rcs':
      case 'imessage':
        return { kind: 'accepted', events: [at(sent, sentPatch), at(sent + delivered, { status: 'DELIVERED' })] };
    }
  }
}

function at(afterMs: number, patch: StatusPatch): { afterMs: number; patch: StatusPatch } {
  return { afterMs, patch };
}
