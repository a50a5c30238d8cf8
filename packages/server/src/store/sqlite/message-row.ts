import type { Message, MessageStatus, MessageType, SendStyle, Service } from '../../domain/message.js';

/** A `messages` row joined with its account's email and plan, as SQLite returns it. */
export interface MessageRow {
  id: number;
  handle: string;
  account_id: number;
  account_email: string;
  plan: string;
  is_outbound: number;
  status: string;
  content: string;
  media_url: string;
  send_style: string;
  from_number: string;
  to_number: string;
  number: string;
  sendblue_number: string;
  service: string;
  was_downgraded: number | null;
  error_code: number | null;
  error_message: string | null;
  error_reason: string | null;
  error_detail: string | null;
  message_type: string;
  group_id: string;
  participants: string;
  group_display_name: string;
  opted_out: number;
  status_callback: string | null;
  created_at: number;
  sent_at: number;
  updated_at: number;
  status_seq: number;
}

export const MESSAGE_SELECT = `SELECT m.*, a.email AS account_email, a.plan AS plan
  FROM messages m JOIN accounts a ON a.id = m.account_id`;

export function rowToMessage(r: MessageRow): Message {
  return {
    id: r.id,
    handle: r.handle,
    accountId: r.account_id,
    accountEmail: r.account_email,
    plan: r.plan,
    isOutbound: r.is_outbound === 1,
    status: r.status as MessageStatus,
    content: r.content,
    mediaUrl: r.media_url,
    sendStyle: r.send_style as SendStyle | '',
    fromNumber: r.from_number,
    toNumber: r.to_number,
    number: r.number,
    sendblueNumber: r.sendblue_number,
    service: r.service as Service,
    wasDowngraded: r.was_downgraded === null ? null : r.was_downgraded === 1,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    errorReason: r.error_reason,
    errorDetail: r.error_detail,
    messageType: r.message_type as MessageType,
    groupId: r.group_id,
    participants: JSON.parse(r.participants) as string[],
    groupDisplayName: r.group_display_name,
    optedOut: r.opted_out === 1,
    statusCallback: r.status_callback,
    createdAt: r.created_at,
    sentAt: r.sent_at,
    updatedAt: r.updated_at,
    statusSeq: r.status_seq,
  };
}

const bool = (b: boolean | null): number | null => (b === null ? null : b ? 1 : 0);

/** Named parameters for inserting or rewriting a message row. */
export function messageParams(m: Omit<Message, 'id' | 'accountEmail' | 'plan'>): Record<string, unknown> {
  return {
    handle: m.handle,
    account_id: m.accountId,
    is_outbound: bool(m.isOutbound),
    status: m.status,
    content: m.content,
    media_url: m.mediaUrl,
    send_style: m.sendStyle,
    from_number: m.fromNumber,
    to_number: m.toNumber,
    number: m.number,
    sendblue_number: m.sendblueNumber,
    service: m.service,
    was_downgraded: bool(m.wasDowngraded),
    error_code: m.errorCode,
    error_message: m.errorMessage,
    error_reason: m.errorReason,
    error_detail: m.errorDetail,
    message_type: m.messageType,
    group_id: m.groupId,
    participants: JSON.stringify(m.participants),
    group_display_name: m.groupDisplayName,
    opted_out: bool(m.optedOut),
    status_callback: m.statusCallback,
    created_at: m.createdAt,
    sent_at: m.sentAt,
    updated_at: m.updatedAt,
    status_seq: m.statusSeq,
  };
}

export const MESSAGE_COLUMNS = [
  'handle',
  'account_id',
  'is_outbound',
  'status',
  'content',
  'media_url',
  'send_style',
  'from_number',
  'to_number',
  'number',
  'sendblue_number',
  'service',
  'was_downgraded',
  'error_code',
  'error_message',
  'error_reason',
  'error_detail',
  'message_type',
  'group_id',
  'participants',
  'group_display_name',
  'opted_out',
  'status_callback',
  'created_at',
  'sent_at',
  'updated_at',
  'status_seq',
] as const;
