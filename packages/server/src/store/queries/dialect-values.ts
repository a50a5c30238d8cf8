import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';

/**
 * What a plan must say differently to each dialect, as values a plan reads rather than checks on
 * the dialect: each runner builds its query builder with one of the two sets below.
 */
export interface DialectValues {
  /**
   * Email equality as the unique index of accounts defines it: case-insensitive for ASCII letters
   * only. SQLite's column is COLLATE NOCASE (ASCII folding), so `=` is that comparison and uses the
   * index; PostgreSQL's index is on lower(email COLLATE "C"), where lower() folds ASCII only too.
   */
  emailEquals(email: Expression<string>, value: string): Expression<SqlBool>;
  /**
   * `column` is one of `ids`, bound as ONE parameter whatever their number: the SQL text, and so
   * SQLite's cached statement, stays the same for every list (a JSON array on SQLite, an array on
   * PostgreSQL).
   */
  idIn(column: Expression<number | null>, ids: readonly number[]): Expression<SqlBool>;
  /** As `idIn`, for text keys. */
  textIn(column: Expression<string>, values: readonly string[]): Expression<SqlBool>;
  /** What clears a delivery's lease when it stops being pending: a column on PostgreSQL only. */
  readonly releasedLease: { readonly leased_by?: null };
  /**
   * A search of messages by words (letters and digits only, at least one): the FROM items that
   * yield the messages `m` holding every one of `words`, the condition that says so, and the
   * order newest stored first. SQLite reads its FTS5 index messages_fts, walked by descending id
   * so a page stops early; PostgreSQL its GIN index on to_tsvector('simple', content) (migration
   * 0022). Each word is quoted, so none is ever read as query syntax.
   */
  wordSearch(words: readonly string[]): {
    from: RawBuilder<unknown>;
    where: RawBuilder<SqlBool>;
    newestFirst: RawBuilder<unknown>;
  };
}

export const sqliteValues: DialectValues = {
  emailEquals: (email, value) => sql<SqlBool>`${email} = ${value}`,
  idIn: (column, ids) => sql<SqlBool>`${column} in (select value from json_each(${JSON.stringify(ids)}))`,
  textIn: (column, values) => sql<SqlBool>`${column} in (select value from json_each(${JSON.stringify(values)}))`,
  releasedLease: {},
  wordSearch: (words) => ({
    from: sql`messages_fts JOIN messages m ON m.id = messages_fts.rowid`,
    where: sql<SqlBool>`messages_fts MATCH ${words.map((w) => `"${w.replaceAll('"', '""')}"`).join(' ')}`,
    newestFirst: sql`messages_fts.rowid DESC`,
  }),
};

export const postgresValues: DialectValues = {
  emailEquals: (email, value) => sql<SqlBool>`lower(${email} collate "C") = lower(${value} collate "C")`,
  idIn: (column, ids) => sql<SqlBool>`${column} = any(${ids}::bigint[])`,
  textIn: (column, values) => sql<SqlBool>`${column} = any(${values}::text[])`,
  releasedLease: { leased_by: null },
  wordSearch: (words) => ({
    from: sql`messages m`,
    where: sql<SqlBool>`to_tsvector('simple', m.content) @@ plainto_tsquery('simple', ${words.join(' ')})`,
    newestFirst: sql`m.id DESC`,
  }),
};

/** A boolean column's value as either dialect returns it (0/1 on SQLite). */
export function flag(value: boolean | 0 | 1): boolean {
  return value === true || value === 1;
}

/** A JSON column's value as either dialect returns it (text on SQLite, parsed on PostgreSQL). */
export function fromJson<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

/**
 * PostgreSQL text cannot hold U+0000, so no value stored on either backend may contain it (a SQLite
 * file must stay movable to PostgreSQL, see sqlite-transfer.ts), and no stored value can equal a
 * string that does: a lookup by one matches nothing, on both backends alike.
 */
export function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  return Array.isArray(value) && value.some(holdsNul);
}
