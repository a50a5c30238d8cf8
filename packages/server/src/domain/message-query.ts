import type { MessageStatus, MessageType, Service } from './message.js';

export type OrderBy = 'createdAt' | 'updatedAt' | 'sentAt';

/** A page of an account's messages: the list endpoint's filters, already validated. */
export interface MessageQuery {
  limit: number;
  offset: number;
  orderBy: OrderBy;
  orderDirection: 'asc' | 'desc';
  status?: MessageStatus;
  service?: Service;
  isOutbound?: boolean;
  messageType?: MessageType;
  /** Either party: the contact or the line. */
  number?: string;
  fromNumber?: string;
  toNumber?: string;
  sendblueNumber?: string;
  groupId?: string;
  createdAtGte?: number;
  createdAtLte?: number;
  sentAtGte?: number;
  sentAtLte?: number;
  updatedAtGte?: number;
  updatedAtLte?: number;
}
