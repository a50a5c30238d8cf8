import type { Message } from '../../domain/message.js';
import {
  type JoinedProp,
  MESSAGE_FIELD_LIST,
  STATUS_CHANGE_FIELDS,
  type MessageField,
  type MessageFields,
  type StorageKind,
} from '../../domain/message-fields.js';

/** How SQLite stores each kind (its declared column type); booleans are 0/1, JSON is text. */
export const SQLITE_COLUMN_TYPES: Readonly<Record<StorageKind, string>> = {
  id: 'INTEGER',
  text: 'TEXT',
  integer: 'INTEGER',
  bigint: 'INTEGER',
  boolean: 'INTEGER',
  json: 'TEXT',
  time: 'INTEGER',
};

type SqliteValue<F extends MessageFields[keyof MessageFields], T> = F['kind'] extends 'boolean'
  ? number | (F['nullable'] extends true ? null : never)
  : F['kind'] extends 'json'
    ? string
    : T;

/** A `messages` row joined with its account's email and plan, as SQLite returns it. */
export type MessageRow = {
  [P in keyof MessageFields as MessageFields[P]['column']]: SqliteValue<MessageFields[P], Message[P]>;
};

/** Every field but the row id (SQLite assigns it) and the account's, which are not stored per message. */
const WRITTEN = MESSAGE_FIELD_LIST.filter((f) => f.kind !== 'id' && f.account === undefined);
type WrittenProp = Exclude<keyof Message, 'id' | JoinedProp>;

export { MESSAGE_SELECT } from '../message-select.js';

/** The columns a message insert writes, in table order; each is also the name of its parameter. */
export const MESSAGE_COLUMNS: readonly MessageFields[WrittenProp]['column'][] = WRITTEN.map(
  (f) => f.column as MessageFields[WrittenProp]['column'],
);

/** Inserts one message from `messageParams`; built once, as statements are cached by their text. */
export const INSERT_MESSAGE_SQL = `INSERT INTO messages (${MESSAGE_COLUMNS.join(', ')}) VALUES (${MESSAGE_COLUMNS.map((c) => `@${c}`).join(', ')})`;

// Both run once per row on every read and write of messages, so they are compiled from the table
// into one object literal each: the code one would write by hand, as fast and with one allocation.
// A loop over the table measured 20-25x slower (~1.5 µs a row against 70 ns): an object given ~30
// computed keys one by one becomes a V8 dictionary. Names come from the table, quoted as JSON
// strings: nothing here is evaluated from data.
const key = JSON.stringify;

function read(f: MessageField): string {
  const v = `r[${key(f.column)}]`;
  const nullable = (expr: string) => (f.nullable ? `${v} === null ? null : ${expr}` : expr);
  if (f.kind === 'boolean') return nullable(`${v} === 1`);
  if (f.kind === 'json') return nullable(`JSON.parse(${v})`);
  return v;
}

function write(f: MessageField): string {
  const v = `m[${key(f.prop)}]`;
  const nullable = (expr: string) => (f.nullable ? `${v} === null ? null : ${expr}` : expr);
  if (f.kind === 'boolean') return nullable(`${v} ? 1 : 0`);
  if (f.kind === 'json') return nullable(`JSON.stringify(${v})`);
  return v;
}

export const rowToMessage = new Function(
  'r',
  `return { ${MESSAGE_FIELD_LIST.map((f) => `${key(f.prop)}: ${read(f)}`).join(', ')} };`,
) as (r: MessageRow) => Message;

/** Named parameters for inserting or rewriting a message row. */
export const messageParams = new Function(
  'm',
  `return { ${WRITTEN.map((f) => `${key(f.column)}: ${write(f)}`).join(', ')} };`,
) as (m: Pick<Message, WrittenProp>) => Record<string, unknown>;

/**
 * What a finished job rewrites (the fields the table marks `statusChange`; the rest of a message
 * never changes once stored), as one positional statement, and its parameters for a message.
 */
export const UPDATE_STATUS_SQL = `UPDATE messages SET ${STATUS_CHANGE_FIELDS.map((f) => `${f.column} = ?`).join(', ')} WHERE id = ?`;

export function statusParams(m: Message): unknown[] {
  const values: unknown[] = STATUS_CHANGE_FIELDS.map((f) => {
    const v = m[f.prop];
    return typeof v === 'boolean' ? (v ? 1 : 0) : v;
  });
  values.push(m.id);
  return values;
}
