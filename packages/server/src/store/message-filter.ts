import type { MessageQuery, OrderBy } from '../domain/message-query.js';

/**
 * Builds message list queries. Shared by the SQL backends: the dialect differences, the
 * placeholder style and booleans, are passed in as data.
 */

const ORDER_COLUMNS: Record<OrderBy, string> = {
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  sentAt: 'sent_at',
};

export interface SqlQuery {
  sql: string;
  params: unknown[];
}

/**
 * The page and the exact total of a message list, as two statements. `select` is the backend's
 * `SELECT ... FROM messages m JOIN accounts a ...` (no WHERE).
 *
 * The `number` filter (either party of the conversation) is an OR over two columns, and no single
 * index serves an OR: as a plain WHERE it walks the account's whole history, row by row (~15 ms
 * for the page and ~30 ms for the count on 10,000 messages per account). So it is split into its
 * two sides, each served by its own index (messages_account_number, messages_account_line):
 * the page is taken from the first `offset + limit` rows of each side, merged (UNION, not UNION ALL:
 * a message whose contact is the line itself is on both sides); the total is
 * count(contact side) + count(line side) - count(both), each an index range count. The cost then
 * grows with the page and the number of matches, not with the account's history. When the caller
 * knows one side has no messages (`sides`, from numberSidesOf), the page reads the other side alone.
 */
export function buildMessageList(
  accountId: number,
  q: MessageQuery,
  placeholder: (index: number) => string,
  booleanValue: (b: boolean) => unknown,
  select: string,
  sides: NumberSides = 'both',
): { page: SqlQuery; count: SqlQuery } {
  const { clauses, number } = filterClauses(accountId, q, booleanValue);
  const counted = countedTotal(accountId, q, placeholder);
  const orderBy = orderByOf(q);
  const sortKey = `m.${ORDER_COLUMNS[q.orderBy]}`;
  const pageParams: unknown[] = [];
  const countParams: unknown[] = [];
  const p = binder(pageParams, placeholder);
  const c = binder(countParams, placeholder);
  if (number === undefined) {
    return {
      page: {
        sql: `${select} WHERE ${render(clauses, p)} ORDER BY ${orderBy} LIMIT ${p(q.limit)} OFFSET ${p(q.offset)}`,
        params: pageParams,
      },
      count: counted ?? {
        sql: `SELECT count(*) AS n FROM messages m WHERE ${render(clauses, c)}`,
        params: countParams,
      },
    };
  }
  const contactSide: Clause = (bind) => `m.number = ${bind(number)}`;
  const lineSide: Clause = (bind) => `m.sendblue_number = ${bind(number)}`;
  if (sides !== 'both') {
    // One side is known to be empty: the other side's index gives the page in order, no merge.
    const side = sides === 'contact' ? contactSide : lineSide;
    return {
      page: {
        sql: `${select} WHERE ${render([...clauses, side], p)} ORDER BY ${orderBy} LIMIT ${p(q.limit)} OFFSET ${p(q.offset)}`,
        params: pageParams,
      },
      count: counted ?? {
        sql: `SELECT count(*) AS n FROM messages m WHERE ${render([...clauses, side], c)}`,
        params: countParams,
      },
    };
  }
  // An expression, not the column: the overlap is counted through the contact's index (few rows
  // per contact) rather than the line's (every message of the line), which SQLite would pick.
  const lineAlso: Clause = (bind) => `(m.sendblue_number || '') = ${bind(number)}`;
  // Each side's first rows come from its index alone (id and the sort key); only the page's own
  // `limit` rows are then read from the table.
  const top = (side: Clause, alias: string): string =>
    `SELECT * FROM (SELECT m.id, ${sortKey} FROM messages m WHERE ${render([...clauses, side], p)}
      ORDER BY ${orderBy} LIMIT ${p(q.offset + q.limit)}) AS ${alias}`;
  const count = (sides: Clause[]): string =>
    `(SELECT count(*) FROM messages m WHERE ${render([...clauses, ...sides], c)})`;
  return {
    page: {
      sql: `${select} WHERE m.id IN (SELECT id FROM (${top(contactSide, 'by_contact')} UNION ${top(lineSide, 'by_line')}) AS sides
        ORDER BY ${orderByOf(q, '')} LIMIT ${p(q.limit)} OFFSET ${p(q.offset)})
        ORDER BY ${orderBy}`,
      params: pageParams,
    },
    count: counted ?? {
      sql: `SELECT ${count([contactSide])} + ${count([lineSide])} - ${count([contactSide, lineAlso])} AS n`,
      params: countParams,
    },
  };
}

/** The message_counts rows (dimension, value) a filter's total is read from (migrations/0004_*). */
type CountTerm = { dimension: string; value: string; sign: 1 | -1 };

/** Query fields that are not filters. */
const NOT_FILTERS = new Set(['limit', 'offset', 'orderBy', 'orderDirection']);

/**
 * The exact total read from the message counters (one primary-key lookup per term, so
 * O(log n) whatever the history's size) when the query filters by at most one counted field; null
 * otherwise (date ranges, combinations), and the total is counted from the rows. `number` (either
 * party) is its contact side plus its line side minus the messages on both (`self`), as below.
 */
function countedTotal(accountId: number, q: MessageQuery, placeholder: (index: number) => string): SqlQuery | null {
  const filters = Object.entries(q).filter(([key, value]) => value !== undefined && !NOT_FILTERS.has(key));
  if (filters.length > 1) return null;
  const [key, value] = filters[0] ?? ['', undefined];
  const terms = countTerms(key, value);
  if (terms === null) return null;
  const params: unknown[] = [];
  const bind = binder(params, placeholder);
  const counter = (t: CountTerm): string =>
    `coalesce((SELECT n FROM message_counts WHERE account_id = ${bind(accountId)}
      AND dimension = ${bind(t.dimension)} AND value = ${bind(t.value)}), 0)`;
  const sum = terms.map((t) => `${t.sign < 0 ? '-' : '+'} ${counter(t)}`).join(' ');
  // For `number`, each side's own count too: a side with no messages is left out of the page query.
  const sideCounts = key === 'number' ? `, ${counter(terms[0]!)} AS contact_n, ${counter(terms[1]!)} AS line_n` : '';
  return { sql: `SELECT 0 ${sum} AS n${sideCounts}`, params };
}

/**
 * Which sides of a `number` filter the page must read: both (merged), or only the one with
 * messages when the counters (read first, in the same snapshot) show the other has none, which is
 * the common case of a contact's conversation. The merge costs ~2× the page itself at 1M messages.
 */
export type NumberSides = 'both' | 'contact' | 'line';

export function numberSidesOf(counted: { contact_n?: unknown; line_n?: unknown } | undefined): NumberSides {
  if (counted?.contact_n === undefined || counted.line_n === undefined) return 'both';
  if (Number(counted.line_n) === 0) return 'contact';
  if (Number(counted.contact_n) === 0) return 'line';
  return 'both';
}

function countTerms(key: string, value: unknown): CountTerm[] | null {
  const term = (dimension: string, v: string, sign: 1 | -1 = 1): CountTerm => ({ dimension, value: v, sign });
  if (key === '') return [term('all', '')];
  if (key === 'isOutbound' && typeof value === 'boolean') return [term('outbound', value ? '1' : '0')];
  if (typeof value !== 'string') return null;
  switch (key) {
    case 'number':
      return [term('number', value), term('line', value), term('self', value, -1)];
    case 'sendblueNumber':
      return [term('line', value)];
    case 'status':
      return [term('status', value)];
    case 'groupId':
      return [term('group', value)];
    default:
      return null;
  }
}

/** Appends a value to `params` and returns its placeholder. */
type Bind = (value: unknown) => string;
type Clause = (bind: Bind) => string;

function binder(params: unknown[], placeholder: (index: number) => string): Bind {
  return (value) => {
    params.push(value);
    return placeholder(params.length);
  };
}

function render(clauses: Clause[], bind: Bind): string {
  return clauses.map((clause) => clause(bind)).join(' AND ');
}

/** Every filter but `number`, which is returned apart: how it is applied depends on the query. */
function filterClauses(
  accountId: number,
  q: MessageQuery,
  booleanValue: (b: boolean) => unknown,
): { clauses: Clause[]; number: string | undefined } {
  const clauses: Clause[] = [];
  const add = (sql: (p: string) => string, value: unknown): void => {
    clauses.push((bind) => sql(bind(value)));
  };
  add((p) => `m.account_id = ${p}`, accountId);
  if (q.status !== undefined) add((p) => `m.status = ${p}`, q.status);
  if (q.service !== undefined) add((p) => `m.service = ${p}`, q.service);
  if (q.isOutbound !== undefined) add((p) => `m.is_outbound = ${p}`, booleanValue(q.isOutbound));
  if (q.messageType !== undefined) add((p) => `m.message_type = ${p}`, q.messageType);
  if (q.fromNumber !== undefined) add((p) => `m.from_number = ${p}`, q.fromNumber);
  if (q.toNumber !== undefined) add((p) => `m.to_number = ${p}`, q.toNumber);
  if (q.sendblueNumber !== undefined) add((p) => `m.sendblue_number = ${p}`, q.sendblueNumber);
  if (q.groupId !== undefined) add((p) => `m.group_id = ${p}`, q.groupId);
  if (q.createdAtGte !== undefined) add((p) => `m.created_at >= ${p}`, q.createdAtGte);
  if (q.createdAtLte !== undefined) add((p) => `m.created_at <= ${p}`, q.createdAtLte);
  if (q.sentAtGte !== undefined) add((p) => `m.sent_at >= ${p}`, q.sentAtGte);
  if (q.sentAtLte !== undefined) add((p) => `m.sent_at <= ${p}`, q.sentAtLte);
  if (q.updatedAtGte !== undefined) add((p) => `m.updated_at >= ${p}`, q.updatedAtGte);
  if (q.updatedAtLte !== undefined) add((p) => `m.updated_at <= ${p}`, q.updatedAtLte);
  return { clauses, number: q.number };
}

/** `prefix` is the table alias and a dot, or '' for a subquery's own columns. */
function orderByOf(q: MessageQuery, prefix = 'm.'): string {
  const dir = q.orderDirection === 'asc' ? 'ASC' : 'DESC';
  // The id breaks ties, so pages never overlap or skip rows that share a timestamp.
  return `${prefix}${ORDER_COLUMNS[q.orderBy]} ${dir}, ${prefix}id ${dir}`;
}
