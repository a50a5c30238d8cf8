import type { Message, NewMessage } from '../domain/message.js';
import { declinedForOptOut } from '../domain/opt-out.js';
import type { InboundInput } from './ports/messages-port.js';

/** What storing an inbound message writes, decided inside its transaction from the contact's state. */
export interface InboundPlan {
  /** The message to store, with the contact's opt-out state after it. */
  message: NewMessage;
  /** STOP or START: the contact's new opt-out state, to write; undefined leaves the contact as it is. */
  optOut: boolean | undefined;
  /** The HELP reply to store: QUEUED with its send job, or DECLINED (its callbacks only) for an opted-out contact. */
  reply: NewMessage | undefined;
}

/**
 * The inbound rules, for both backends: STOP opts the contact out and START back in (any other
 * message leaves the state as `optedOut` read it); the stored message carries the state after it;
 * a HELP reply to a contact who has opted out is stored DECLINED, never sent; the network's id for
 * the message, when given, is stored with it. A message whose handle (a retried inbound job) or
 * network id (`networkIdHolder`) is already stored is the caller's to refuse before this.
 */
export function planInbound(input: InboundInput, optedOut: boolean): InboundPlan {
  const optOut = input.keyword === 'stop' ? true : input.keyword === 'start' ? false : undefined;
  const after = optOut ?? optedOut;
  const reply =
    input.helpReply === undefined ? undefined : after ? declinedForOptOut(input.helpReply) : input.helpReply;
  const providerMessageId = input.providerMessageId ?? input.message.providerMessageId;
  return { message: { ...input.message, optedOut: after, providerMessageId }, optOut, reply };
}

/**
 * What to do about `holder`, the message already holding an inbound's network id on its line: an
 * inbound one means this is the network's redelivery of it (`duplicate`); an outbound one only
 * shares the id (a network's ids for what it sent and what it delivered may meet) and gives it up
 * (`release`), as `provider_message_id` is unique per line and the newest holder is the one meant.
 */
export function networkIdHolder(holder: Message): 'duplicate' | 'release' {
  return holder.isOutbound ? 'release' : 'duplicate';
}
