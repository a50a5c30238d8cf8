import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTACT, get, inject, send } from '../../test/support/api-helpers.js';
import { SERVER_BACKENDS } from '../../test/support/backends.js';
import { type TestServer, startBackendServer, startTestServer } from '../../test/support/test-server.js';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

interface Operation {
  operationId?: string;
  parameters?: { name: string; in: string }[];
  requestBody?: {
    content: Record<string, { schema: { required?: string[]; properties?: Record<string, { format?: string }> } }>;
  };
  responses: Record<string, unknown>;
}

interface OpenApiDocument {
  openapi: string;
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, { properties: Record<string, unknown>; required?: string[] }>;
    securitySchemes: Record<string, { type: string; in: string; name: string }>;
  };
}

const WIRE_FIELDS = [
  'accountEmail',
  'account_email',
  'content',
  'is_outbound',
  'status',
  'error_code',
  'error_message',
  'error_reason',
  'error_detail',
  'message_handle',
  'date_created',
  'date_sent',
  'date_updated',
  'from_number',
  'number',
  'to_number',
  'sendblue_number',
  'was_downgraded',
  'plan',
  'media_url',
  'message_type',
  'group_id',
  'participants',
  'group_display_name',
  'send_style',
  'opted_out',
  'service',
];

const LIST_PARAMETERS = [
  'limit',
  'offset',
  'order_by',
  'order_direction',
  'status',
  'service',
  'is_outbound',
  'message_type',
  'number',
  'from_number',
  'to_number',
  'sendblue_number',
  'group_id',
  'account_email',
  'created_at_gte',
  'created_at_lte',
  'sent_at_gte',
  'sent_at_lte',
  'updated_at_gte',
  'updated_at_lte',
];

describe.each(SERVER_BACKENDS)('GET /openapi.json ($name)', (backend) => {
  let server: TestServer;
  let doc: OpenApiDocument;

  beforeAll(async () => {
    server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual' });
    const res = await inject(server, { method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = res.json() as OpenApiDocument;
  });
  afterAll(() => server.close());

  it('is an OpenAPI 3.1 document', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
  });

  it.each([
    ['post', '/api/send-message', 'messages.send'],
    ['get', '/api/v2/messages', 'messages.list'],
    ['get', '/api/v2/messages/{message_handle}', 'messages.retrieve'],
    ['get', '/api/status', 'messages.getStatus'],
  ])('describes %s %s as %s', (method, path, operationId) => {
    const operation = doc.paths[path]?.[method];
    expect(operation?.operationId).toBe(operationId);
    expect(Object.keys(operation?.responses ?? {})).toEqual(expect.arrayContaining(['200', '400', '401']));
  });

  it('defines the Message schema with every wire field, all required', () => {
    const message = doc.components.schemas.Message;
    expect(message).toBeDefined();
    expect(Object.keys(message?.properties ?? {})).toEqual(expect.arrayContaining(WIRE_FIELDS));
    expect(message?.required).toEqual(expect.arrayContaining(WIRE_FIELDS));
    expect(doc.components.schemas.Error?.required).toEqual(
      expect.arrayContaining(['status', 'message', 'code', 'error_code', 'error_message']),
    );
  });

  it('documents the send body, the list filters and the key-pair headers', () => {
    const sendBody = doc.paths['/api/send-message']?.post?.requestBody?.content['application/json']?.schema;
    expect(sendBody?.required).toEqual(expect.arrayContaining(['number', 'from_number']));
    const listParams = (doc.paths['/api/v2/messages']?.get?.parameters ?? []).map((p) => p.name);
    expect(listParams).toEqual(expect.arrayContaining(LIST_PARAMETERS));
    const headers = Object.values(doc.components.securitySchemes).map((s) => s.name);
    expect(headers).toEqual(expect.arrayContaining(['sb-api-key-id', 'sb-api-secret-key']));
  });

  it('describes the messages the four operations actually return', async () => {
    const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
    const validate = ajv.compile(doc.components.schemas.Message ?? {});
    const sent = await send(server, server.auth, { number: CONTACT, from_number: server.line, content: 'schema' });
    const handle = (sent.json() as { message_handle: string }).message_handle;
    const status = await get(server, server.auth, `/api/status?handle=${handle}`);
    const retrieved = await get(server, server.auth, `/api/v2/messages/${handle}`);
    const listed = await get(server, server.auth, '/api/v2/messages');
    const samples = [
      sent.json(),
      status.json(),
      (retrieved.json() as { data: unknown }).data,
      ...(listed.json() as { data: unknown[] }).data,
    ];
    for (const sample of samples) expect(validate(sample), JSON.stringify(validate.errors)).toBe(true);
  });
});

/** Every `$ref` anywhere in the document, to check that each names a schema the document defines. */
function refsOf(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) refsOf(item, found);
  else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') found.push(inner);
      else refsOf(inner, found);
    }
  }
  return found;
}

function contentTypes(doc: OpenApiDocument, method: string, path: string): string[] {
  return Object.keys(doc.paths[path]?.[method]?.requestBody?.content ?? {});
}

describe('the OpenAPI document’s servers, request bodies and the /docs reference', () => {
  let server: TestServer;
  let doc: OpenApiDocument;

  beforeAll(async () => {
    server = await startTestServer();
    doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as OpenApiDocument;
  });
  afterAll(() => server.close());

  it('names the server the document was fetched from', () => {
    expect(doc.servers).toEqual([{ url: server.url }]);
  });

  it('follows the Host header, and ignores X-Forwarded-* (no trusted proxy)', async () => {
    const res = await inject(server, {
      method: 'GET',
      url: '/openapi.json',
      headers: { host: 'tapback.example.test:8443', 'x-forwarded-host': 'evil.test', 'x-forwarded-proto': 'https' },
    });
    expect((res.json() as OpenApiDocument).servers).toEqual([{ url: 'http://tapback.example.test:8443' }]);
    const bracketed = await inject(server, { method: 'GET', url: '/openapi.json', headers: { host: '[::1]:4010' } });
    expect((bracketed.json() as OpenApiDocument).servers).toEqual([{ url: 'http://[::1]:4010' }]);
  });

  it('falls back to a relative server when the Host header is not a host', async () => {
    const res = await inject(server, { method: 'GET', url: '/openapi.json', headers: { host: 'a/b"><script>' } });
    expect((res.json() as OpenApiDocument).servers).toEqual([{ url: '/' }]);
  });

  it('documents form-encoded bodies where a form can carry the required fields, and JSON everywhere', () => {
    expect(contentTypes(doc, 'post', '/api/send-message')).toEqual([
      'application/json',
      'application/x-www-form-urlencoded',
    ]);
    // `ms` is a number and `webhooks` a list: bodies are never coerced, so a form cannot carry them.
    expect(contentTypes(doc, 'post', '/sandbox/clock/advance')).toEqual(['application/json']);
    expect(contentTypes(doc, 'post', '/api/account/webhooks')).toEqual(['application/json']);
    const bodies = Object.values(doc.paths).flatMap((item) =>
      Object.values(item).filter((operation) => operation.requestBody !== undefined),
    );
    expect(bodies.length).toBeGreaterThan(20);
    for (const operation of bodies)
      expect(Object.keys(operation.requestBody?.content ?? {})).toContain('application/json');
  });

  it('documents the group photo’s multipart body with its file part', () => {
    expect(contentTypes(doc, 'post', '/api/v2/groups/{group_id}/photo')).toEqual([
      'application/json',
      'multipart/form-data',
      'application/x-www-form-urlencoded',
    ]);
    const content = doc.paths['/api/v2/groups/{group_id}/photo']?.post?.requestBody?.content;
    expect(content?.['multipart/form-data']?.schema.properties?.file).toEqual({ type: 'string', format: 'binary' });
    expect(content?.['multipart/form-data']?.schema.required).toContain('file');
    expect(content?.['application/json']?.schema.properties?.file).toBeUndefined();
  });

  it('is internally consistent: every $ref resolves and every component schema compiles', () => {
    const refs = [...new Set(refsOf(doc))];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas[ref.slice('#/components/schemas/'.length)], ref).toBeDefined();
    }
    const ajv = addFormats(new Ajv({ strict: false }));
    for (const [name, schema] of Object.entries(doc.components.schemas))
      ajv.addSchema(schema, `#/components/schemas/${name}`);
    for (const [name, schema] of Object.entries(doc.components.schemas))
      expect(() => ajv.compile(schema), name).not.toThrow();
  });

  it('serves the browsable reference at /docs without credentials, from the same document', async () => {
    const page = await fetch(`${server.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('swagger-ui');
    for (const [asset, type] of [
      ['/docs/static/swagger-ui-bundle.js', /javascript/],
      ['/docs/static/swagger-ui.css', /^text\/css/],
      ['/docs/static/swagger-initializer.js', /javascript/],
    ] as const) {
      const res = await fetch(`${server.url}${asset}`);
      expect(res.status, asset).toBe(200);
      expect(res.headers.get('content-type'), asset).toMatch(type);
      expect((await res.arrayBuffer()).byteLength, asset).toBeGreaterThan(1000);
    }
    const shown = (await (await fetch(`${server.url}/docs/json`)).json()) as OpenApiDocument;
    expect(shown.servers).toEqual([{ url: server.url }]);
    expect(shown.paths).toEqual(doc.paths);
    expect(shown.components.securitySchemes).toEqual(doc.components.securitySchemes);
  });

  it('leaves the reference’s own routes out of the document', () => {
    expect(Object.keys(doc.paths).filter((path) => path.startsWith('/docs') || path === '/openapi.json')).toEqual([]);
  });
});
