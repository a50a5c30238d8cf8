import { createHash } from 'node:crypto';
import type { Clock } from '../domain/clock.js';
import { errors } from '../domain/errors.js';
import {
  type Group,
  MAX_GROUP_MEMBERS,
  MIN_GROUP_MEMBERS,
  MIN_PARTICIPANTS_FOR_REMOVAL,
  newGroupId,
  participantsOf,
} from '../domain/group.js';
import { type Message, type SendStyle, toWire } from '../domain/message.js';
import { parsePhone } from '../domain/phone.js';
import type { ContactsPort } from '../store/ports/contacts-port.js';
import type { LinesPort } from '../store/ports/lines-port.js';
import type { MessagesPort } from '../store/ports/messages-port.js';
import type { Caller } from './caller.js';
import { outboundDraft } from './message-drafts.js';
import { messageBody, statusCallbackUrl } from '../domain/validation.js';
import { ownLine } from './validation.js';
import { type AcceptKey, IdentifiedAccepts, type RequestIdentity } from './request-identity.js';
import type { SendOutcome } from './send-message.js';
import { type AddressCheck, refusePrivateUrl } from './url-policy.js';

/** POST /api/send-group-message, after schema validation. */
export interface GroupSendInput {
  from_number: string;
  numbers?: string[];
  group_id?: string;
  content?: string;
  media_url?: string;
  send_style?: SendStyle;
  status_callback?: string;
}

/** POST /api/modify-group, after schema validation. */
export interface ModifyGroupInput {
  group_id: string;
  modify_type: 'add_recipient' | 'remove_recipient';
  number: string;
  from_number?: string;
}

export interface GroupServiceDeps {
  store: MessagesPort & LinesPort & ContactsPort;
  clock: Clock;
  queueLimit: number;
  /** Called after a group message and its job are committed, to wake the worker. */
  onAccepted: (message: Message) => void;
  /** Refuses private callback and media URLs at send time (the SSRF guard's policy); unchecked when absent. */
  urlPolicy?: AddressCheck;
  /** How long after a send an official SDK retry of it replays it (`TAPBACK_RETRY_MATCH_WINDOW_MS`). */
  retryMatchWindowMs?: number;
}

/**
 * Group conversations, as Sendblue's group messaging API has them: sending to a member set (the group is created
 * on first use) or to a group id, changing members, reading a group. Group messages are iMessage
 * conversations and are not subject to 1:1 opt-out (a STOP in a group chat is conversation).
 */
export class GroupService {
  private readonly accepts: IdentifiedAccepts<SendOutcome>;

  constructor(private readonly deps: GroupServiceDeps) {
    this.accepts = new IdentifiedAccepts(deps);
  }

  /** Replays like `/api/send-message` under an `Idempotency-Key` or an official SDK retry's digest. */
  send(caller: Caller, input: GroupSendInput, identity?: RequestIdentity): Promise<SendOutcome> {
    return this.accepts.run(
      caller.accountId,
      identity,
      () => hashGroupRequest(input),
      (key) => this.accept(caller, input, key),
    );
  }

  private async accept(caller: Caller, input: GroupSendInput, key: AcceptKey | undefined): Promise<SendOutcome> {
    const { store, clock } = this.deps;
    const line = await ownLine(store, caller.accountId, input.from_number, 'from_number');
    const { content, mediaUrl } = messageBody(input);
    const statusCallback = statusCallbackUrl(input.status_callback);
    refusePrivateUrl(this.deps.urlPolicy, mediaUrl, 'media_url');
    refusePrivateUrl(this.deps.urlPolicy, statusCallback ?? '', 'status_callback');
    const now = clock.now();
    let group: Group;
    if (input.group_id !== undefined) {
      group = await this.ownGroup(caller, input.group_id);
      if (group.line !== line) throw errors.validation('from_number', `must be the group's line ${group.line}`);
    } else if (input.numbers !== undefined) {
      const members = this.members(input.numbers, line);
      group = await store.findOrCreateGroup({ accountId: caller.accountId, line, members, groupId: newGroupId(), now });
    } else {
      throw errors.validation('numbers', 'are required unless group_id is given');
    }
    const message = {
      ...outboundDraft(caller, {
        line,
        to: '',
        content,
        mediaUrl,
        sendStyle: input.send_style ?? '',
        statusCallback,
        now,
      }),
      messageType: 'group' as const,
      groupId: group.groupId,
      participants: participantsOf(group),
      groupDisplayName: group.name,
    };
    const body = JSON.stringify(toWire({ ...message, id: 0, statusSeq: 0 }));
    const idempotency = key === undefined ? {} : { idempotency: { ...key, responseBody: body } };
    const result = await store.acceptOutbound({ message, queueLimit: this.deps.queueLimit, ...idempotency });
    if (result.kind === 'queue_full') throw errors.queueFull(this.deps.queueLimit);
    if (result.kind === 'replay') {
      if (result.requestHash !== key?.requestHash) throw errors.idempotencyKeyReused();
      return { body: result.responseBody, replayed: true };
    }
    this.deps.onAccepted(result.message);
    return { body, replayed: false };
  }

  async modify(caller: Caller, input: ModifyGroupInput): Promise<Group> {
    const group = await this.ownGroup(caller, input.group_id);
    if (input.from_number !== undefined) {
      const line = await ownLine(this.deps.store, caller.accountId, input.from_number, 'from_number');
      if (line !== group.line) throw errors.validation('from_number', `must be the group's line ${group.line}`);
    }
    const number = parsePhone(input.number, 'number');
    let members = group.members;
    if (input.modify_type === 'add_recipient') {
      if (number === group.line) throw errors.validation('number', 'is the group’s line, always a participant');
      if (members.includes(number)) return group;
      if (members.length + 1 > MAX_GROUP_MEMBERS) throw errors.groupTooLarge('number', MAX_GROUP_MEMBERS);
      members = [...members, number];
    } else {
      if (!members.includes(number)) throw errors.validation('number', `${number} is not a member of this group`);
      if (participantsOf(group).length < MIN_PARTICIPANTS_FOR_REMOVAL) {
        throw errors.groupTooSmall(
          'number',
          `cannot be removed: removing a member needs a group of at least ${MIN_PARTICIPANTS_FOR_REMOVAL} participants`,
        );
      }
      members = members.filter((m) => m !== number);
    }
    const updated = await this.deps.store.setGroupMembers({
      accountId: caller.accountId,
      groupId: group.groupId,
      members,
      now: this.deps.clock.now(),
    });
    if (updated === undefined) throw errors.notFound('Group');
    return updated;
  }

  async get(caller: Caller, groupId: string): Promise<Group> {
    return this.ownGroup(caller, groupId);
  }

  private async ownGroup(caller: Caller, groupId: string): Promise<Group> {
    const group = await this.deps.store.getGroup(caller.accountId, groupId);
    if (group === undefined) throw errors.notFound('Group');
    return group;
  }

  /** The distinct members of a `numbers[]` send, in order; the line itself may not be one. */
  private members(numbers: string[], line: string): string[] {
    const members = [...new Set(numbers.map((n, i) => parsePhone(n, `numbers[${i}]`)))];
    if (members.includes(line)) throw errors.validation('numbers', 'must not include from_number (the line)');
    if (members.length > MAX_GROUP_MEMBERS) throw errors.groupTooLarge('numbers', MAX_GROUP_MEMBERS);
    if (members.length < MIN_GROUP_MEMBERS) {
      throw errors.groupTooSmall(
        'numbers',
        `must name at least ${MIN_GROUP_MEMBERS} members besides the line; send 1:1 messages with /api/send-message`,
      );
    }
    return members;
  }
}

/** A group send's meaning under an `Idempotency-Key`: its fields, told apart from other sends'. */
function hashGroupRequest(input: GroupSendInput): string {
  const canonical = [
    'group',
    input.from_number,
    input.numbers ?? [],
    input.group_id ?? '',
    input.content ?? '',
    input.media_url ?? '',
    input.send_style ?? '',
    input.status_callback ?? '',
  ];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}
