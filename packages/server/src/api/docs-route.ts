import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { withServers } from './openapi-document.js';

export const DOCS_PREFIX = '/docs';

/**
 * The browsable API reference at `/docs` (Swagger UI), rendered from the same document as
 * `/openapi.json`, with the same `servers`: "Try it out" calls the server the page was loaded from,
 * authenticated by the `sb-api-key-id` and `sb-api-secret-key` entered under "Authorize". The page
 * and its assets are public, like `/openapi.json`: they describe the API, and hold no data.
 */
export async function registerDocsRoute(app: FastifyInstance): Promise<void> {
  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    uiConfig: { deepLinking: true, displayOperationId: true, docExpansion: 'list', defaultModelsExpandDepth: 0 },
    transformSpecification: (document, request) => withServers(document, request),
    // The document is cloned before the transform by default; withServers copies what it changes.
    transformSpecificationClone: false,
  });
}
