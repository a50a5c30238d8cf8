import type { Account } from '../../src/domain/account.js';
import type { NewMessage } from '../../src/domain/message.js';
import { outboundDraft } from '../../src/messaging/message-drafts.js';

/**
 * An outbound message as the send path would hand it to `Store.acceptOutbound`: QUEUED, from
 * `line` to `to`, created at `overrides.createdAt` (default `Date.now()`); every field overridable.
 */
export function messageDraft(
  account: Account,
  line: string,
  to: string,
  overrides: Partial<NewMessage> = {},
): NewMessage {
  const owner = { accountId: account.id, email: account.email, plan: account.plan };
  const now = overrides.createdAt ?? Date.now();
  return { ...outboundDraft(owner, { line, to, content: 'hello', now }), ...overrides };
}
