import { type StoreAssignedProp, WIRE_FIELDS, type WireFields } from './message-fields.js';
import { type MessagePayload, type WireAppCard, appCardToWire } from './message-payload.js';
import { smsSegments } from './sms-segments.js';

/**
 * The message model: one record for outbound and inbound messages alike, and its wire shape.
 *
 * Field names on the wire follow Sendblue's observed payloads; the internal record is camelCase and
 * carries what the wire does not show (ids, callback URL, the network's id). How each field is
 * stored, drafted and shown on the wire is in message-fields.ts.
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

export const MESSAGE_TYPES = ['message', 'group', 'carousel', 'app_card'] as const;
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
  /**
   * Epoch milliseconds: when the recipient read this outbound message, as its network first
   * reported it; null until then (and for networks that report no reads).
   */
  dateRead: number | null;
  /** The network's own id for the message, once a real network has returned one. */
  providerMessageId: string | null;
  /** A carousel's images or an App Card's card (message-payload.ts); null for other messages. */
  typePayload: MessagePayload | null;
}

/** A message to store; `accountEmail` and `plan` are the account's (not stored per message). */
export type NewMessage = Omit<Message, StoreAssignedProp>;

/**
 * The flat message object as Sendblue emits it (send response, status, v2 data, callbacks): the
 * fields message-fields.ts puts on the wire, and the derived ones below.
 */
export interface WireMessage extends WireFields {
  /** Tapback: SMS parts the content takes (GSM-7 160/153, UCS-2 70/67) when sent as SMS; null otherwise. */
  sms_segments: number | null;
  /** An App Card message's card. */
  app_card?: WireAppCard;
}

/**
 * Sendblue's flat message object, in wire order: each field's wire names from the table (times as
 * ISO 8601), then the derived `sms_segments`. Compiled from the table into one object literal at
 * load, as it runs for every response and webhook payload: built key by key, the ~30 keys leave V8
 * a dictionary object, measured 1.5x slower to build and 1.3x slower to build and serialise. Names come from
 * the table, quoted as JSON strings: nothing is evaluated from data.
 */
export const toWire = new Function(
  'smsSegments',
  'appCardToWire',
  `return function toWire(m) {
    return {
      ${WIRE_FIELDS.map((f) => {
        const v = `m[${JSON.stringify(f.prop)}]`;
        const time = f.nullable
          ? `${v} === null ? null : new Date(${v}).toISOString()`
          : `new Date(${v}).toISOString()`;
        return `${JSON.stringify(f.name)}: ${f.time ? time : v},`;
      }).join('\n      ')}
      // Derived from the content (a pure function), so it is never stale and costs no column.
      sms_segments: m.service === 'SMS' ? smsSegments(m.content).segments : null,
      // The card of an App Card message (absent, so left out of the JSON, for every other type).
      app_card: m.typePayload === null ? undefined : appCardToWire(m.typePayload),
    };
  };`,
)(smsSegments, appCardToWire) as (m: Message) => WireMessage;
