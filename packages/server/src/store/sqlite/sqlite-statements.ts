import type Database from 'better-sqlite3';

/** A cached prepared statement by its SQL text (SqliteStore owns the cache). */
export type Stmt = (sql: string) => Database.Statement;
