import { type Compilable, type CompiledQuery, type Dialect, type InferResult, Kysely } from 'kysely';
import { type DialectValues, holdsNul } from './dialect-values.js';
import type { TapbackSchema } from './schema.js';

/**
 * Storage code written once for both backends is a plan: a generator that yields each query it
 * needs, compiled, and is handed back the query's rows. A runner per dialect executes the steps:
 * SQLite's synchronously on the store's connection, so a plan also runs inside a group-commit
 * transaction (better-sqlite3 transactions cannot await); PostgreSQL's with `await`, on the pool or
 * on a transaction's client.
 *
 * Plans build queries with `QB`, a Kysely instance whose driver is Kysely's DummyDriver: Kysely
 * only builds and compiles here (so row types are inferred from the schema), it never connects.
 */
export class QB extends Kysely<TapbackSchema> {
  constructor(
    dialect: Dialect,
    /** What the plans must say differently to this dialect (dialect-values.ts). */
    readonly dialectValues: DialectValues,
  ) {
    super({ dialect });
  }
}

export type Step =
  /** A query whose rows the plan reads (a select, or a write with RETURNING). */
  | { readonly kind: 'read'; readonly query: CompiledQuery }
  /** A write; the plan reads how many rows it changed. */
  | { readonly kind: 'write'; readonly query: CompiledQuery }
  /**
   * Serialises transactions that take the same key, until they end. PostgreSQL takes an advisory
   * lock; SQLite's runner has nothing to do, its transactions are IMMEDIATE (one writer at a time).
   */
  | { readonly kind: 'lock'; readonly key: string };

export interface StepResult {
  readonly rows: readonly unknown[];
  readonly changes: number;
}

export type Plan<T> = Generator<Step, T, StepResult>;

/** A plan with its arguments still to be given, as the runners take it. */
export type PlanOf<A extends unknown[], T> = (q: QB, ...args: A) => Plan<T>;

/** The type of one row of `query`, for the functions that map rows to entities. */
export type RowOf<Q extends Compilable<unknown>> = InferResult<Q>[number];

/** Every row of `query`, typed as Kysely infers it. */
export function* all<Q extends Compilable<unknown>>(query: Q): Plan<InferResult<Q>> {
  const compiled = query.compile();
  const rows = matchesNothing(compiled) ? [] : (yield { kind: 'read', query: compiled }).rows;
  return rows as InferResult<Q>;
}

/** The first row of `query`, if any. */
export function* first<Q extends Compilable<unknown>>(query: Q): Plan<InferResult<Q>[number] | undefined> {
  return (yield* all(query))[0];
}

/** The first row of a query that always returns one (an insert's RETURNING, an aggregate). */
export function* only<Q extends Compilable<unknown>>(query: Q): Plan<InferResult<Q>[number]> {
  const row = yield* first(query);
  if (row === undefined) throw new Error('query returned no row');
  return row;
}

/** Runs a write; returns how many rows it changed. */
export function* run(query: Compilable<unknown>): Plan<number> {
  const compiled = query.compile();
  if (matchesNothing(compiled)) return 0;
  const { changes } = yield { kind: 'write', query: compiled };
  return changes;
}

/**
 * A query whose SQL does not depend on its arguments (they are only bound as parameters), built
 * and compiled once per dialect and re-bound on each call. For the queries SQLite runs inside
 * every accepting or status-changing transaction: building and compiling with Kysely costs ~5 µs
 * a query there, ten times the statement itself. `build` is first called with placeholders, so an
 * argument must only ever be used as a value; one that is not is an error at first use.
 */
export function template<A extends unknown[], O>(
  build: (q: QB, ...args: A) => Compilable<O>,
): (q: QB, ...args: A) => Compilable<O> {
  const compiled = new WeakMap<QB, { query: CompiledQuery<O>; slots: (number | undefined)[] }>();
  const compile = (q: QB, args: A): CompiledQuery<O> => {
    let t = compiled.get(q);
    if (t === undefined) {
      const placeholders = args.map((_, i) => new Placeholder(i)) as A;
      const query = build(q, ...placeholders).compile();
      const slots = query.parameters.map((p) => (p instanceof Placeholder ? p.index : undefined));
      if (placeholders.some((_, i) => !slots.includes(i)))
        throw new Error('template argument used other than as a value');
      t = { query, slots };
      compiled.set(q, t);
    }
    const { query, slots } = t;
    const parameters = query.parameters.map((p, i) => {
      const slot = slots[i];
      return slot === undefined ? p : args[slot];
    });
    return { ...query, parameters };
  };
  return (q, ...args) => ({ compile: () => compile(q, args) });
}

class Placeholder {
  constructor(readonly index: number) {}
}

/** Inside a transaction: see the `lock` step. */
export function* lock(key: string): Plan<void> {
  yield { kind: 'lock', key };
}

/**
 * A read with a parameter holding U+0000 matches nothing, on both backends, without asking the
 * database (PostgreSQL would fail on it). A write with one is refused on both: SQLite could store
 * it, but PostgreSQL cannot, and a SQLite file must stay movable to PostgreSQL. Plans whose writes
 * only filter by a caller's string (no row can match) check `holdsNul` themselves first.
 */
function matchesNothing(compiled: CompiledQuery): boolean {
  if (!compiled.parameters.some(holdsNul)) return false;
  if (compiled.query.kind === 'SelectQueryNode') return true;
  throw new Error('text containing U+0000 cannot be stored');
}
