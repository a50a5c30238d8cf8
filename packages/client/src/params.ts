import type { MessageStatus, MessageType, SendStyle, Service } from './models.js';

/** The body of `POST /api/send-message`. */
export interface MessageSendParams {
  /** Recipient in E.164 form, e.g. `+19998887777` */
  number: string;
  /** One of your lines, in E.164 form */
  from_number: string;
  /** Message text (at most 18,996 characters); required unless `media_url` is given */
  content?: string;
  /** Public http(s) URL of a file to attach */
  media_url?: string;
  /** iMessage expressive effect; ignored on SMS */
  send_style?: SendStyle;
  /** URL that receives a POST of the message on every status change */
  status_callback?: string;
}

/** The query of `GET /api/status`. */
export interface MessageGetStatusParams {
  /** The `message_handle` of the message */
  handle: string;
}

/** Sort keys of `list`; Tapback also accepts the snake_case spellings. */
export type MessageListOrderBy = 'createdAt' | 'updatedAt' | 'sentAt' | 'created_at' | 'updated_at' | 'sent_at';

/** The query of `GET /api/v2/messages`. */
export interface MessageListParams {
  /** Page size, 1-100 (larger values are clamped to 100); default 100 */
  limit?: number;
  /** Number of messages to skip; default 0 */
  offset?: number;
  /** Sort key; default `createdAt` */
  order_by?: MessageListOrderBy;
  /** Sort direction; default `desc` (newest first) */
  order_direction?: 'asc' | 'desc';
  /** Only messages with this status */
  status?: MessageStatus;
  /** Only messages sent over this service */
  service?: Service;
  /** `'false'` for inbound messages only, `'true'` for outbound only */
  is_outbound?: 'true' | 'false';
  /** `message` or `group` (not a direction filter) */
  message_type?: MessageType;
  /** Either party of the conversation */
  number?: string;
  /** Exact sender */
  from_number?: string;
  /** Exact recipient */
  to_number?: string;
  /** Exact line */
  sendblue_number?: string;
  /** Group id */
  group_id?: string;
  /** Account email (only ever matches your own) */
  account_email?: string;
  /** Created at or after (ISO-8601 date-time) */
  created_at_gte?: string;
  /** Created at or before (ISO-8601 date-time) */
  created_at_lte?: string;
  /** Sent at or after (ISO-8601 date-time) */
  sent_at_gte?: string;
  /** Sent at or before (ISO-8601 date-time) */
  sent_at_lte?: string;
  /** Updated at or after (ISO-8601 date-time) */
  updated_at_gte?: string;
  /** Updated at or before (ISO-8601 date-time) */
  updated_at_lte?: string;
}
