import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTACT, get, inject, send } from '../../test/support/api-helpers.js';
import { SERVER_BACKENDS } from '../../test/support/backends.js';
import { type TestServer, startBackendServer } from '../../test/support/test-server.js';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

interface Operation {
  operationId?: string;
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: { required?: string[] } }> };
  responses: Record<string, unknown>;
}

interface OpenApiDocument {
  openapi: string;
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
