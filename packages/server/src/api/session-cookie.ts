import { serialize } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from './session-auth.js';

/**
 * The `tapback_session` cookie: HttpOnly (page scripts never see it), SameSite=Strict (browsers
 * attach it only to requests this server's own pages start), Path=/ (the API and the inbox share
 * it), Secure when the request came over https (Fastify's `request.protocol`; Tapback trusts no
 * proxy's X-Forwarded-Proto), and Max-Age until the session expires.
 */
export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  value: string,
  expiresAt: number,
  now: number,
): void {
  const maxAge = Math.max(0, Math.ceil((expiresAt - now) / 1000));
  reply.header('set-cookie', serialize(SESSION_COOKIE, value, { ...attributes(request), maxAge }));
}

/** Removes the cookie from the browser (sign-out). */
export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('set-cookie', serialize(SESSION_COOKIE, '', { ...attributes(request), maxAge: 0 }));
}

function attributes(request: FastifyRequest) {
  return {
    httpOnly: true,
    sameSite: 'strict' as const,
    path: '/',
    secure: request.protocol === 'https',
  };
}
