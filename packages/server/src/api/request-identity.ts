import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { RequestIdentity } from '../messaging/request-identity.js';

/**
 * A send-like request's identity (messaging/request-identity.ts): its `Idempotency-Key` header, or
 * else the digest of its method, path and canonical body, marked a retry when the official SDK's
 * `X-Stainless-Retry-Count` header is 1 or more. The canonical body is the validated body with
 * object keys sorted, so JSON and form encodings of the same fields, in any order, are the same.
 */
export function requestIdentity(request: FastifyRequest): RequestIdentity {
  const key = request.headers['idempotency-key'];
  if (typeof key === 'string') return { kind: 'key', key };
  const path = request.url.split('?', 1)[0] ?? '';
  const digest = createHash('sha256')
    .update(JSON.stringify([request.method, path, canonical(request.body)]))
    .digest('hex');
  const retries = Number(request.headers['x-stainless-retry-count']);
  return { kind: 'digest', digest, retry: Number.isInteger(retries) && retries >= 1 };
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) sorted[k] = canonical((value as Record<string, unknown>)[k]);
  return sorted;
}
