import swagger, { type SwaggerTransform, type SwaggerTransformObject } from '@fastify/swagger';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export const FORM_URLENCODED = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const MULTIPART = 'multipart/form-data';

/**
 * The file part of each multipart route, by operationId: the route's body schema describes the
 * text fields only (the file never reaches the validator), so the document adds the file.
 */
const MULTIPART_FILES: Readonly<Record<string, string>> = {
  'v2.groups.setPhoto': 'file',
  'media.uploadFile': 'file',
};

/**
 * Registers `@fastify/swagger`, which builds the OpenAPI 3.1 document from the route schemas, and
 * `GET /openapi.json`, which serves it with `servers` naming the host it was asked for.
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tapback',
        version,
        description:
          'Self-hosted messaging server, wire-compatible with the Sendblue Messages API. ' +
          'Authenticate with the `sb-api-key-id` and `sb-api-secret-key` headers (or `Authorization: Bearer` ' +
          'with a token from `POST /v3/auth/tokens`).',
      },
      components: {
        securitySchemes: {
          apiKeyId: { type: 'apiKey', in: 'header', name: 'sb-api-key-id' },
          apiSecretKey: { type: 'apiKey', in: 'header', name: 'sb-api-secret-key' },
        },
      },
      security: [{ apiKeyId: [], apiSecretKey: [] }],
    },
    transform: formBodies,
    transformObject: multipartFiles,
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async (request) => withServers(app.swagger(), request));
}

/**
 * The document as one request should see it: `servers` is the scheme and `Host` header the request
 * came with, so "Try it out" and generated clients call the server the document was read from,
 * whatever name or port it is reached by. `X-Forwarded-*` headers are not read (Tapback configures
 * no trusted proxy, and Fastify's `request.host` and `request.protocol` ignore them without one):
 * a proxy in front should pass the original `Host` through. Without a usable `Host`, the server is
 * `/`, which OpenAPI resolves against the document's own URL.
 */
export function withServers<T extends object>(
  document: T,
  request: FastifyRequest,
): T & { servers: { url: string }[] } {
  return { ...document, servers: [{ url: serverUrl(request) }] };
}

/** A host name, IPv4 or bracketed IPv6 address, and an optional port: nothing that could break out of a URL. */
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export function serverUrl(request: FastifyRequest): string {
  const host = request.host;
  return HOST.test(host) ? `${request.protocol}://${host}` : '/';
}

/**
 * Every body is accepted as JSON, and as `application/x-www-form-urlencoded` (`api/form-body.ts`)
 * when a form can satisfy it: form values are text and bodies are never coerced, so only a body
 * whose required fields all accept a string can be sent as a form. Multipart routes keep the
 * content types they declare, plus those two.
 */
const formBodies: SwaggerTransform = ({ schema, url }) => {
  const body = (schema as { body?: unknown } | undefined)?.body;
  if (schema === undefined || body === undefined || !formCanCarry(body)) return { schema, url };
  const declared = (schema as { consumes?: string[] }).consumes ?? [JSON_TYPE];
  const consumes = [...new Set([JSON_TYPE, ...declared, FORM_URLENCODED])];
  return { schema: { ...schema, consumes } as typeof schema, url };
};

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
}

function formCanCarry(body: unknown): boolean {
  const schema = body as JsonSchema;
  if (schema.type !== 'object') return false;
  return (schema.required ?? []).every((name) => acceptsString(schema.properties?.[name] ?? {}));
}

function acceptsString(schema: JsonSchema): boolean {
  if (typeof schema.const === 'string') return true;
  if (schema.enum !== undefined) return schema.enum.some((value) => typeof value === 'string');
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives !== undefined) return alternatives.some(acceptsString);
  if (schema.type === undefined) return schema.const === undefined;
  return Array.isArray(schema.type) ? schema.type.includes('string') : schema.type === 'string';
}

type Operation = { operationId?: string; requestBody?: { content?: Record<string, { schema?: JsonSchema }> } };

/** Adds the file part to the multipart body of the routes that take one (see MULTIPART_FILES). */
const multipartFiles: SwaggerTransformObject = (documentObject) => {
  const document = 'openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject;
  const paths = (document.paths ?? {}) as Record<string, Record<string, Operation>>;
  for (const operation of Object.values(paths).flatMap((item) => Object.values(item))) {
    const file = MULTIPART_FILES[operation.operationId ?? ''];
    const content = operation.requestBody?.content;
    const media = content?.[MULTIPART];
    if (file === undefined || content === undefined || media === undefined) continue;
    // @fastify/swagger shares one media object between the content types: replace, never mutate.
    const schema = media.schema ?? {};
    content[MULTIPART] = {
      ...media,
      schema: {
        ...schema,
        properties: { ...schema.properties, [file]: { type: 'string', format: 'binary' } as JsonSchema },
        required: [...(schema.required ?? []), file],
      },
    };
  }
  return document;
};
