import { MESSAGE_FIELD_LIST, type MessageField } from '../domain/message-fields.js';

/**
 * A message's wire JSON (domain/message.ts `toWire`, serialised as the `Message` response schema
 * does) rendered by the database in the SELECT itself, so a list page arrives as one string per
 * message: no JS value per column, no `toWire`, no serialisation. Reading ~30 columns into JS
 * values and serialising them again was most of a list page's CPU.
 *
 * The SQL renders every field the table puts on the wire, in wire order, then
 * `"sms_segments":null}`. The two derived fields need JS, and only on some rows
 * (message-wire-json.ts): `sms` holds the content of an SMS message (null otherwise), from which
 * the segment count is computed, and `card` the payload of an App Card message (null otherwise).
 *
 * SQLite renders it with `json_object` (measured ~35% cheaper than quoting each value and
 * concatenating); PostgreSQL's `json_build_object` puts spaces after colons and commas, so there
 * each value is rendered as JSON text and concatenated with its key. Each value comes out as
 * JSON.stringify writes it, byte for byte (a property-based test, message-wire.contract.test.ts,
 * holds both backends to the response serialiser on random messages):
 * - text: SQLite's JSON functions and PostgreSQL's `to_json(text)` escape exactly the characters
 *   JSON.stringify does (`"`, `\`, control characters, with the same short forms and lowercase
 *   `\u00xx`); neither database holds a lone surrogate or U+0000.
 * - times (epoch ms, 1970 to 9999): ISO 8601 with milliseconds, as `toISOString()`. SQLite's
 *   `datetime(ms / 1000.0, 'unixepoch', 'subsec')` rounds to the millisecond it came from.
 *   PostgreSQL adds whole seconds to the epoch and writes the milliseconds itself: an interval is
 *   a double count of microseconds, exact for whole seconds up to 9999 but not for
 *   `ms * 1 millisecond` after 2255 (more than 53 bits).
 * - participants: SQLite keeps them as JSON.stringify wrote them, which `json()` leaves as they
 *   are; PostgreSQL's jsonb prints `", "` between elements, so each element is re-rendered and
 *   joined with `,`.
 */

export type WireDialect = 'sqlite' | 'postgres';

type Render = (column: string, field: MessageField) => string;

const nullable =
  (render: Render): Render =>
  (column, field) =>
    field.nullable
      ? `CASE WHEN ${column} IS NULL THEN 'null' ELSE ${render(column, field)} END`
      : render(column, field);

const quoted = (text: string): string => `'"' || ${text} || '"'`;

/** PostgreSQL: each value as JSON text, never NULL, concatenated with its key (json_build_object spaces its output). */
const POSTGRES: Record<MessageField['kind'], Render> = {
  id: (c) => `${c}::text`,
  text: nullable((c) => `to_json(${c})::text`),
  integer: nullable((c) => `${c}::text`),
  bigint: nullable((c) => `${c}::text`),
  boolean: nullable((c) => `CASE WHEN ${c} THEN 'true' ELSE 'false' END`),
  // Only `participants` is a JSON field on the wire: an array of strings.
  json: nullable(
    (c) =>
      `(SELECT '[' || coalesce(string_agg(to_json(e.v)::text, ',' ORDER BY e.i), '') || ']'
        FROM jsonb_array_elements_text(${c}) WITH ORDINALITY AS e(v, i))`,
  ),
  time: nullable((c) =>
    quoted(
      `to_char(timestamp '1970-01-01' + (${c} / 1000) * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS') || '.' ||
        lpad((${c} % 1000)::text, 3, '0') || 'Z'`,
    ),
  ),
};

/** SQLite: each value as json_object takes it (NULL is null; text is quoted; `json()` is embedded as JSON). */
const SQLITE: Record<MessageField['kind'], Render> = {
  id: (c) => c,
  text: (c) => c,
  integer: (c) => c,
  bigint: (c) => c,
  // Read back as `=== 1` (sqlite/message-row.ts): any other value is false.
  boolean: (c, f) =>
    `CASE ${f.nullable ? `WHEN ${c} IS NULL THEN NULL ` : ''}WHEN ${c} = 1 THEN json('true') ELSE json('false') END`,
  json: (c) => `json(${c})`,
  // datetime() formats faster than strftime() (measured ~25% of a page's SQL less).
  time: (c) => `replace(datetime(${c} / 1000.0, 'unixepoch', 'subsec'), ' ', 'T') || 'Z'`,
};

/** What the SQL puts last; the derived fields replace its `null}` when a row needs them. */
export const WIRE_SQL_END = ',"sms_segments":null}';

/** The SQL text expression that renders a message's wire JSON (needs `messages m` joined to `accounts a`). */
export function wireJsonSql(dialect: WireDialect): string {
  const renderers = dialect === 'sqlite' ? SQLITE : POSTGRES;
  const parts = MESSAGE_FIELD_LIST.flatMap((f) => {
    const column = f.account === undefined ? `m.${f.column}` : `a.${f.account}`;
    return f.wire.map((name) => ({ name, value: renderers[f.kind](column, f) }));
  });
  // Names come from the table, quoted as SQL literals: never from data.
  const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;
  if (dialect === 'sqlite') {
    return `json_object(${parts.map((p) => `${literal(p.name)}, ${p.value}`).join(', ')}, 'sms_segments', NULL)`;
  }
  const pieces = parts.map((p, i) => `${literal(`${i === 0 ? '{' : ','}${JSON.stringify(p.name)}:`)} || ${p.value}`);
  return `${pieces.join(' || ')} || ${literal(WIRE_SQL_END)}`;
}

/** The App Card condition per dialect: only an App Card's payload is shown (`app_card`). */
const IS_APP_CARD: Record<WireDialect, string> = {
  sqlite: `json_extract(m.type_payload, '$.kind') = 'app_card'`,
  postgres: `m.type_payload->>'kind' = 'app_card'`,
};

/** Every wire read of messages starts here, followed by its WHERE: columns `wire`, `sms`, `card`. */
export function messageWireSelect(dialect: WireDialect): string {
  return `SELECT ${wireJsonSql(dialect)} AS wire,
    CASE WHEN m.service = 'SMS' THEN m.content END AS sms,
    CASE WHEN ${IS_APP_CARD[dialect]} THEN m.type_payload END AS card
    FROM messages m JOIN accounts a ON a.id = m.account_id`;
}
