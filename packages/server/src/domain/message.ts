import { smsSegments } from './sms-segments.js';

/**
 * The message model: one record for outbound and inbound messages alike, and its wire shape.
 *
 * Field names on the wire follow the seed (shared/seed/) and Sendblue's observed payloads; the
 * internal record is camelCase and carries what the wire does not show (ids, callback URL,
 * status sequence number).
 */
export const SEND_STYLES = [
  'celebration',
  'shooting_star',
  'fireworks',
  'lasers',
  'love',
  'confetti',
  'balloons',
  'spotlight',
  'echo',
  'invisible',
  'gentle',
  'loud',
  'slam',
] as const;
export type SendStyle = (typeof SEND_STYLES)[number];

/** Every status the wire can carry (the v2 enum); Tapback itself moves through the first six. */
export const MESSAGE_STATUSES = [
  'QUEUED',
  'SENT',
  'DELIVERED',
  'ERROR',
  'DECLINED',
  'RECEIVED',
  'REGISTERED',
  'PENDING',
  'ACCEPTED',
  'SUCCESS',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const SERVICES = ['iMessage', 'SMS', 'RCS'] as const;
export type Service = (typeof SERVICES)[number];

export const MESSAGE_TYPES = ['message', 'group'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export interface Message {
  /** Internal numeric id; never on the wire. */
  id: number;
  /** Public id, a lowercase UUID v7. */
  handle: string;
  accountId: number;
  accountEmail: string;
  plan: string;
  isOutbound: boolean;
  status: MessageStatus;
  content: string;
  mediaUrl: string;
  sendStyle: SendStyle | '';
  fromNumber: string;
  toNumber: string;
  /** The contact's number, whichever direction the message went. */
  number: string;
  /** The account's line. */
  sendblueNumber: string;
  service: Service;
  wasDowngraded: boolean | null;
  errorCode: number | null;
  errorMessage: string | null;
  errorReason: string | null;
  errorDetail: string | null;
  messageType: MessageType;
  groupId: string;
  participants: string[];
  groupDisplayName: string;
  optedOut: boolean;
  statusCallback: string | null;
  /** Epoch milliseconds. */
  createdAt: number;
  sentAt: number;
  updatedAt: number;
  /** Increments on every status change, so consumers can order callbacks. */
  statusSeq: number;
}

/** A message to store; `accountEmail` and `plan` are the account's (not stored per message). */
export type NewMessage = Omit<Message, 'id' | 'statusSeq'>;

/** The flat message object as Sendblue emits it (send response, status, v2 data, callbacks). */
export interface WireMessage {
  accountEmail: string;
  account_email: string;
  content: string;
  is_outbound: boolean;
  status: MessageStatus;
  error_code: number | null;
  error_message: string | null;
  error_reason: string | null;
  error_detail: string | null;
  message_handle: string;
  date_created: string;
  date_sent: string;
  date_updated: string;
  from_number: string;
  number: string;
  to_number: string;
  sendblue_number: string;
  was_downgraded: boolean | null;
  plan: string;
  media_url: string;
  message_type: MessageType;
  group_id: string;
  participants: string[];
  group_display_name: string;
  send_style: SendStyle | '';
  opted_out: boolean;
  service: Service;
  status_sequence: number;
  /** Tapback: SMS parts the content takes (GSM-7 160/153, UCS-2 70/67) when sent as SMS; null otherwise. */
  sms_segments: number | null;
}

export function toWire(m: Message): WireMessage {
  return {
    accountEmail: m.accountEmail,
    account_email: m.accountEmail,
    content: m.content,
    is_outbound: m.isOutbound,
    status: m.status,
    error_code: m.errorCode,
    error_message: m.errorMessage,
    error_reason: m.errorReason,
    error_detail: m.errorDetail,
    message_handle: m.handle,
    date_created: new Date(m.createdAt).toISOString(),
    date_sent: new Date(m.sentAt).toISOString(),
    date_updated: new Date(m.updatedAt).toISOString(),
    from_number: m.fromNumber,
    number: m.number,
    to_number: m.toNumber,
    sendblue_number: m.sendblueNumber,
    was_downgraded: m.wasDowngraded,
    plan: m.plan,
    media_url: m.mediaUrl,
    message_type: m.messageType,
    group_id: m.groupId,
    participants: m.participants,
    group_display_name: m.groupDisplayName,
    send_style: m.sendStyle,
    opted_out: m.optedOut,
    service: m.service,
    status_sequence: m.statusSeq,
    // Derived from the content (a pure function), so it is never stale and costs no column.
    sms_segments: m.service === 'SMS' ? smsSegments(m.content).segments : null,
  };
}
