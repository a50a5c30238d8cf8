import type { StatusPatch } from './job.js';
import type { Service } from './message.js';

/** What a line's network reports after a send: a receipt for one of its ids for a message. */
export interface NetworkReceipt {
  /** The line (E.164) whose network issued the id. */
  line: string;
  networkMessageId: string;
  patch: StatusPatch;
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
}
