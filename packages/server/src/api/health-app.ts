import Fastify, { type FastifyInstance } from 'fastify';
import { type HttpLimits, httpServerOptions } from './http-limits.js';
import { type MetricsDeps, registerMetrics } from './metrics-route.js';
import { type DatabaseInfo, type Readiness, registerReadiness, versionInfo } from './readiness.js';

/**
 * The whole HTTP surface of a `worker`-role process: `/healthz`, `/readyz`, `/version` and
 * `/metrics` for orchestrators, load balancers and Prometheus. It never accepts a send, so a
 * worker can listen on a port without becoming an API.
 */
export function buildHealthApp(
  role: string,
  version: string,
  http?: HttpLimits,
  readiness?: () => Promise<Readiness>,
  extra: { metrics?: MetricsDeps; database?: DatabaseInfo } = {},
): FastifyInstance {
  const app = Fastify({ logger: false, ...httpServerOptions(http) });
  app.get('/healthz', async () => ({ status: 'OK', role }));
  app.get('/version', async () => versionInfo(version, extra.database));
  if (readiness !== undefined) registerReadiness(app, readiness);
  if (extra.metrics !== undefined) registerMetrics(app, extra.metrics);
  return app;
}
