import type Database from 'better-sqlite3';

/**
 * Rows read on every request (the caller's API key, the sending line), kept for as long as the
 * database has not changed under them. Two joins per send cost ~15% of the accept path's CPU;
 * one `PRAGMA data_version` costs a fraction of that.
 *
 * Exact, not time-based: `data_version` changes as soon as another connection commits (the CLI
 * revoking a key while the server runs, in another process), and this connection's own writes to
 * the cached tables call `clear()`. So a revocation is seen from the next event-loop turn on, as
 * it would be by a fresh read. Misses are not cached (unknown key ids must not grow memory), and
 * the cache is bounded.
 */
export class LookupCache<V> {
  private readonly entries = new Map<string, V>();
  private version: number | undefined;
  /**
   * The version is read once per event-loop turn: like every statement outside a transaction,
   * the pragma opens a WAL read transaction (file-lock system calls), which under load cost as
   * much as the joins it saves. Lookups of one turn thus see the database as of the turn's first.
   */
  private checkedThisTurn = false;

  constructor(
    private readonly dataVersion: Database.Statement,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string, load: (key: string) => V | undefined): V | undefined {
    if (!this.checkedThisTurn) {
      const version = this.dataVersion.get() as number;
      if (version !== this.version) {
        this.entries.clear();
        this.version = version;
      }
      this.checkedThisTurn = true;
      setImmediate(() => (this.checkedThisTurn = false));
    }
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const value = load(key);
    if (value === undefined) return undefined;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }

  /** After this connection writes to a table the cached rows come from. */
  clear(): void {
    this.entries.clear();
  }
}
