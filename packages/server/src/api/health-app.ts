import Fastify, { type FastifyInstance } from 'fastify';
import { type HttpLimits, httpServerOptions } from './http-limits.js';
import { type Readiness, registerReadiness, versionInfo } from './readiness.js';

/**
 * The whole HTTP surface of a `worker`-role process: `/healthz`, `/readyz` and `/version` for orchestrators and
 * load balancers. It never accepts a send, so a worker can listen on a port without becoming an API.
 */
export function buildHealthApp(
  role: string,
  version: string,
  http?: HttpLimits,
  readiness?: () => Promise<Readiness>,
): FastifyInstance {
  const app = Fastify({ logger: false, ...httpServerOptions(http) });
  app.get('/healthz', async () => ({ status: 'OK', role }));
  app.get('/version', async () => versionInfo(version));
  if (readiness !== undefined) registerReadiness(app, readiness);
  return app;
}
