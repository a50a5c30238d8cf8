import type { Message } from './message.js';

/**
 * Opt-out compliance as Tapback decides it, with Sendblue's opt-out keywords: they are matched on
 * the whole message, trimmed, case-insensitively, with inner runs of whitespace read as one space.
 * Only 1:1 inbound messages count; a STOP typed into a group chat is conversation.
 */
export type ComplianceKeyword = 'stop' | 'start' | 'help';

const KEYWORDS: ReadonlyMap<string, ComplianceKeyword> = new Map([
  ...['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'OPT OUT'].map(
    (k) => [k, 'stop'] as const,
  ),
  ...['START', 'UNSTOP', 'YES'].map((k) => [k, 'start'] as const),
  ...['HELP', 'INFO'].map((k) => [k, 'help'] as const),
]);

/** The compliance keyword a message consists of, or null for ordinary text. */
export function complianceKeyword(content: string): ComplianceKeyword | null {
  if (content.length > 32) return null;
  return KEYWORDS.get(content.trim().replace(/\s+/g, ' ').toUpperCase()) ?? null;
}

/** What HELP and INFO get when the account has not configured its own reply. */
export const DEFAULT_HELP_REPLY = 'Reply STOP to unsubscribe or START to resubscribe. Msg & data rates may apply.';

export const OPTED_OUT_MESSAGE = 'The recipient has opted out of messages from this account';

/**
 * The message as stored when its recipient has opted out: DECLINED at once, never handed to a
 * provider, with the reason in the error fields.
 */
export function declinedForOptOut<T extends Omit<Message, 'id' | 'statusSeq'>>(message: T): T {
  return {
    ...message,
    status: 'DECLINED',
    optedOut: true,
    errorMessage: OPTED_OUT_MESSAGE,
    errorReason: 'opted_out',
  };
}
