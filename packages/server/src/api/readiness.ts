import type { FastifyInstance } from 'fastify';
import type { LineStatus } from '../domain/line.js';

/** What `/readyz` reports: whether the database answers, and how the lines' providers are doing. */
export interface Readiness {
  database: 'ok' | 'unreachable';
  /** Lines per health status, as their providers last reported (no numbers: the route is public). */
  lines: Record<Lowercase<LineStatus>, number>;
}

/**
 * `GET /readyz` for orchestrators and load balancers: 200 while the database answers, 503 when it
 * does not. Lines whose network is down do not make the process unready (it still accepts and
 * queues their sends); they show in `lines` and in `GET /api/v2/lines/state`.
 */
export function registerReadiness(app: FastifyInstance, check: () => Promise<Readiness>): void {
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const readiness = await check();
    const ready = readiness.database === 'ok';
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', ...readiness });
  });
}

/** Counts line health records by status. */
export function countLines(statuses: readonly LineStatus[], total: number): Readiness['lines'] {
  const lines = { online: 0, degraded: 0, offline: 0, unknown: 0 };
  for (const s of statuses) lines[s.toLowerCase() as Lowercase<LineStatus>]++;
  lines.unknown += Math.max(0, total - statuses.length);
  return lines;
}

/** `GET /version`: which Tapback (and Node.js) answers, for support requests and deploy checks. */
export function versionInfo(version: string): { version: string; node: string } {
  return { version, node: process.version };
}
