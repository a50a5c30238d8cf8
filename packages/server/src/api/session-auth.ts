import { createHash, timingSafeEqual } from 'node:crypto';
import { parse } from 'cookie';
import type { FastifyRequest } from 'fastify';
import { type SignInSessions, csrfTokenOf } from '../accounts/sign-in-sessions.js';
import { errors } from '../domain/errors.js';
import type { InboxSessionGrant } from '../domain/inbox-session.js';
import type { Caller } from '../messaging/caller.js';
import { serverUrl } from './openapi-document.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when the request was authenticated by the inbox session cookie. */
    inboxSession: { cookie: string; grant: InboxSessionGrant } | undefined;
  }
}

export const SESSION_COOKIE = 'tapback_session';
export const CSRF_HEADER = 'x-csrf-token';

/** What cookie authentication needs: the sessions, and the server's public origin if configured. */
export interface SessionAuth {
  sessions: Pick<SignInSessions, 'find'>;
  /** The origin of TAPBACK_PUBLIC_URL, accepted as this server's own besides the request's `Host`. */
  publicOrigin?: string;
}

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The `tapback_session` cookie's value, if the request carries one. */
export function sessionCookieOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string' || header === '') return undefined;
  const value = parse(header)[SESSION_COOKIE];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Authenticates a request by its session cookie (the caller is the same as with the session's key
 * pair, or its token), then applies the CSRF rules: the cookie is ambient authority a browser
 * attaches to requests other sites make, so every request that may change something must also
 * prove it was written by a page of this server, by echoing the session's CSRF token, and must not
 * come from another origin.
 */
export async function sessionCaller(request: FastifyRequest, cookie: string, auth: SessionAuth): Promise<Caller> {
  const grant = await auth.sessions.find(cookie);
  if (grant === undefined) throw errors.unauthorized();
  requireSameOrigin(request, auth.publicOrigin);
  if (!SAFE_METHODS.has(request.method)) requireCsrfToken(request, cookie);
  request.inboxSession = { cookie, grant };
  return {
    accountId: grant.accountId,
    email: grant.accountEmail,
    plan: grant.accountPlan,
    keyId: grant.keyId,
    ...(grant.tokenId === null ? {} : { tokenId: grant.tokenId, tokenExpiresAt: grant.expiresAt }),
  };
}

/**
 * A request whose `Origin` names another origin (or, without one, whose `Sec-Fetch-Site` says
 * cross-site) is refused. Safe methods are only checked when the browser says where they come
 * from: a cross-origin page cannot read their answers anyway, but a sign-in link exchanged from
 * another site would sign the browser in to an account the other site chose.
 */
export function requireSameOrigin(request: FastifyRequest, publicOrigin: string | undefined): void {
  const origin = request.headers.origin;
  if (typeof origin === 'string') {
    if (origin !== serverUrl(request) && origin !== publicOrigin) {
      throw errors.csrfFailed(`Origin ${origin.slice(0, 200)} is not this server's origin`);
    }
    return;
  }
  if (request.headers['sec-fetch-site'] === 'cross-site') {
    throw errors.csrfFailed('the request comes from another site (Sec-Fetch-Site: cross-site)');
  }
}

function requireCsrfToken(request: FastifyRequest, cookie: string): void {
  const presented = request.headers[CSRF_HEADER];
  if (typeof presented !== 'string' || presented === '') {
    throw errors.csrfFailed(`send the session's csrf_token in the ${CSRF_HEADER} header`);
  }
  // Digests have equal lengths, so the comparison takes the same time whatever was presented.
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(csrfTokenOf(cookie)).digest();
  if (!timingSafeEqual(a, b)) throw errors.csrfFailed(`the ${CSRF_HEADER} header is not this session's csrf_token`);
}
