import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { createKeyPair } from '../../src/accounts/credentials.js';
import { newHandle } from '../../src/domain/ids.js';
import type { Message } from '../../src/domain/message.js';
import type { NewMessage } from '../../src/domain/message.js';
import { MESSAGE_DRAFT_DEFAULTS } from '../../src/domain/message-fields.js';
import type { TestServer } from './test-server.js';

/** The documentation's example recipient; the sandbox delivers it (QUEUED -> SENT -> DELIVERED). */
export const CONTACT = '+19998887777';

/** An account with its own key pair and line, for tenancy and per-account tests. */
export interface Tenant {
  accountId: number;
  email: string;
  line: string;
  keyId: string;
  auth: Record<string, string>;
}

export async function addTenant(server: TestServer, email: string, line: string): Promise<Tenant> {
  const store = server.server.store;
  const account = await store.createAccount({ email, now: Date.now() });
  const pair = await createKeyPair(store, account.id, Date.now());
  await store.addLine({ accountId: account.id, number: line, provider: 'sandbox', now: Date.now() });
  return {
    accountId: account.id,
    email,
    line,
    keyId: pair.key.keyId,
    auth: { 'sb-api-key-id': pair.key.keyId, 'sb-api-secret-key': pair.secret },
  };
}

/** The bootstrap account of a test server, in the same shape as `addTenant`'s result. */
export async function bootstrapTenant(server: TestServer): Promise<Tenant> {
  const key = await server.server.store.findApiKey(server.auth['sb-api-key-id'] ?? '');
  if (key === undefined) throw new Error('the test server has no bootstrap key');
  return {
    accountId: key.accountId,
    email: key.accountEmail,
    line: server.line,
    keyId: key.keyId,
    auth: server.auth,
  };
}

export function inject(server: TestServer, options: InjectOptions): Promise<LightMyRequestResponse> {
  return server.server.app.inject(options);
}

/** POST /api/send-message with a JSON body (or any payload and content type given in `options`). */
export function send(
  server: TestServer,
  auth: Record<string, string>,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  const raw = typeof body === 'string' || Buffer.isBuffer(body);
  return inject(server, {
    method: 'POST',
    url: '/api/send-message',
    headers: { ...(raw ? {} : { 'content-type': 'application/json' }), ...auth, ...headers },
    payload: raw ? body : JSON.stringify(body),
  });
}

export function get(server: TestServer, auth: Record<string, string>, url: string): Promise<LightMyRequestResponse> {
  return inject(server, { method: 'GET', url, headers: auth });
}

/** `pagination.total` of the caller's unfiltered message list. */
export async function messageCount(server: TestServer, auth: Record<string, string>): Promise<number> {
  const res = await get(server, auth, '/api/v2/messages?limit=1');
  expect(res.statusCode).toBe(200);
  return (res.json() as { pagination: { total: number } }).pagination.total;
}

/** Moves a `TAPBACK_CLOCK=manual` server's clock, running everything that falls due. */
export async function advanceClock(server: TestServer, ms: number): Promise<void> {
  const res = await inject(server, {
    method: 'POST',
    url: '/sandbox/clock/advance',
    headers: { ...server.auth, 'content-type': 'application/json' },
    payload: JSON.stringify({ ms }),
  });
  expect(res.statusCode).toBe(200);
}

export interface ErrorResponseBody {
  status: 'ERROR';
  message: string;
  code: string;
  error_code: number | null;
  error_message: string;
  details?: { field: string; message: string }[];
}

/**
 * Asserts the shape every API error shares (Sendblue's error body plus Tapback's `code`): JSON with
 * `status`, `message`, `code`, `error_code` and `error_message`.
 */
export function expectError(res: LightMyRequestResponse, status: number, code?: string): ErrorResponseBody {
  expect(res.statusCode, res.body.slice(0, 300)).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json() as ErrorResponseBody;
  expect(body.status).toBe('ERROR');
  expect(typeof body.message).toBe('string');
  expect(body.message.length).toBeGreaterThan(0);
  expect(body.error_message).toBe(body.message);
  expect(body.code).toMatch(/^[a-z][a-z_]*$/);
  expect(body.error_code === null || Number.isInteger(body.error_code)).toBe(true);
  if (code !== undefined) expect(body.code).toBe(code);
  return body;
}

/**
 * Stores a message directly, bypassing the API, for list and tenancy fixtures that need rows the
 * API cannot create (inbound, group, final statuses at chosen times). Statuses other than QUEUED
 * get no delivery job, so the worker leaves them alone.
 */
export async function seedMessage(
  server: TestServer,
  owner: Pick<Tenant, 'accountId' | 'email'>,
  fields: Partial<NewMessage> & Pick<NewMessage, 'fromNumber' | 'toNumber'>,
): Promise<Message> {
  const at = fields.createdAt ?? Date.UTC(2026, 0, 1);
  const isOutbound = fields.isOutbound ?? true;
  const message: NewMessage = {
    ...MESSAGE_DRAFT_DEFAULTS,
    handle: newHandle(),
    accountId: owner.accountId,
    accountEmail: owner.email,
    plan: 'dedicated',
    isOutbound,
    status: isOutbound ? 'DELIVERED' : 'RECEIVED',
    content: 'seeded',
    number: isOutbound ? fields.toNumber : fields.fromNumber,
    sendblueNumber: isOutbound ? fields.fromNumber : fields.toNumber,
    createdAt: at,
    sentAt: at,
    updatedAt: at,
    ...fields,
  };
  const result = await server.server.store.acceptOutbound({ message, queueLimit: Number.MAX_SAFE_INTEGER });
  if (result.kind !== 'accepted') throw new Error(`seeding failed: ${result.kind}`);
  return result.message;
}
