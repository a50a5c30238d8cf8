import type { Service } from '../../../domain/message.js';

/**
 * The sandbox network's documented behaviour, chosen by the last four digits of the recipient.
 * The README's sandbox table is generated from the same facts and checked by a test.
 */
export type SandboxBehaviour =
  'sms_only' | 'rcs' | 'fails_after_sending' | 'unreachable' | 'flaky' | 'never_confirmed' | 'echo' | 'imessage';

export interface SandboxRule {
  suffix: string | null;
  behaviour: SandboxBehaviour;
  service: Service;
  description: string;
}

export const SANDBOX_RULES: readonly SandboxRule[] = [
  {
    suffix: '0001',
    behaviour: 'sms_only',
    service: 'SMS',
    description:
      'SMS only (not an iMessage user): routing sends it by SMS over the line’s SMS route, so it is QUEUED with `service: "SMS"`, `was_downgraded: true`, `sms_segments` counted; QUEUED → SENT (one sent delay per segment), never DELIVERED',
  },
  { suffix: '0002', behaviour: 'rcs', service: 'RCS', description: 'RCS: `service: "RCS"`; QUEUED → SENT → DELIVERED' },
  {
    suffix: '0003',
    behaviour: 'fails_after_sending',
    service: 'iMessage',
    description: 'fails after sending: QUEUED → SENT → ERROR, `error_code: 10001`',
  },
  {
    suffix: '0004',
    behaviour: 'unreachable',
    service: 'iMessage',
    description: 'unreachable: QUEUED → ERROR, `error_code: 10001`, no SENT',
  },
  {
    suffix: '0005',
    behaviour: 'flaky',
    service: 'iMessage',
    description: 'flaky: the first two delivery attempts fail transiently, the third succeeds, then DELIVERED',
  },
  {
    suffix: '0006',
    behaviour: 'never_confirmed',
    service: 'iMessage',
    description:
      'never confirmed: QUEUED → SENT, no delivery; when the line’s fallback window ends (60 s unless `--fallback-after` says otherwise) it is downgraded and sent by SMS (`service: "SMS"`, `was_downgraded: true`), and stays SENT',
  },
  {
    suffix: '0007',
    behaviour: 'echo',
    service: 'iMessage',
    description:
      'echo contact: QUEUED → SENT → DELIVERED, then replies `Echo: <content>` (an inbound message, to `receive` webhooks)',
  },
  { suffix: null, behaviour: 'imessage', service: 'iMessage', description: 'iMessage: QUEUED → SENT → DELIVERED' },
];

export function sandboxRuleFor(number: string): SandboxRule {
  const suffix = number.slice(-4);
  return SANDBOX_RULES.find((r) => r.suffix === suffix) ?? SANDBOX_RULES[SANDBOX_RULES.length - 1]!;
}
