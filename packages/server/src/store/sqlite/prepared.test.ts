import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepare } from './prepared.js';

describe('prepare: rows read as arrays, built by a compiled reader', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
    db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, "we""ird" TEXT, n REAL, b BLOB)`);
  });
  afterEach(() => db.close());

  it('returns the same rows as better-sqlite3 does, for every kind of value and column name', () => {
    const insert = prepare(db, 'INSERT INTO t ("we""ird", n, b) VALUES (?, ?, ?)');
    expect(insert.run('x', 1.5, Buffer.from([1, 2])).changes).toBe(1);
    insert.run(null, null, null);
    for (const sql of ['SELECT * FROM t ORDER BY id', 'SELECT id, n AS id, "we""ird" FROM t ORDER BY id']) {
      expect(prepare(db, sql).all()).toEqual(db.prepare(sql).all());
      expect(prepare(db, `${sql} LIMIT 1`).get()).toEqual(db.prepare(`${sql} LIMIT 1`).get());
    }
    expect(prepare(db, 'SELECT * FROM t WHERE id = ?').get(99)).toBeUndefined();
  });

  it('reads RETURNING rows and still runs them as writes', () => {
    const returning = prepare(db, 'INSERT INTO t (n) VALUES (?) RETURNING id, n');
    expect(returning.get(7)).toEqual({ id: 1, n: 7 });
    expect(returning.run(8).changes).toBe(1);
    expect(prepare(db, 'SELECT count(*) AS c FROM t').get()).toEqual({ c: 2 });
  });
});
