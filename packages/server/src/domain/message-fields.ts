import type { Message } from './message.js';

/**
 * Every field of a message, once. Both dialects' row types, readers and writers, the drafts'
 * defaults and the wire mapping are derived from this table, so a new field is its property on
 * `Message`, a row here and one migration per dialect; the compiler, or the test that compares this
 * table with freshly migrated databases (store/message-columns.test.ts), points at anything else
 * that must change.
 *
 * Rows are in wire order (Sendblue's key order, which `toWire` and the response schema keep);
 * fields never on the wire come first or last. Each row is checked against `Message`: a property
 * without a row, a row without a property, or a kind, nullability or default that does not fit the
 * property's type is a type error.
 */

/** How a field is stored; each dialect maps a kind to its own column type (its message-row.ts). */
export type StorageKind =
  /** The row id: SQLite assigns it on insert; PostgreSQL's are drawn before a batch insert. */
  | 'id'
  | 'text'
  | 'integer'
  /** 64-bit in the database, read back as a number. */
  | 'bigint'
  /** SQLite stores 0/1. */
  | 'boolean'
  /** SQLite stores JSON text, PostgreSQL jsonb. */
  | 'json'
  /** Epoch milliseconds; ISO 8601 on the wire. */
  | 'time';

/** Where a new message's value comes from (messaging/message-drafts.ts). */
export type DraftSource<T> =
  /** A constant: every draft starts with it. */
  | { readonly value: T extends (infer E)[] ? readonly E[] : T }
  /** Whoever drafts the message decides: direction, parties, status. */
  | 'given'
  /** The owning account's. */
  | 'account'
  /** A fresh handle. */
  | 'handle'
  /** The time of drafting. */
  | 'now'
  /** Assigned by the store when it inserts the row, so absent from a draft. */
  | 'store';

type KindOf<T> = [T] extends [boolean]
  ? 'boolean'
  : [T] extends [string]
    ? 'text'
    : [T] extends [number]
      ? 'id' | 'integer' | 'bigint' | 'time'
      : 'json';

export interface FieldSpec<T> {
  readonly column: string;
  readonly kind: KindOf<NonNullable<T>>;
  readonly nullable: null extends T ? true : false;
  readonly draft: DraftSource<T>;
  /** Its names on the wire, in wire order; empty when it is never shown. */
  readonly wire: readonly string[];
  /** Read from this column of the account (MESSAGE_SELECT joins it in); not stored with the message. */
  readonly account?: string;
  /** Written by every status change (the delivery worker's UPDATE), besides when the row is inserted. */
  readonly statusChange?: true;
}

export const MESSAGE_FIELDS = {
  id: { column: 'id', kind: 'id', nullable: false, draft: 'store', wire: [] },
  accountId: { column: 'account_id', kind: 'bigint', nullable: false, draft: 'account', wire: [] },
  // Sendblue shows the email twice: camelCase in its own payloads, snake_case as its SDK reads it.
  accountEmail: {
    column: 'account_email',
    kind: 'text',
    nullable: false,
    draft: 'account',
    wire: ['accountEmail', 'account_email'],
    account: 'email',
  },
  content: { column: 'content', kind: 'text', nullable: false, draft: { value: '' }, wire: ['content'] },
  isOutbound: { column: 'is_outbound', kind: 'boolean', nullable: false, draft: 'given', wire: ['is_outbound'] },
  status: { column: 'status', kind: 'text', nullable: false, draft: 'given', wire: ['status'], statusChange: true },
  errorCode: {
    column: 'error_code',
    kind: 'integer',
    nullable: true,
    draft: { value: null },
    wire: ['error_code'],
    statusChange: true,
  },
  errorMessage: {
    column: 'error_message',
    kind: 'text',
    nullable: true,
    draft: { value: null },
    wire: ['error_message'],
    statusChange: true,
  },
  errorReason: {
    column: 'error_reason',
    kind: 'text',
    nullable: true,
    draft: { value: null },
    wire: ['error_reason'],
    statusChange: true,
  },
  errorDetail: {
    column: 'error_detail',
    kind: 'text',
    nullable: true,
    draft: { value: null },
    wire: ['error_detail'],
    statusChange: true,
  },
  handle: { column: 'handle', kind: 'text', nullable: false, draft: 'handle', wire: ['message_handle'] },
  createdAt: { column: 'created_at', kind: 'time', nullable: false, draft: 'now', wire: ['date_created'] },
  // Sendblue sets date_sent when it accepts the message, not when a network takes it.
  sentAt: { column: 'sent_at', kind: 'time', nullable: false, draft: 'now', wire: ['date_sent'] },
  updatedAt: {
    column: 'updated_at',
    kind: 'time',
    nullable: false,
    draft: 'now',
    wire: ['date_updated'],
    statusChange: true,
  },
  fromNumber: { column: 'from_number', kind: 'text', nullable: false, draft: 'given', wire: ['from_number'] },
  number: { column: 'number', kind: 'text', nullable: false, draft: 'given', wire: ['number'] },
  toNumber: { column: 'to_number', kind: 'text', nullable: false, draft: 'given', wire: ['to_number'] },
  sendblueNumber: {
    column: 'sendblue_number',
    kind: 'text',
    nullable: false,
    draft: 'given',
    wire: ['sendblue_number'],
  },
  // Unknown (null) until a network says which service carried the message.
  wasDowngraded: {
    column: 'was_downgraded',
    kind: 'boolean',
    nullable: true,
    draft: { value: null },
    wire: ['was_downgraded'],
    statusChange: true,
  },
  plan: { column: 'plan', kind: 'text', nullable: false, draft: 'account', wire: ['plan'], account: 'plan' },
  mediaUrl: { column: 'media_url', kind: 'text', nullable: false, draft: { value: '' }, wire: ['media_url'] },
  messageType: {
    column: 'message_type',
    kind: 'text',
    nullable: false,
    draft: { value: 'message' },
    wire: ['message_type'],
  },
  groupId: { column: 'group_id', kind: 'text', nullable: false, draft: { value: '' }, wire: ['group_id'] },
  participants: {
    column: 'participants',
    kind: 'json',
    nullable: false,
    draft: { value: [] },
    wire: ['participants'],
  },
  groupDisplayName: {
    column: 'group_display_name',
    kind: 'text',
    nullable: false,
    draft: { value: '' },
    wire: ['group_display_name'],
  },
  sendStyle: { column: 'send_style', kind: 'text', nullable: false, draft: { value: '' }, wire: ['send_style'] },
  optedOut: { column: 'opted_out', kind: 'boolean', nullable: false, draft: { value: false }, wire: ['opted_out'] },
  // iMessage until the network reports a downgrade, as Sendblue answers a send.
  service: {
    column: 'service',
    kind: 'text',
    nullable: false,
    draft: { value: 'iMessage' },
    wire: ['service'],
    statusChange: true,
  },
  statusSeq: {
    column: 'status_seq',
    kind: 'integer',
    nullable: false,
    draft: 'store',
    wire: ['status_sequence'],
    statusChange: true,
  },
  // Tapback: Sendblue's current API has no READ status, so a read is a field of its own that never
  // moves the status; written only by the read path (store/receipt-plan.ts), never by a status change.
  dateRead: { column: 'read_at', kind: 'time', nullable: true, draft: { value: null }, wire: ['date_read'] },
  statusCallback: { column: 'status_callback', kind: 'text', nullable: true, draft: { value: null }, wire: [] },
  // Kept for the receipts a real network sends later, which name the message by it; internal for now.
  providerMessageId: {
    column: 'provider_message_id',
    kind: 'text',
    nullable: true,
    draft: { value: null },
    wire: [],
  },
  // A carousel's images, an App Card's card; never on the wire (a carousel shows its first image).
  typePayload: { column: 'type_payload', kind: 'json', nullable: true, draft: { value: null }, wire: [] },
} as const satisfies { readonly [P in keyof Message]: FieldSpec<Message[P]> };

export type MessageFields = typeof MESSAGE_FIELDS;

type PropsWhere<C> = { [P in keyof MessageFields]: MessageFields[P] extends C ? P : never }[keyof MessageFields];

/** Assigned by the store on insert (the row id, the status sequence starting at 0). */
export type StoreAssignedProp = PropsWhere<{ draft: 'store' }>;
/** Decided by whoever drafts a message. */
export type GivenProp = PropsWhere<{ draft: 'given' }>;
/** Constant in every new draft (MESSAGE_DRAFT_DEFAULTS). */
export type DefaultedProp = PropsWhere<{ draft: { value: unknown } }>;
/** Read from the account through the join, never written with the message. */
export type JoinedProp = PropsWhere<{ account: string }>;
/** Written by a status change. */
export type StatusChangeProp = PropsWhere<{ statusChange: true }>;

/** A row of the table with its property name, for code that walks every field. */
export interface MessageField {
  readonly prop: keyof Message;
  readonly column: string;
  readonly kind: StorageKind;
  readonly nullable: boolean;
  readonly draft: DraftSource<unknown>;
  readonly wire: readonly string[];
  readonly account?: string;
  readonly statusChange?: true;
}

/** The table's rows in order. */
export const MESSAGE_FIELD_LIST: readonly MessageField[] = Object.freeze(
  Object.entries(MESSAGE_FIELDS).map(([prop, spec]): MessageField =>
    Object.freeze({ prop: prop as keyof Message, ...spec }),
  ),
);

/**
 * What every new message starts with. Frozen, and so is its empty participants array, which every
 * draft shares: a draft that pushed into it would change every later draft, so that throws instead.
 */
export const MESSAGE_DRAFT_DEFAULTS: Readonly<Pick<Message, DefaultedProp>> = Object.freeze(
  Object.fromEntries(
    MESSAGE_FIELD_LIST.flatMap((f) =>
      typeof f.draft === 'object'
        ? [[f.prop, Array.isArray(f.draft.value) ? Object.freeze(f.draft.value) : f.draft.value]]
        : [],
    ),
  ),
) as Pick<Message, DefaultedProp>;

/**
 * The fields a status change writes, in table order: the delivery worker's UPDATE sets exactly
 * these columns (message-fields.test.ts holds `applyPatch` to them).
 */
export const STATUS_CHANGE_FIELDS: readonly (MessageField & { readonly prop: StatusChangeProp })[] =
  MESSAGE_FIELD_LIST.filter((f): f is MessageField & { prop: StatusChangeProp } => f.statusChange === true);

/** The wire object's fields that are a message field, renamed (time as ISO 8601); message.ts adds the derived ones. */
export type WireFields = {
  -readonly [P in keyof MessageFields as MessageFields[P]['wire'][number]]: MessageFields[P]['kind'] extends 'time'
    ? string | (MessageFields[P]['nullable'] extends true ? null : never)
    : Message[P];
};

/** Each wire name with the field it shows, in wire order. */
export const WIRE_FIELDS: readonly {
  readonly name: string;
  readonly prop: keyof Message;
  readonly time: boolean;
  readonly nullable: boolean;
}[] = MESSAGE_FIELD_LIST.flatMap((f) =>
  f.wire.map((name) => ({ name, prop: f.prop, time: f.kind === 'time', nullable: f.nullable })),
);
