import pg from 'pg';
import { DummyDriver, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import { postgresValues } from '../queries/dialect-values.js';
import { type PlanOf, QB, type Step, type StepResult } from '../queries/query-plan.js';
import { type Db, inTransaction } from './postgres-connection.js';

/** Builds and compiles PostgreSQL's SQL; it has no connection (queries run through `runPlan`). */
export const postgresQB = new QB(
  {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
  postgresValues,
);

/**
 * Runs a query plan (queries/query-plan.ts) on `db`: the pool (each statement autocommitted) or
 * the client of a transaction, whose work the plan then joins.
 */
export async function runPlan<A extends unknown[], T>(db: Db, plan: PlanOf<A, T>, ...args: A): Promise<T> {
  const steps = plan(postgresQB, ...args);
  let next = steps.next();
  while (next.done !== true) {
    let result: StepResult;
    try {
      result = await execute(db, next.value);
    } catch (error) {
      next = steps.throw(error);
      continue;
    }
    next = steps.next(result);
  }
  return next.value;
}

async function execute(db: Db, step: Step): Promise<StepResult> {
  if (step.kind === 'lock') {
    // Held until the transaction ends; on the pool it would be released at once, protecting nothing.
    if (db instanceof pg.Pool) throw new Error(`lock ${step.key} taken outside a transaction`);
    await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [step.key]);
    return { rows: [], changes: 0 };
  }
  const r = await db.query(step.query.sql, [...step.query.parameters]);
  return { rows: r.rows, changes: r.rowCount ?? 0 };
}

/** The store's runner: plans on its pool, alone or in a transaction of their own. */
export class PostgresPlanRunner {
  constructor(private readonly pool: pg.Pool) {}

  run<A extends unknown[], T>(plan: PlanOf<A, T>, ...args: A): Promise<T> {
    return runPlan(this.pool, plan, ...args);
  }

  /** In a READ COMMITTED transaction (postgres-pool.ts), rolled back if the plan fails. */
  transaction<A extends unknown[], T>(plan: PlanOf<A, T>, ...args: A): Promise<T> {
    return inTransaction(this.pool, (client) => runPlan(client, plan, ...args));
  }
}
