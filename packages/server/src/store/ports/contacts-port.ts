import type { AccountSettings, Contact } from '../../domain/contact.js';
import type { Group } from '../../domain/group.js';

/** Contacts and conversations: opt-out state, the account's compliance settings, groups. */
export interface ContactsPort {
  /** The contact's opt-out state for the account; a contact never seen is not opted out. */
  getContact(accountId: number, number: string): Promise<Contact>;
  /** Opts a contact out of (or back into) the account's messages, as the opt-out API does. */
  setContactOptOut(input: { accountId: number; number: string; optedOut: boolean; now: number }): Promise<Contact>;
  getAccountSettings(accountId: number): Promise<AccountSettings>;
  /** `helpReply: null` returns to the default reply. */
  updateAccountSettings(accountId: number, update: { helpReply: string | null; now: number }): Promise<AccountSettings>;
  /**
   * The newest group of the account's `line` whose members are exactly `members` (in any order),
   * or a new one with `groupId` when there is none.
   */
  findOrCreateGroup(input: {
    accountId: number;
    line: string;
    members: string[];
    groupId: string;
    now: number;
  }): Promise<Group>;
  getGroup(accountId: number, groupId: string): Promise<Group | undefined>;
  /** Replaces the members of the account's group; undefined if it has no such group. */
  setGroupMembers(input: {
    accountId: number;
    groupId: string;
    members: string[];
    now: number;
  }): Promise<Group | undefined>;
}
