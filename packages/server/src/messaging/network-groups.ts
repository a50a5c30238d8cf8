import type { Clock } from '../domain/clock.js';
import { newGroupId } from '../domain/group.js';
import type { NetworkGroup, NetworkGroupMembers, NetworkGroupRename } from '../domain/network-event.js';
import { parsePhone } from '../domain/phone.js';
import type { ContactsPort } from '../store/ports/contacts-port.js';
import type { LinesPort } from '../store/ports/lines-port.js';
import type { MediaPort } from '../store/ports/media-port.js';
import type { NetworkChatsPort } from '../store/ports/network-chats-port.js';

export interface NetworkGroupsDeps {
  store: NetworkChatsPort &
    Pick<ContactsPort, 'findOrCreateGroup' | 'getGroup' | 'setGroupMembers'> &
    Pick<MediaPort, 'renameGroup'> &
    Pick<LinesPort, 'findLine'>;
  clock: Clock;
}

/**
 * A network's group chats as Tapback groups. A chat is mapped to a group on its first message (the
 * account's newest group of the line with the same members, else a new one) and stays mapped by
 * the network's chat id, so a later change of members or name updates that group rather than
 * starting another.
 */
export class NetworkGroups {
  constructor(private readonly deps: NetworkGroupsDeps) {}

  /**
   * The group id of the line's chat, with `from` and the chat's participants as members and its
   * name when it has one; undefined when the chat names fewer than two contacts (Tapback's groups
   * need two: the message is then stored 1:1).
   */
  async resolve(accountId: number, line: string, from: string, chat: NetworkGroup): Promise<string | undefined> {
    const { store, clock } = this.deps;
    const members = contactsOf(line, [from, ...chat.participants]);
    const mapped = await store.findNetworkChat(line, chat.chatId);
    const now = clock.now();
    let groupId = mapped;
    if (groupId === undefined) {
      if (members.length < 2) return undefined;
      const group = await store.findOrCreateGroup({ accountId, line, members, groupId: newGroupId(), now });
      groupId = await store.linkNetworkChat({ line, chatId: chat.chatId, accountId, groupId: group.groupId, now });
    }
    const group = await store.getGroup(accountId, groupId);
    if (group === undefined) return undefined;
    const missing = members.filter((m) => !group.members.includes(m));
    if (missing.length > 0) {
      await store.setGroupMembers({ accountId, groupId, members: [...group.members, ...missing], now });
    }
    const name = chat.name?.trim() ?? '';
    if (name !== '' && name !== group.name) await store.renameGroup({ accountId, groupId, name, now });
    return groupId;
  }

  /**
   * Makes the mapped group's members the chat's participants; a chat Tapback has not seen a
   * message of, or one left with fewer than two contacts (not a Tapback group), is ignored.
   */
  async setMembers(input: NetworkGroupMembers): Promise<boolean> {
    const { store, clock } = this.deps;
    const groupId = await store.findNetworkChat(input.line, input.chatId);
    const line = await store.findLine(input.line);
    if (groupId === undefined || line === undefined) return false;
    const members = contactsOf(input.line, input.participants);
    if (members.length < 2) return false;
    const changed = await store.setGroupMembers({ accountId: line.accountId, groupId, members, now: clock.now() });
    return changed !== undefined;
  }

  /** Renames the group mapped to the chat; a chat Tapback has not seen a message of is ignored. */
  async rename(input: NetworkGroupRename): Promise<boolean> {
    const { store, clock } = this.deps;
    const groupId = await store.findNetworkChat(input.line, input.chatId);
    const line = await store.findLine(input.line);
    if (groupId === undefined || line === undefined) return false;
    const renamed = await store.renameGroup({ accountId: line.accountId, groupId, name: input.name, now: clock.now() });
    return renamed !== undefined;
  }
}

/** The distinct contacts among `numbers` that are phone numbers, the line itself left out. */
function contactsOf(line: string, numbers: readonly string[]): string[] {
  const out: string[] = [];
  for (const n of numbers) {
    let phone: string;
    try {
      phone = parsePhone(n, 'participants');
    } catch {
      continue;
    }
    if (phone !== line && !out.includes(phone)) out.push(phone);
  }
  return out;
}
