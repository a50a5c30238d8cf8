import { newHandle } from '../domain/ids.js';
import type { SendStyle, Service } from '../domain/message.js';
import type { NewMessage } from '../domain/message.js';
import { type GivenProp, MESSAGE_DRAFT_DEFAULTS } from '../domain/message-fields.js';
import type { Caller } from './caller.js';

/** The account a message belongs to, as drafts need it. */
export type Owner = Pick<Caller, 'accountId' | 'email' | 'plan'>;

/** Fields every new message starts with; callers fill in direction, parties and status. */
function base(owner: Owner, now: number): Omit<NewMessage, GivenProp> {
  return {
    ...MESSAGE_DRAFT_DEFAULTS,
    handle: newHandle(),
    accountId: owner.accountId,
    accountEmail: owner.email,
    plan: owner.plan,
    createdAt: now,
    sentAt: now,
    updatedAt: now,
  };
}

/** A QUEUED outbound message from `line` to `to` (`''` for a group, whose members are in `participants`). */
export function outboundDraft(
  owner: Owner,
  input: {
    line: string;
    to: string;
    content: string;
    mediaUrl?: string;
    sendStyle?: SendStyle | '';
    statusCallback?: string | null;
    now: number;
  },
): NewMessage {
  return {
    ...base(owner, input.now),
    isOutbound: true,
    status: 'QUEUED',
    content: input.content,
    mediaUrl: input.mediaUrl ?? '',
    sendStyle: input.sendStyle ?? '',
    statusCallback: input.statusCallback ?? null,
    fromNumber: input.line,
    toNumber: input.to,
    number: input.to,
    sendblueNumber: input.line,
  };
}

/**
 * A RECEIVED message from contact `from` to `line`, as Sendblue's receive payloads show it:
 * `number` is the contact, `to_number` and `sendblue_number` the line, `was_downgraded` null.
 */
export function inboundDraft(
  owner: Owner,
  input: {
    from: string;
    line: string;
    content: string;
    mediaUrl: string;
    service: Service;
    now: number;
    handle?: string;
  },
): NewMessage {
  return {
    ...base(owner, input.now),
    ...(input.handle === undefined ? {} : { handle: input.handle }),
    isOutbound: false,
    status: 'RECEIVED',
    content: input.content,
    mediaUrl: input.mediaUrl,
    service: input.service,
    fromNumber: input.from,
    toNumber: input.line,
    number: input.from,
    sendblueNumber: input.line,
  };
}
