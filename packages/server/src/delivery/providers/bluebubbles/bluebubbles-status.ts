/**
 * Messages' own error codes (`message.error` in chat.db, serialized as `error` by BlueBubbles'
 * `MessageSerializer.ts`). Apple documents none of them; these are the ones BlueBubbles and its
 * users report: 4 in `server/index.ts` (`emitMessageError`), 22 in the BlueBubbles app's issue
 * tracker (a number that is not on iMessage, bluebubbles-app#486).
 */
export const BB_MESSAGE_ERRORS: Readonly<Record<number, string>> = {
  4: 'the send timed out',
  22: 'the recipient is not registered with iMessage',
};

/** The recipient cannot receive iMessage: routing may send it by SMS instead. */
export function isNotOnIMessage(code: number): boolean {
  return code === 22;
}

export function describeMessageError(code: number): string {
  const words = BB_MESSAGE_ERRORS[code];
  return words === undefined ? `Messages error ${code}` : `Messages error ${code} (${words})`;
}
