import type Database from 'better-sqlite3';
import type { ApiKeyWithDigest, Line } from '../../domain/account.js';
import type { AuthTokenGrant } from '../../domain/auth-token.js';
import { findApiKey } from '../queries/account-queries.js';
import { findLine } from '../queries/line-queries.js';
import { findAuthToken } from '../queries/token-queries.js';
import { LookupCache } from './lookup-cache.js';
import type { SqlitePlanRunner } from './sqlite-plan-runner.js';

/**
 * The lookups every request makes (its API key or bearer token, its line), on SQLite: cached while
 * the file has not changed (lookup-cache.ts), read by the same plans as on PostgreSQL on a miss. A
 * token revoked by another process changes `data_version`, so it is refused from the next turn on.
 */
export class SqliteLookups {
  private readonly keys: LookupCache<ApiKeyWithDigest>;
  private readonly lines: LookupCache<Line>;
  /** By the token's digest. */
  private readonly tokens: LookupCache<AuthTokenGrant>;

  constructor(
    db: Database.Database,
    private readonly plans: SqlitePlanRunner,
  ) {
    this.keys = new LookupCache(db.prepare('PRAGMA data_version').pluck());
    this.lines = new LookupCache(db.prepare('PRAGMA data_version').pluck());
    this.tokens = new LookupCache(db.prepare('PRAGMA data_version').pluck());
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

  async findAuthToken(digest: string): Promise<AuthTokenGrant | undefined> {
    return this.tokens.get(digest, () => {
      const grant = this.plans.run(findAuthToken, digest);
      return grant && Object.freeze(grant);
    });
  }

  /** After every write to accounts, api_keys, auth_tokens or lines through this connection. */
  clear(): void {
    this.keys.clear();
    this.lines.clear();
    this.tokens.clear();
  }
}
