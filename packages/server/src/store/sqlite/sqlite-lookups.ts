import type Database from 'better-sqlite3';
import type { ApiKeyWithDigest, Line } from '../../domain/account.js';
import { findApiKey } from '../queries/account-queries.js';
import { findLine } from '../queries/line-queries.js';
import { LookupCache } from './lookup-cache.js';
import type { SqlitePlanRunner } from './sqlite-plan-runner.js';

/**
 * The lookups every request makes (its API key, its line), on SQLite: cached while the file has
 * not changed (lookup-cache.ts), read by the same plans as on PostgreSQL on a miss.
 */
export class SqliteLookups {
  private readonly keys: LookupCache<ApiKeyWithDigest>;
  private readonly lines: LookupCache<Line>;

  constructor(
    db: Database.Database,
    private readonly plans: SqlitePlanRunner,
  ) {
    this.keys = new LookupCache(db.prepare('PRAGMA data_version').pluck());
    this.lines = new LookupCache(db.prepare('PRAGMA data_version').pluck());
  }

  async findApiKey(keyId: string): Promise<ApiKeyWithDigest | undefined> {
    return this.keys.get(keyId, () => {
      const key = this.plans.run(findApiKey, keyId);
      return key && Object.freeze(key);
    });
  }

  async findLine(number: string): Promise<Line | undefined> {
    return this.lines.get(number, () => {
      const line = this.plans.run(findLine, number);
      return line && Object.freeze(line);
    });
  }

  /** After every write to accounts, api_keys or lines through this connection. */
  clear(): void {
    this.keys.clear();
    this.lines.clear();
  }
}
