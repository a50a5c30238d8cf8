import { newHandle } from '../../src/domain/ids.js';
import type { Account } from '../../src/domain/account.js';
import type { NewMessage } from '../../src/domain/message.js';

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
  const t = overrides.createdAt ?? Date.now();
  return {
    handle: newHandle(),
    accountId: account.id,
    accountEmail: account.email,
    plan: account.plan,
    isOutbound: true,
    status: 'QUEUED',
    content: 'hello',
    mediaUrl: '',
    sendStyle: '',
    fromNumber: line,
    toNumber: to,
    number: to,
    sendblueNumber: line,
    service: 'iMessage',
    wasDowngraded: null,
    errorCode: null,
    errorMessage: null,
    errorReason: null,
    errorDetail: null,
    messageType: 'message',
    groupId: '',
    participants: [],
    groupDisplayName: '',
    optedOut: false,
    statusCallback: null,
    createdAt: t,
    sentAt: t,
    updatedAt: t,
    ...overrides,
  };
}
