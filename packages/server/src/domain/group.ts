import { randomUUID } from 'node:crypto';

/**
 * Group conversations, as Sendblue's group messaging has them: one of the account's lines and 2-25
 * contacts.
 * `members` are the contacts only; on the wire a message's `participants` also lists the line,
 * as Sendblue's group payloads do.
 */
export interface Group {
  /** Public id, a lowercase UUID. */
  groupId: string;
  accountId: number;
  /** The account's line the group talks through. */
  line: string;
  name: string;
  /** Contacts, in the order they joined. */
  members: string[];
  createdAt: number;
  updatedAt: number;
  /** The newest message of the group, if any. */
  latest: { handle: string; createdAt: number } | null;
  /** The group's photo, a media object (domain/media.ts); null when it has none. */
  photo: { id: string; filename: string } | null;
}

/** Contacts in a group, not counting the line (Sendblue: "maximum 25 members"). */
export const MAX_GROUP_MEMBERS = 25;
/** A group needs at least two contacts besides the line, or it is a 1:1 conversation. */
export const MIN_GROUP_MEMBERS = 2;
/** Removing a member needs a group of at least this many participants, line included (Sendblue). */
export const MIN_PARTICIPANTS_FOR_REMOVAL = 4;

export function newGroupId(): string {
  return randomUUID();
}

/** Order-independent identity of a member set, for finding the group a `numbers[]` send means. */
export function memberKey(members: readonly string[]): string {
  return [...new Set(members)].sort().join(',');
}

/** The wire `participants` of a group message: the line, then every member. */
export function participantsOf(group: Pick<Group, 'line' | 'members'>): string[] {
  return [group.line, ...group.members];
}
