import type { Message, MessageStatus } from '../../domain/message.js';

/**
 * Conversations (one per account, line and peer, kept by the database itself from the messages),
 * their read marks, full-text search of messages and a message's status history.
 */
export interface ConversationsPort {
  /** Newest first by last message, then by row; a page and where the next one starts. */
  listConversations(accountId: number, query: ConversationQuery): Promise<ConversationPage>;
  /**
   * Stores the account's read mark of the conversation at `at`; its unread count after that, or
   * undefined when the account has no such conversation.
   */
  markConversationRead(accountId: number, key: ConversationKey, at: number): Promise<number | undefined>;
  /** The account's messages holding every one of `words`, newest stored first. */
  searchMessages(accountId: number, query: MessageSearchQuery): Promise<Message[]>;
  /** The message with every status it took, oldest first; undefined when not the account's. */
  messageTimeline(accountId: number, handle: string): Promise<MessageTimeline | undefined>;
}

/** The unread count stops at this many: a conversation never opened is not counted to its end. */
export const UNREAD_COUNT_CAP = 999;

/** A conversation's identity: a 1:1 one has `number` and `groupId` ''; a group the reverse. */
export interface ConversationKey {
  line: string;
  groupId: string;
  number: string;
}

/** Where a page starts: after the conversation with this last-message time and row id. */
export interface ConversationCursor {
  at: number;
  id: number;
}

export interface ConversationQuery {
  /** Only this line's conversations; undefined for every line of the account. */
  line?: string;
  limit: number;
  before?: ConversationCursor;
}

export interface Conversation extends ConversationKey {
  /** The row's id: the order's tie-break, stable while the conversation has messages. */
  rowId: number;
  service: string;
  lastMessageAt: number;
  lastMessage: Message;
  /** A group's current members (its line not included); null for a 1:1 conversation. */
  members: string[] | null;
  /** Inbound messages after the read mark (all of them without one), at most UNREAD_COUNT_CAP. */
  unreadCount: number;
}

export interface ConversationPage {
  conversations: Conversation[];
  /** Set when more conversations follow the page. */
  next: ConversationCursor | null;
}

export interface MessageSearchQuery {
  /** Letters and digits only; at least one. */
  words: readonly string[];
  line?: string;
  limit: number;
}

export interface StatusStep {
  status: MessageStatus;
  at: number;
  errorCode: number | null;
  errorMessage: string | null;
}

export interface MessageTimeline {
  message: Message;
  statuses: StatusStep[];
}
