import type { FastifyInstance } from 'fastify';
import type { LineStatus } from '../domain/line.js';

/**
 * What `/readyz` reports: whether the database answers and has this build's migrations, whether
 * the lines' providers have loaded, whether the process is shutting down, and how the lines'
 * providers are doing.
 */
export interface Readiness {
  database: 'ok' | 'unreachable';
  /** `pending`: the database lacks a migration this build ships; `unknown` while it does not answer. */
  migrations: 'ok' | 'pending' | 'unknown';
  /** `loading` until the providers' first load; `not_run` in a process that does not deliver (`api` role). */
  providers: 'loaded' | 'loading' | 'not_run';
  /** Set from the start of a graceful shutdown (SIGTERM): load balancers should stop sending. */
  shutting_down: boolean;
  /** Lines per health status, as their providers last reported (no numbers: the route is public). */
  lines: Record<Lowercase<LineStatus>, number>;
}

/** Why a process is not ready, in the order they are checked; empty when it is ready. */
export type NotReadyReason = 'shutting_down' | 'database_unreachable' | 'migrations_pending' | 'providers_loading';

export function notReadyReasons(r: Readiness): NotReadyReason[] {
  const reasons: NotReadyReason[] = [];
  if (r.shutting_down) reasons.push('shutting_down');
  if (r.database !== 'ok') reasons.push('database_unreachable');
  if (r.migrations === 'pending') reasons.push('migrations_pending');
  if (r.providers === 'loading') reasons.push('providers_loading');
  return reasons;
}

/**
 * `GET /readyz` for orchestrators and load balancers: 200 when ready, 503 with `reasons` when not.
 * Lines whose network is down do not make the process unready (it still accepts and queues their
 * sends); they show in `lines` and in `GET /api/v2/lines/state`.
 */
export function registerReadiness(app: FastifyInstance, check: () => Promise<Readiness>): void {
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const readiness = await check();
    const reasons = notReadyReasons(readiness);
    const ready = reasons.length === 0;
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'not_ready', ...(ready ? {} : { reasons }), ...readiness });
  });
}

/** Counts line health records by status. */
export function countLines(statuses: readonly LineStatus[], total: number): Readiness['lines'] {
  const lines = { online: 0, degraded: 0, offline: 0, unknown: 0 };
  for (const s of statuses) lines[s.toLowerCase() as Lowercase<LineStatus>]++;
  lines.unknown += Math.max(0, total - statuses.length);
  return lines;
}

/** The database a process runs on, as `/version` reports it. */
export interface DatabaseInfo {
  database: 'sqlite' | 'postgresql';
  /** The server's (PostgreSQL) or library's (SQLite) version; null when it could not be read. */
  database_version: string | null;
}

/** `GET /version`: which Tapback, Node.js and database answer, for support requests and deploy checks. */
export function versionInfo(
  version: string,
  database?: DatabaseInfo,
): { version: string; node: string } & Partial<DatabaseInfo> {
  return { version, node: process.version, ...database };
}
