import type { Message, MessageStatus, MessageType, SendStyle, Service } from '../../domain/message.js';

/**
 * A `messages` row joined with its account's email and plan, as PostgreSQL returns it (bigint
 * parsed to number by the store's type parser, booleans as booleans, participants as jsonb).
 */
export interface MessageRow {
  id: number;
  handle: string;
  account_id: number;
  account_email: string;
  plan: string;
  is_outbound: boolean;
  status: string;
  content: string;
  media_url: string;
  send_style: string;
  from_number: string;
  to_number: string;
  number: string;
  sendblue_number: string;
  service: string;
  was_downgraded: boolean | null;
  error_code: number | null;
  error_message: string | null;
  error_reason: string | null;
  error_detail: string | null;
  message_type: string;
  group_id: string;
  participants: string[];
  group_display_name: string;
  opted_out: boolean;
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
    isOutbound: r.is_outbound,
    status: r.status as MessageStatus,
    content: r.content,
    mediaUrl: r.media_url,
    sendStyle: r.send_style as SendStyle | '',
    fromNumber: r.from_number,
    toNumber: r.to_number,
    number: r.number,
    sendblueNumber: r.sendblue_number,
    service: r.service as Service,
    wasDowngraded: r.was_downgraded,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    errorReason: r.error_reason,
    errorDetail: r.error_detail,
    messageType: r.message_type as MessageType,
    groupId: r.group_id,
    participants: r.participants,
    groupDisplayName: r.group_display_name,
    optedOut: r.opted_out,
    statusCallback: r.status_callback,
    createdAt: r.created_at,
    sentAt: r.sent_at,
    updatedAt: r.updated_at,
    statusSeq: r.status_seq,
  };
}

type Stored = Omit<Message, 'accountEmail' | 'plan'>;

/** Each column, its array type for `unnest`, and how to read it from a message. */
const COLUMNS: readonly [string, string, (m: Stored) => unknown][] = [
  ['id', 'bigint', (m) => m.id],
  ['handle', 'text', (m) => m.handle],
  ['account_id', 'bigint', (m) => m.accountId],
  ['is_outbound', 'boolean', (m) => m.isOutbound],
  ['status', 'text', (m) => m.status],
  ['content', 'text', (m) => m.content],
  ['media_url', 'text', (m) => m.mediaUrl],
  ['send_style', 'text', (m) => m.sendStyle],
  ['from_number', 'text', (m) => m.fromNumber],
  ['to_number', 'text', (m) => m.toNumber],
  ['number', 'text', (m) => m.number],
  ['sendblue_number', 'text', (m) => m.sendblueNumber],
  ['service', 'text', (m) => m.service],
  ['was_downgraded', 'boolean', (m) => m.wasDowngraded],
  ['error_code', 'integer', (m) => m.errorCode],
  ['error_message', 'text', (m) => m.errorMessage],
  ['error_reason', 'text', (m) => m.errorReason],
  ['error_detail', 'text', (m) => m.errorDetail],
  ['message_type', 'text', (m) => m.messageType],
  ['group_id', 'text', (m) => m.groupId],
  // Sent as JSON text and cast: node-postgres has no array-of-jsonb encoding.
  ['participants', 'text', (m) => JSON.stringify(m.participants)],
  ['group_display_name', 'text', (m) => m.groupDisplayName],
  ['opted_out', 'boolean', (m) => m.optedOut],
  ['status_callback', 'text', (m) => m.statusCallback],
  ['created_at', 'bigint', (m) => m.createdAt],
  ['sent_at', 'bigint', (m) => m.sentAt],
  ['updated_at', 'bigint', (m) => m.updatedAt],
  ['status_seq', 'integer', (m) => m.statusSeq],
];

/** How many parameters `insertMessagesSql` takes. */
export const MESSAGE_INSERT_PARAMS = COLUMNS.length;

/**
 * One multi-row INSERT for any number of messages (ids drawn beforehand): one array parameter
 * per column, zipped by `unnest`, numbered from `$start`. The text does not depend on the batch
 * size, so the server parses it once.
 */
export function insertMessagesSql(start: number): string {
  const names = COLUMNS.map(([c]) => c).join(', ');
  const values = COLUMNS.map(([c]) => (c === 'participants' ? 'participants::jsonb' : c)).join(', ');
  const arrays = COLUMNS.map(([, type], i) => `$${start + i}::${type}[]`).join(', ');
  return `INSERT INTO messages (${names}) SELECT ${values} FROM unnest(${arrays}) AS t(${names}) RETURNING id`;
}

export function insertMessagesParams(messages: readonly Stored[]): unknown[][] {
  return COLUMNS.map(([, , read]) => messages.map(read));
}
