/**
 * What the API returns, field for field as the Sendblue Messages API reference models them
 * (MessageContent, MessageResponse, MessageListResponse, MessageRetrieveResponse), with the wire's
 * snake_case names. Every field is optional, as in the reference.
 *
 * Where Tapback's wire carries more than the reference, the types say so rather than hide it:
 * fields Tapback adds are marked "Tapback extra", `send_style` is `''` when no effect was used,
 * nullable fields are `| null`, and a send answers `DECLINED` for an opted-out recipient.
 */

/** The 13 iMessage expressive effects. */
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

/** Every status a message can carry (the v2 enum, also the `status` filter of `list`). */
export const MESSAGE_STATUSES = [
  'REGISTERED',
  'PENDING',
  'SENT',
  'DELIVERED',
  'RECEIVED',
  'QUEUED',
  'ERROR',
  'DECLINED',
  'ACCEPTED',
  'SUCCESS',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** The reference's status enum for the send and status responses. */
export type MessageResponseStatus = 'QUEUED' | 'SENT' | 'DELIVERED' | 'ERROR';

/**
 * Statuses Tapback's send and status responses may also carry: `DECLINED` (the recipient opted
 * out; the message is stored but never sent) and `RECEIVED` (the handle is an inbound message).
 */
export type TapbackResponseStatus = 'DECLINED' | 'RECEIVED';

/** The reference's status enum for MessageContent. */
export type MessageContentStatus = 'QUEUED' | 'SENT' | 'DELIVERED' | 'ERROR' | 'RECEIVED';

export const SERVICES = ['iMessage', 'SMS', 'RCS'] as const;
export type Service = (typeof SERVICES)[number];

export const MESSAGE_TYPES = ['message', 'group'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** A message as the reference's MessageContent model describes it. */
export interface MessageContent {
  /** Email of the account */
  account_email?: string;
  /** Message content */
  content?: string;
  /** When the message was created (ISO-8601 date-time) */
  date_created?: string;
  /** When the message was sent (ISO-8601 date-time) */
  date_sent?: string;
  /** When the message was last updated (ISO-8601 date-time) */
  date_updated?: string;
  /** Sender phone number */
  from_number?: string;
  /** Whether this is an outbound message */
  is_outbound?: boolean;
  /** URL of attached media */
  media_url?: string;
  /** Unique message identifier */
  message_handle?: string;
  send_style?: SendStyle;
  status?: MessageContentStatus;
  /** Recipient phone number */
  to_number?: string;
}

/** The answer of `messages.send` and `messages.getStatus`: one flat message object. */
export interface MessageResponse {
  /** Email of the account that sent the message */
  account_email?: string;
  /** Message content */
  content?: string;
  /** When the message was created (ISO-8601 date-time) */
  date_created?: string;
  /** When the message was last updated (ISO-8601 date-time) */
  date_updated?: string;
  /** Numeric error code if message failed */
  error_code?: number | null;
  /** Error message if message failed */
  error_message?: string | null;
  /** Sending phone number */
  from_number?: string;
  /** Whether this is an outbound message */
  is_outbound?: boolean;
  /** URL of attached media; `''` when none */
  media_url?: string;
  /** Unique identifier for tracking the message */
  message_handle?: string;
  /** Recipient phone number */
  number?: string;
  /** The iMessage expressive message style; `''` when none */
  send_style?: SendStyle | '';
  status?: MessageResponseStatus | TapbackResponseStatus;

  /** Tapback extra: the account email in Sendblue's observed camelCase spelling */
  accountEmail?: string;
  /** Tapback extra: when the message was sent (set at creation, as Sendblue does) */
  date_sent?: string;
  /** Tapback extra: recipient (the contact for outbound, your line for inbound) */
  to_number?: string;
  /** Tapback extra: the account's line that carries the conversation */
  sendblue_number?: string;
  /** Tapback extra: the messaging service used */
  service?: Service;
  /** Tapback extra: whether the message fell back from iMessage to SMS; `null` until known */
  was_downgraded?: boolean | null;
  /** Tapback extra: account plan */
  plan?: string;
  /** Tapback extra */
  message_type?: MessageType;
  /** Tapback extra: `''` for one-to-one messages */
  group_id?: string;
  /** Tapback extra: `[]` for one-to-one messages */
  participants?: string[];
  /** Tapback extra: `''` for one-to-one messages */
  group_display_name?: string;
  /** Tapback extra: whether the recipient has opted out */
  opted_out?: boolean;
  /** Tapback extra: why the message failed */
  error_reason?: string | null;
  /** Tapback extra: detailed error information */
  error_detail?: string | null;
  /** Tapback extra: increments on every status change, so events can be ordered */
  status_sequence?: number;
  /** Tapback extra: when the recipient read the message (iMessage read receipts; ISO-8601), else null */
  date_read?: string | null;
  /** Tapback extra: SMS parts the content takes when sent as SMS (GSM-7 160/153, UCS-2 70/67); null otherwise */
  sms_segments?: number | null;
}

/** One message of the v2 history endpoints (`list` items and `retrieve`'s `data`). */
export interface MessageData {
  /** Email of the account */
  account_email?: string;
  /** Message content */
  content?: string;
  /** When the message was sent (ISO-8601 date-time) */
  date_sent?: string;
  /** When the message was last updated (ISO-8601 date-time) */
  date_updated?: string;
  /** Numeric error code if message failed */
  error_code?: number | null;
  /** Detailed error information */
  error_detail?: string | null;
  /** Error message if message failed */
  error_message?: string | null;
  /** Error reason if message failed */
  error_reason?: string | null;
  /** Sender phone number */
  from_number?: string;
  /** Display name for group messages */
  group_display_name?: string | null;
  /** Group ID for group messages */
  group_id?: string | null;
  /** Whether this is an outbound message */
  is_outbound?: boolean;
  /** URL of attached media */
  media_url?: string | null;
  /** Unique message identifier */
  message_handle?: string;
  message_type?: MessageType;
  /** Primary phone number (to_number for outbound, from_number for inbound) */
  number?: string;
  /** Whether the recipient has opted out */
  opted_out?: boolean;
  /** List of participants for group messages */
  participants?: string[];
  /** Account plan used for this message */
  plan?: string;
  /** The iMessage expressive message style; `''` when none */
  send_style?: SendStyle | '';
  /** Sendblue phone number used */
  sendblue_number?: string | null;
  /** The messaging service used */
  service?: Service;
  status?: MessageStatus;
  /** Recipient phone number */
  to_number?: string;
  /** Whether the message was downgraded from iMessage to SMS */
  was_downgraded?: boolean | null;

  /** Tapback extra: the account email in Sendblue's observed camelCase spelling */
  accountEmail?: string;
  /** Tapback extra: when the message was created (ISO-8601 date-time) */
  date_created?: string;
  /** Tapback extra: increments on every status change, so events can be ordered */
  status_sequence?: number;
  /** Tapback extra: when the recipient read the message (iMessage read receipts; ISO-8601), else null */
  date_read?: string | null;
  /** Tapback extra: SMS parts the content takes when sent as SMS (GSM-7 160/153, UCS-2 70/67); null otherwise */
  sms_segments?: number | null;
}

/** Where a page of `list` results sits in the whole result set. */
export interface MessageListPagination {
  /** Whether there are more messages available */
  hasMore?: boolean;
  /** Number of messages returned in this request (the effective page size) */
  limit?: number;
  /** Number of messages skipped */
  offset?: number;
  /** Total number of messages matching the filters */
  total?: number;
}

/** One page of `GET /api/v2/messages`. */
export interface MessageListResponse {
  data?: MessageData[];
  pagination?: MessageListPagination;
  /** `"OK"` */
  status?: string;
}

/** The answer of `GET /api/v2/messages/{message_id}`. */
export interface MessageRetrieveResponse {
  data?: MessageData;
  /** `"OK"` */
  status?: string;
}
