/**
 * The `error_code`s a message's delivery can end with, whichever network carried it (Sendblue's
 * numbers). API errors have their own registry (errors.ts); these only ever appear on a message.
 */
export const DELIVERY_ERRORS = {
  /** The network refused or lost the message ("Message failed to send"). */
  sendFailed: 10001,
  /** The network itself does not know what became of it ("Failed to resolve message status"). */
  statusUnknown: 10002,
} as const;
