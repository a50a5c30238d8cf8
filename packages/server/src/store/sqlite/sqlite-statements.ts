import type { Prepared } from './prepared.js';

/** A cached prepared statement by its SQL text (SqliteStore owns the cache). */
export type Stmt = (sql: string) => Prepared;
