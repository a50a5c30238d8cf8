import type { ApiKeyWithDigest, Line } from '../../domain/account.js';
import type { AuthTokenGrant } from '../../domain/auth-token.js';
import { Batcher, type Settled } from '../../lib/batcher.js';
import { findApiKeys } from '../queries/account-queries.js';
import { findLines } from '../queries/line-queries.js';
import { findAuthTokens } from '../queries/token-queries.js';
import type { PostgresPlanRunner } from './postgres-plan-runner.js';

/**
 * The lookups every request makes (its API key or bearer token, its line), on PostgreSQL: batched,
 * so the lookups of one event-loop turn cost one round trip (each round trip costs the process far
 * more than the query costs the server). Still read per request, never cached: a revoked key or
 * token stops at once, in every process.
 */
export class PostgresLookups {
  private readonly keys: Batcher<string, ApiKeyWithDigest | undefined>;
  private readonly lines: Batcher<string, Line | undefined>;
  private readonly tokens: Batcher<string, AuthTokenGrant | undefined>;

  constructor(plans: PostgresPlanRunner) {
    this.keys = new Batcher(async (ids) => settleByKey(ids, await plans.run(findApiKeys, ids), (k) => k.keyId));
    this.lines = new Batcher(async (numbers) =>
      settleByKey(numbers, await plans.run(findLines, numbers), (l) => l.number),
    );
    this.tokens = new Batcher(async (digests) => {
      const found = await plans.run(findAuthTokens, digests);
      const byDigest = new Map(found.map((f) => [f.digest, Object.freeze(f.grant)]));
      return digests.map((d) => ({ ok: true as const, value: byDigest.get(d) }));
    });
  }

  findApiKey(keyId: string): Promise<ApiKeyWithDigest | undefined> {
    return this.keys.submit(keyId);
  }

  findLine(number: string): Promise<Line | undefined> {
    return this.lines.submit(number);
  }

  findAuthToken(digest: string): Promise<AuthTokenGrant | undefined> {
    return this.tokens.submit(digest);
  }
}

/** Each key's row, or undefined; identical lookups of one batch share one frozen object, as SQLite's cache does. */
function settleByKey<V>(keys: string[], found: V[], keyOf: (value: V) => string): Settled<V | undefined>[] {
  const byKey = new Map(found.map((v) => [keyOf(v), Object.freeze(v)]));
  return keys.map((k) => ({ ok: true, value: byKey.get(k) }));
}
