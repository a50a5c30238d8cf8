import type { FastifyReply, FastifyRequest } from 'fastify';
import { digestSecret, secretMatches } from '../accounts/credentials.js';
import { tokenIsLive } from '../domain/auth-token.js';
import { AppError, errors } from '../domain/errors.js';
import type { Caller } from '../messaging/caller.js';
import type { AccountsPort } from '../store/ports/accounts-port.js';
import type { TokensPort } from '../store/ports/tokens-port.js';
import type { AuthFailureThrottle } from './auth-failure-throttle.js';
import { type SessionAuth, sessionCaller, sessionCookieOf } from './session-auth.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | undefined;
  }
}

const BEARER = /^Bearer +([\x21-\x7e]{1,512}) *$/i;

/**
 * Authentication: a key pair (`sb-api-key-id` + `sb-api-secret-key`), or a temporary token
 * (`Authorization: Bearer <token>`, minted with POST /v3/auth/tokens). A request carrying either
 * key-pair header is judged by the key pair alone. Every failure, whatever its cause (missing,
 * unknown, wrong secret, revoked, expired), gets the same 401 body, so responses never tell an
 * attacker which part was right. A request with neither may be authenticated by the web inbox's
 * session cookie (`sessions`), under the CSRF rules of session-auth.ts.
 */
export function authenticator(
  store: Pick<AccountsPort, 'findApiKey'> & Pick<TokensPort, 'findAuthToken'>,
  now: () => number = Date.now,
  /** Turns an address's failures past its limit into 429s (auth-failure-throttle.ts). */
  throttle?: AuthFailureThrottle,
  sessions?: SessionAuth,
) {
  const identify = identifier(store, now, sessions);
  return async function authenticate(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    try {
      await identify(request);
    } catch (error) {
      const unauthorized = error instanceof AppError && error.code === 'unauthorized';
      const wait = unauthorized ? throttle?.refuse(request.ip) : undefined;
      if (wait !== undefined) throw errors.tooManyAuthFailures(throttle!.limit, wait);
      throw error;
    }
  };
}

function identifier(
  store: Pick<AccountsPort, 'findApiKey'> & Pick<TokensPort, 'findAuthToken'>,
  now: () => number,
  sessions: SessionAuth | undefined,
) {
  return async function identify(request: FastifyRequest): Promise<void> {
    const keyId = header(request, 'sb-api-key-id');
    const secret = header(request, 'sb-api-secret-key');
    if (keyId === undefined && secret === undefined) {
      const authorization = header(request, 'authorization');
      if (authorization !== undefined) {
        request.caller = await bearerCaller(store, authorization, now());
        return;
      }
      const cookie = sessionCookieOf(request);
      if (sessions !== undefined && cookie !== undefined) {
        request.caller = await sessionCaller(request, cookie, sessions);
        return;
      }
    }
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

/**
 * A token is found by its SHA-256 digest (the only form stored). No constant-time comparison is
 * needed: the lookup compares digests, and learning that some digest prefix exists reveals
 * nothing about a 256-bit random token. It is judged against the server's clock, so a manual
 * clock expires it too.
 */
async function bearerCaller(
  store: Pick<TokensPort, 'findAuthToken'>,
  authorization: string,
  now: number,
): Promise<Caller> {
  const token = BEARER.exec(authorization)?.[1];
  if (token === undefined) throw errors.unauthorized();
  const grant = await store.findAuthToken(digestSecret(token));
  if (grant === undefined || !tokenIsLive(grant, now)) throw errors.unauthorized();
  return {
    accountId: grant.accountId,
    email: grant.accountEmail,
    plan: grant.accountPlan,
    keyId: grant.keyId,
    tokenId: grant.tokenId,
    tokenExpiresAt: grant.expiresAt,
    ...(grant.phoneNumbers.length === 0 ? {} : { lines: grant.phoneNumbers }),
  };
}

/** Operations that name no line but show a scoped token only its lines' data themselves. */
const FILTERS_BY_LINE: ReadonlySet<string> = new Set(['events.stream']);

/** The request fields that name one of the account's lines, wherever the route takes them. */
const LINE_FIELDS = ['from_number', 'sendblue_number'] as const;

/**
 * A token scoped to phone numbers acts only through its lines: every request it makes must name
 * a line (`from_number` or `sendblue_number`, in the body, query or path) and every line it names
 * must be in scope; anything else is 403 `forbidden`, except operations that filter what they
 * show by the token's lines (FILTERS_BY_LINE). Runs after validation (a preHandler), so the
 * fields are the parsed ones.
 */
export async function lineScopeGuard(request: FastifyRequest): Promise<void> {
  const scope = request.caller?.lines;
  if (scope === undefined) return;
  const operation = (request.routeOptions.schema as { operationId?: string } | undefined)?.operationId;
  if (operation !== undefined && FILTERS_BY_LINE.has(operation)) return;
  const named: string[] = [];
  for (const source of [request.body, request.query, request.params]) {
    if (source === null || typeof source !== 'object') continue;
    for (const field of LINE_FIELDS) {
      const value = (source as Record<string, unknown>)[field];
      if (typeof value === 'string') named.push(value);
    }
  }
  if (named.length === 0) throw errors.forbidden('act on the whole account (the token is scoped to phone numbers)');
  const outside = named.find((n) => !scope.includes(n));
  if (outside !== undefined) throw errors.forbidden(`act through ${outside} (outside the token's phone numbers)`);
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
