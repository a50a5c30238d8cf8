import pg from 'pg';

/** Anything that runs a query: the pool (one statement, autocommitted) or a client in a transaction. */
export interface Db {
  query<R extends pg.QueryResultRow>(
    text: string | pg.QueryConfig<unknown[]>,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

const INT8 = 20;

/**
 * The pool every PostgreSQL store uses. Its own type parsers (not the global ones, which other
 * code may rely on) read bigint as a JavaScript number: ids and epoch milliseconds stay far
 * below 2^53. Every session runs with `synchronous_commit = on`, whatever the server's default,
 * so an acknowledged send is on disk before the API answers.
 */
export function createPool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: withSessionSettings(connectionString),
    max,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection that breaks (server restart, network) is dropped by the pool; without a
  // listener the error would crash the process.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Adds `-c synchronous_commit=on` to the URL's `options` (startup parameters), after whatever
 * the URL already sets: it applies from the first statement of every session, at no extra cost.
 */
function withSessionSettings(connectionString: string): string {
  const url = new URL(connectionString);
  const options = url.searchParams.get('options');
  url.searchParams.set('options', `${options ?? ''} -c synchronous_commit=on`.trim());
  return url.toString();
}

/**
 * Runs `fn` in a transaction on one connection (READ COMMITTED unless `mode` says otherwise, e.g.
 * `REPEATABLE READ, READ ONLY`); rolls back if it throws.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  mode?: string,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(mode === undefined ? 'BEGIN' : `BEGIN TRANSACTION ISOLATION LEVEL ${mode}`);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
