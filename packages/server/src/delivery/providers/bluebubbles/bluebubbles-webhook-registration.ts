import type { BlueBubblesClient } from './bluebubbles-client.js';
import { BLUEBUBBLES_HOOK_PATH } from './bluebubbles-webhook-token.js';
import { BB_EVENTS, type BbEventName, type BbWebhook } from './bluebubbles-wire.js';

/** The events Tapback maps (bluebubbles-events.ts), registered for each line's webhook. */
export const REGISTERED_EVENTS: readonly BbEventName[] = [
  BB_EVENTS.newMessage,
  BB_EVENTS.updatedMessage,
  BB_EVENTS.messageSendError,
  BB_EVENTS.typingIndicator,
  BB_EVENTS.groupNameChange,
  BB_EVENTS.participantAdded,
  BB_EVENTS.participantRemoved,
  BB_EVENTS.participantLeft,
];

export type RegistrationResult = { kind: 'present' | 'created' | 'replaced' } | { kind: 'refused'; reason: string };

/**
 * Makes the line's webhook on the BlueBubbles server exactly `url` with the mapped events, and the
 * line's only one: run at connect and on every poll, so a webhook the server lost (its database
 * reset, a reinstall) is registered again within one poll. A webhook of the same line under an
 * older URL (the public URL or the password changed) is deleted; so is one with other events
 * (the server keeps a webhook's events when the same URL is added again).
 */
export async function ensureBlueBubblesWebhook(
  client: Pick<BlueBubblesClient, 'listWebhooks' | 'createWebhook' | 'deleteWebhook'>,
  input: { line: string; url: string },
  signal: AbortSignal,
): Promise<RegistrationResult> {
  let existing: BbWebhook[];
  try {
    existing = await client.listWebhooks(signal);
  } catch (error) {
    return { kind: 'refused', reason: `listing webhooks failed: ${messageOf(error)}` };
  }
  const ours = existing.filter((w) => isLinesWebhook(w.url, input.line));
  const current = ours.find((w) => w.url === input.url && sameEvents(w.events, REGISTERED_EVENTS));
  const stale = ours.filter((w) => w !== current);
  try {
    for (const w of stale) await client.deleteWebhook(w.id, signal);
    if (current !== undefined) return { kind: 'present' };
    await client.createWebhook({ url: input.url, events: REGISTERED_EVENTS }, signal);
  } catch (error) {
    return { kind: 'refused', reason: `registering the webhook failed: ${messageOf(error)}` };
  }
  return { kind: stale.length > 0 ? 'replaced' : 'created' };
}

/** A Tapback webhook URL registered for `line` (by its `line` query parameter), whatever its token. */
function isLinesWebhook(raw: string, line: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return url.pathname.includes(`${BLUEBUBBLES_HOOK_PATH}/`) && url.searchParams.get('line') === line;
}

function sameEvents(have: readonly string[], want: readonly string[]): boolean {
  return have.length === want.length && want.every((e) => have.includes(e));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
