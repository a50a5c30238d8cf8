import type { Message } from '../../domain/message.js';
import {
  type JoinedProp,
  MESSAGE_FIELD_LIST,
  STATUS_CHANGE_FIELDS,
  type MessageField,
  type MessageFields,
  type StorageKind,
} from '../../domain/message-fields.js';

/** How PostgreSQL stores each kind (information_schema's data_type). */
export const POSTGRES_COLUMN_TYPES: Readonly<Record<StorageKind, string>> = {
  id: 'bigint',
  text: 'text',
  integer: 'integer',
  bigint: 'bigint',
  boolean: 'boolean',
  json: 'jsonb',
  time: 'bigint',
};

/**
 * A `messages` row joined with its account's email and plan, as PostgreSQL returns it (bigint
 * parsed to number by the store's type parser, booleans as booleans, jsonb parsed): every column
 * holds its field's value as it is.
 */
export type MessageRow = { [P in keyof MessageFields as MessageFields[P]['column']]: Message[P] };

export { MESSAGE_SELECT } from '../message-select.js';

type Stored = Omit<Message, JoinedProp>;

/** Every stored field, ids included: a batch insert draws its ids beforehand. */
const COLUMNS = MESSAGE_FIELD_LIST.filter((f) => f.account === undefined);

// Both run for every message read and inserted, so they are compiled from the table into the code
// one would write by hand (see sqlite/message-row.ts for what a loop over the table costs). Names
// come from the table, quoted as JSON strings: nothing here is evaluated from data.
const key = JSON.stringify;

export const rowToMessage = new Function(
  'r',
  `return { ${MESSAGE_FIELD_LIST.map((f) => `${key(f.prop)}: r[${key(f.column)}]`).join(', ')} };`,
) as (r: MessageRow) => Message;

/** How many parameters `insertMessagesSql` takes. */
export const MESSAGE_INSERT_PARAMS = COLUMNS.length;

/** The array type each column is sent as: JSON goes as text and is cast, as node-postgres has no jsonb[] encoding. */
const arrayType = (kind: StorageKind): string => (kind === 'json' ? 'text' : POSTGRES_COLUMN_TYPES[kind]);

/**
 * One multi-row INSERT for any number of messages (ids drawn beforehand): one array parameter
 * per column, zipped by `unnest`, numbered from `$start`. The text does not depend on the batch
 * size, so the server parses it once.
 */
export function insertMessagesSql(start: number): string {
  const names = COLUMNS.map((f) => f.column).join(', ');
  const values = COLUMNS.map((f) => (f.kind === 'json' ? `${f.column}::jsonb` : f.column)).join(', ');
  const arrays = COLUMNS.map((f, i) => `$${start + i}::${arrayType(f.kind)}[]`).join(', ');
  return `INSERT INTO messages (${names}) SELECT ${values} FROM unnest(${arrays}) AS t(${names}) RETURNING id`;
}

/**
 * As `insertMessagesSql`, but each message's id is drawn in the same statement: `ids` names a
 * relation of (ord, drawn_id), and row `ord` (1-based, in array order) gets `drawn_id`. The id
 * array among the parameters is sent but not read.
 */
export function insertDrawnMessagesSql(start: number, ids: string): string {
  const names = COLUMNS.map((f) => f.column).join(', ');
  const values = COLUMNS.map((f) =>
    f.column === 'id' ? `${ids}.drawn_id` : f.kind === 'json' ? `t.${f.column}::jsonb` : `t.${f.column}`,
  ).join(', ');
  const arrays = COLUMNS.map((f, i) => `$${start + i}::${arrayType(f.kind)}[]`).join(', ');
  return `INSERT INTO messages (${names}) SELECT ${values}
    FROM unnest(${arrays}) WITH ORDINALITY AS t(${names}, ord) JOIN ${ids} USING (ord) RETURNING id, created_at`;
}

function param(f: MessageField): string {
  const v = `m[${key(f.prop)}]`;
  if (f.kind !== 'json') return v;
  // A null field is SQL NULL, not the JSON value null.
  return f.nullable ? `${v} === null ? null : JSON.stringify(${v})` : `JSON.stringify(${v})`;
}

/** One array per column of `insertMessagesSql`, each with one value per message. */
export const insertMessagesParams = new Function(
  'ms',
  `const n = ms.length;
  ${COLUMNS.map((_, i) => `const c${i} = new Array(n);`).join(' ')}
  for (let i = 0; i < n; i++) {
    const m = ms[i];
    ${COLUMNS.map((f, i) => `c${i}[i] = ${param(f)};`).join(' ')}
  }
  return [${COLUMNS.map((_, i) => `c${i}`).join(', ')}];`,
) as (messages: readonly Stored[]) => unknown[][];

/**
 * What a batch of finished jobs rewrites (the fields the table marks `statusChange`; the rest of a
 * message never changes once stored): one statement, one `unnest` array per column.
 */
export const UPDATE_STATUS_SQL = `UPDATE messages m SET ${STATUS_CHANGE_FIELDS.map((f) => `${f.column} = t.${f.column}`).join(', ')}
  FROM unnest($1::bigint[], ${STATUS_CHANGE_FIELDS.map((f, i) => `$${i + 2}::${POSTGRES_COLUMN_TYPES[f.kind]}[]`).join(', ')})
    AS t(id, ${STATUS_CHANGE_FIELDS.map((f) => f.column).join(', ')})
  WHERE m.id = t.id`;

export function statusParams(messages: readonly Message[]): unknown[][] {
  return [messages.map((m) => m.id), ...STATUS_CHANGE_FIELDS.map((f) => messages.map((m) => m[f.prop]))];
}
