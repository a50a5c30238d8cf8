import type Database from 'better-sqlite3';
import { DummyDriver, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely';
import { sqliteValues } from '../queries/dialect-values.js';
import { type PlanOf, QB, type Step, type StepResult } from '../queries/query-plan.js';
import type { Stmt } from './prepared.js';

/** Builds and compiles SQLite's SQL; it has no connection (queries run through `SqlitePlanRunner`). */
export const sqliteQB = new QB(
  {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
  sqliteValues,
);

const NO_ROWS: StepResult = { rows: [], changes: 0 };

/**
 * Runs query plans (queries/query-plan.ts) synchronously on the store's connection, through its
 * prepared-statement cache: a plan run inside a transaction (the group commit's included) is part
 * of it, and sees exactly what it has written.
 */
export class SqlitePlanRunner {
  constructor(
    private readonly db: Database.Database,
    private readonly stmt: Stmt,
  ) {}

  run<A extends unknown[], T>(plan: PlanOf<A, T>, ...args: A): T {
    const steps = plan(sqliteQB, ...args);
    let next = steps.next();
    while (next.done !== true) {
      let result: StepResult;
      try {
        result = this.execute(next.value);
      } catch (error) {
        next = steps.throw(error);
        continue;
      }
      next = steps.next(result);
    }
    return next.value;
  }

  /** In an IMMEDIATE transaction of its own (a savepoint when one is already open). */
  transaction<A extends unknown[], T>(plan: PlanOf<A, T>, ...args: A): T {
    return this.db.transaction(() => this.run(plan, ...args)).immediate();
  }

  private execute(step: Step): StepResult {
    if (step.kind === 'lock') {
      // One writer at a time: an open (IMMEDIATE) transaction already excludes every other.
      if (!this.db.inTransaction) throw new Error(`lock ${step.key} taken outside a transaction`);
      return NO_ROWS;
    }
    const statement = this.stmt(step.query.sql);
    const params = step.query.parameters.map(bindable);
    if (step.kind === 'read') return { rows: statement.all(...params), changes: 0 };
    return { rows: [], changes: statement.run(...params).changes };
  }
}

/** better-sqlite3 binds no booleans; SQLite stores them as 0/1 (schema.ts, `Flag`). */
function bindable(value: unknown): unknown {
  return typeof value === 'boolean' ? Number(value) : value;
}
