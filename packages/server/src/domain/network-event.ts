import type { StatusPatch } from './job.js';
import type { Service } from './message.js';

/** What a line's network reports after a send: a receipt for one of its ids for a message. */
export interface NetworkReceipt {
  /** The line (E.164) whose network issued the id. */
  line: string;
  networkMessageId: string;
  patch: StatusPatch;
  /**
   * The recipient cannot receive this service (not an iMessage user), reported after the network
   * accepted the message: routing may send it again over SMS.
   */
  notOnService?: boolean;
  /** The recipient read the message then (epoch ms): recorded once, the status unchanged. */
  readAt?: number;
}

/** A message a contact sent to a line, as its network delivered it. */
export interface NetworkInbound {
  /** The line it was sent to (E.164). */
  line: string;
  /** The contact (E.164). */
  from: string;
  content: string;
  mediaUrl?: string | null;
  service: Service;
  /** The network's id for it: a redelivery with the same id is stored once. */
  networkMessageId?: string;
  /**
   * Sent in a group chat: the message belongs to the Tapback group mapped to the network's chat
   * (found, or created on the first message, by `chatId`).
   */
  group?: NetworkGroup;
}

/** A network's group chat, as one of its messages names it. */
export interface NetworkGroup {
  /** The network's id for the chat (a BlueBubbles chat guid), unique per line. */
  chatId: string;
  /** The contacts in it (E.164), the line not included. */
  participants: string[];
  /** The chat's name; null or absent when it has none. */
  name?: string | null;
}

/** A contact started or stopped typing to a line (1:1 only). */
export interface NetworkTyping {
  line: string;
  /** The contact (E.164). */
  from: string;
  isTyping: boolean;
}

/** A network's group chat's members changed: `participants` is who is in it now. */
export interface NetworkGroupMembers {
  line: string;
  chatId: string;
  /** The contacts in it now, the line not included. */
  participants: string[];
}

/** A network's group chat was renamed. */
export interface NetworkGroupRename {
  line: string;
  chatId: string;
  name: string;
}
