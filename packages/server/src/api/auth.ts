import type { FastifyReply, FastifyRequest } from 'fastify';
import { secretMatches } from '../accounts/credentials.js';
import { errors } from '../domain/errors.js';
import type { Caller } from '../messaging/caller.js';
import type { AccountsPort } from '../store/ports/accounts-port.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | undefined;
  }
}

/**
 * Key-pair authentication (`sb-api-key-id` + `sb-api-secret-key`). Every failure, whatever its
 * cause (missing, unknown, wrong secret, revoked), gets the same 401 body, so responses never
 * tell an attacker which part was right.
 */
export function authenticator(store: AccountsPort) {
  return async function authenticate(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const keyId = header(request, 'sb-api-key-id');
    const secret = header(request, 'sb-api-secret-key');
    if (keyId === undefined || secret === undefined || keyId.length > 128 || secret.length > 512) {
      throw errors.unauthorized();
    }
    const key = await store.findApiKey(keyId);
    // Compare even when the key is unknown, so timing does not reveal which key ids exist.
    const matches = secretMatches(secret, key?.secretDigest ?? '0'.repeat(64));
    if (key === undefined || !matches || key.revokedAt !== null) throw errors.unauthorized();
    request.caller = {
      accountId: key.accountId,
      email: key.accountEmail,
      plan: key.accountPlan,
      keyId: key.keyId,
    };
  };
}

export function callerOf(request: FastifyRequest): Caller {
  if (request.caller === undefined) throw errors.unauthorized();
  return request.caller;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  if (typeof value !== 'string' || value === '') return undefined;
  return value;
}
