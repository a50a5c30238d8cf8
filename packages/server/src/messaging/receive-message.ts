import type { Clock } from '../domain/clock.js';
import { errors } from '../domain/errors.js';
import { participantsOf } from '../domain/group.js';
import type { Message, Service } from '../domain/message.js';
import type { NetworkInbound } from '../domain/network-event.js';
import { DEFAULT_HELP_REPLY, complianceKeyword } from '../domain/opt-out.js';
import { parsePhone } from '../domain/phone.js';
import type { InboundResult, MessagesPort } from '../store/ports/messages-port.js';
import type { NewMessage } from '../domain/message.js';
import type { ContactsPort } from '../store/ports/contacts-port.js';
import type { LinesPort } from '../store/ports/lines-port.js';
import { type Owner, inboundDraft, outboundDraft } from './message-drafts.js';
import { messageBody } from '../domain/validation.js';
import { ownLine } from './validation.js';

/** A message a contact sends to one of the account's lines (POST /sandbox/inbound). */
export interface InboundInput {
  from: string;
  to: string;
  content?: string;
  media_url?: string;
  group_id?: string;
}

export interface ReceiveServiceDeps {
  store: MessagesPort & LinesPort & ContactsPort;
  clock: Clock;
  /** Which network a contact's messages arrive on (the sandbox table). */
  serviceOf: (contact: string) => Service;
  /** Called after an inbound message (and any HELP reply) is committed: wake the worker, dispatcher, waiters. */
  onReceived: (result: InboundResult) => void;
  /** Approves the pending Verify verifications whose code the committed message carries. */
  matchVerifications?: (message: Message) => Promise<void>;
  /** The Tapback group a network's group chat is (network-groups.ts); group messages are stored 1:1 without it. */
  networkGroups?: {
    resolve(
      accountId: number,
      line: string,
      from: string,
      chat: NonNullable<NetworkInbound['group']>,
    ): Promise<string | undefined>;
  };
}

/**
 * Receiving a message from a contact: the one way in for inbound messages, used by the sandbox
 * routes (a user's test injecting a contact's message) and by the worker (the echo contact's
 * reply). The store commits the message, its compliance keyword's effect, its `receive` webhook
 * deliveries and any HELP reply together.
 */
export class ReceiveService {
  constructor(private readonly deps: ReceiveServiceDeps) {}

  /**
   * `from.service` is the network's word on which service carried it; without one, the sandbox
   * table's. `from.networkMessageId` makes a redelivery by the network a no-op.
   */
  async receive(
    owner: Owner,
    input: InboundInput,
    from: { service?: Service; networkMessageId?: string } = {},
  ): Promise<Message> {
    const { store, clock } = this.deps;
    const network = from;
    const contact = parsePhone(input.from, 'from');
    const to = await ownLine(store, owner.accountId, input.to, 'to');
    const { content, mediaUrl } = messageBody(input);
    const now = clock.now();
    let message = inboundDraft(owner, {
      from: contact,
      line: to,
      content,
      mediaUrl,
      service: network.service ?? this.deps.serviceOf(contact),
      now,
    });
    if (input.group_id !== undefined) message = await this.inGroup(owner, message, input.group_id);
    // Keywords are a 1:1 matter: a STOP typed into a group chat is conversation.
    const keyword = message.messageType === 'message' ? complianceKeyword(content) : null;
    const helpReply = keyword === 'help' ? await this.helpReply(owner, message, now) : undefined;
    const result = await store.acceptInbound({
      message,
      keyword,
      ...(helpReply ? { helpReply } : {}),
      ...(network.networkMessageId === undefined ? {} : { providerMessageId: network.networkMessageId }),
    });
    if (!result.duplicate) this.deps.onReceived(result);
    if (!result.duplicate) await this.deps.matchVerifications?.(result.message);
    return result.message;
  }

  /**
   * A message a line's network delivered (an SMPP MO, the sandbox echo contact's reply): stored
   * for the line's account, idempotently by the network's id for it. A line removed meanwhile
   * drops it (logged by the caller).
   */
  async receiveFromNetwork(inbound: NetworkInbound): Promise<Message | undefined> {
    const line = await this.deps.store.findLine(inbound.line);
    if (line === undefined) return undefined;
    const owner = { accountId: line.accountId, email: line.accountEmail, plan: line.accountPlan };
    const groupId =
      inbound.group === undefined
        ? undefined
        : await this.deps.networkGroups?.resolve(
            line.accountId,
            line.number,
            parsePhone(inbound.from, 'from'),
            inbound.group,
          );
    return this.receive(
      owner,
      {
        from: inbound.from,
        to: inbound.line,
        content: inbound.content,
        ...(inbound.mediaUrl ? { media_url: inbound.mediaUrl } : {}),
        ...(groupId === undefined ? {} : { group_id: groupId }),
      },
      {
        service: inbound.service,
        ...(inbound.networkMessageId === undefined ? {} : { networkMessageId: inbound.networkMessageId }),
      },
    );
  }

  private async inGroup(owner: Owner, message: NewMessage, groupId: string): Promise<NewMessage> {
    const group = await this.deps.store.getGroup(owner.accountId, groupId);
    if (group === undefined) throw errors.notFound('Group');
    if (group.line !== message.sendblueNumber) throw errors.validation('to', `must be the group's line ${group.line}`);
    if (!group.members.includes(message.fromNumber)) {
      throw errors.validation('from', `${message.fromNumber} is not a member of this group`);
    }
    return {
      ...message,
      messageType: 'group',
      groupId: group.groupId,
      participants: participantsOf(group),
      groupDisplayName: group.name,
    };
  }

  private async helpReply(owner: Owner, message: NewMessage, now: number): Promise<NewMessage> {
    const settings = await this.deps.store.getAccountSettings(owner.accountId);
    return outboundDraft(owner, {
      line: message.sendblueNumber,
      to: message.number,
      content: settings.helpReply ?? DEFAULT_HELP_REPLY,
      now,
    });
  }
}
