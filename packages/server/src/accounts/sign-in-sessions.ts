import { createHmac, randomUUID } from 'node:crypto';
import type { Clock } from '../domain/clock.js';
import { errors } from '../domain/errors.js';
import { type InboxSessionGrant, sessionIsLive } from '../domain/inbox-session.js';
import { randomToken } from '../domain/ids.js';
import type { SessionsPort } from '../store/ports/sessions-port.js';
import { digestSecret } from './credentials.js';

/** Who signs in: an account authenticated with a key pair or a bearer token. */
export interface SessionIssuer {
  accountId: number;
  email: string;
  keyId: string;
  tokenId?: string;
  tokenExpiresAt?: number;
  lines?: readonly string[];
}

/** A session just opened: the cookie value (shown only in the Set-Cookie header) and what the body says. */
export interface OpenedSession {
  cookie: string;
  csrfToken: string;
  email: string;
  expiresAt: number;
}

/** Cookie values are `tbs_` and 256 random bits; the prefix lets secret scanners recognise a leaked one. */
const SESSION_PREFIX = 'tbs_';

/**
 * The CSRF token of a session, derived from its cookie value: an HMAC keyed by the cookie, so the
 * server stores nothing more and every process derives the same token, while the token (which
 * page scripts read) reveals nothing about the HttpOnly cookie.
 */
export function csrfTokenOf(cookie: string): string {
  return createHmac('sha256', cookie).update('tapback-csrf-v1').digest('base64url');
}

/**
 * Sessions of the web inbox. A session acts as the key pair it was opened with (or, from a bearer
 * token, as that token: it ends by the token's expiry and with its revocation), until it expires
 * (`TAPBACK_SESSION_TTL_MS`), is signed out, or its key is revoked. Time is the server's clock,
 * so a manual clock expires sessions too.
 */
export class SignInSessions {
  constructor(private readonly deps: { store: SessionsPort; clock: Clock; ttlMs: number }) {}

  async open(issuer: SessionIssuer): Promise<OpenedSession> {
    // A session acts on the whole account; a token limited to some lines must not widen itself so.
    if (issuer.lines !== undefined) {
      throw errors.forbidden('sign in to the inbox (the token is scoped to phone numbers; use a key pair)');
    }
    const now = this.deps.clock.now();
    const cookie = SESSION_PREFIX + randomToken(32);
    const expiresAt = Math.min(now + this.deps.ttlMs, issuer.tokenExpiresAt ?? Infinity);
    await this.deps.store.createSession({
      sessionId: randomUUID(),
      accountId: issuer.accountId,
      keyId: issuer.keyId,
      tokenId: issuer.tokenId ?? null,
      digest: digestSecret(cookie),
      now,
      expiresAt,
    });
    return { cookie, csrfToken: csrfTokenOf(cookie), email: issuer.email, expiresAt };
  }

  /** Exchanges a one-time sign-in code; an unknown, used or expired code (or a revoked key) is a 401. */
  async exchange(code: string): Promise<OpenedSession> {
    const now = this.deps.clock.now();
    const cookie = SESSION_PREFIX + randomToken(32);
    const grant = await this.deps.store.exchangeSignInCode(digestSecret(code), {
      sessionId: randomUUID(),
      digest: digestSecret(cookie),
      now,
      expiresAt: now + this.deps.ttlMs,
    });
    if (grant === undefined || !sessionIsLive(grant, now)) throw errors.unauthorized();
    return { cookie, csrfToken: csrfTokenOf(cookie), email: grant.accountEmail, expiresAt: grant.expiresAt };
  }

  /** The live session of a cookie value, or undefined (unknown, expired, signed out, revoked). */
  async find(cookie: string): Promise<InboxSessionGrant | undefined> {
    if (!cookie.startsWith(SESSION_PREFIX) || cookie.length > 128) return undefined;
    const grant = await this.deps.store.findSession(digestSecret(cookie));
    return grant !== undefined && sessionIsLive(grant, this.deps.clock.now()) ? grant : undefined;
  }

  /** Signs out: every process refuses the cookie from its next request on. */
  async end(cookie: string): Promise<void> {
    await this.deps.store.deleteSession(digestSecret(cookie));
  }
}
