import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { OpenedSession, SignInSessions } from '../../accounts/sign-in-sessions.js';
import { csrfTokenOf } from '../../accounts/sign-in-sessions.js';
import { errors } from '../../domain/errors.js';
import { callerOf } from '../auth.js';
import { requireSameOrigin } from '../session-auth.js';
import { clearSessionCookie, setSessionCookie } from '../session-cookie.js';
import { ERROR_REF, ERROR_RESPONSES } from '../schemas/message-schema.js';
import {
  SessionEndedResponseSchema,
  SessionLinkBodySchema,
  SessionResponseSchema,
  SessionStateResponseSchema,
} from '../schemas/session-schema.js';

export interface SessionRouteDeps {
  sessions: SignInSessions;
  now: () => number;
  version: string;
  sandbox: boolean;
  manualClock: boolean;
  /** The origin of TAPBACK_PUBLIC_URL, if set. */
  publicOrigin?: string;
}

const TAG = ['Inbox'];

function body(opened: Pick<OpenedSession, 'email' | 'csrfToken' | 'expiresAt'>) {
  return {
    status: 'OK' as const,
    account: { email: opened.email },
    csrf_token: opened.csrfToken,
    expires_at: new Date(opened.expiresAt).toISOString(),
  };
}

/** Signing in to the web inbox (docs/inbox.md): routes of the authenticated scope. */
export const sessionRoutes: FastifyPluginAsyncTypebox<SessionRouteDeps> = async (app, deps) => {
  // Answers carry the CSRF token: no cache keeps them.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });
  app.post(
    '/api/session',
    {
      schema: {
        summary: 'Sign in to the web inbox',
        description:
          'Opens a browser session for the account of the key pair (or unscoped bearer token) the request is ' +
          'authenticated with, and sets the `tapback_session` cookie (HttpOnly, SameSite=Strict, Path=/, Secure over ' +
          'https). The cookie then authenticates every API route and the event stream; requests other than GET, ' +
          'HEAD and OPTIONS must also send `x-csrf-token: <csrf_token>`. A request authenticated only by a cookie ' +
          'is refused (401).',
        tags: TAG,
        operationId: 'session.create',
        response: { 200: SessionResponseSchema, 403: ERROR_REF, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      if (request.inboxSession !== undefined) throw errors.unauthorized();
      const opened = await deps.sessions.open(callerOf(request));
      setSessionCookie(request, reply, opened.cookie, opened.expiresAt, deps.now());
      return body(opened);
    },
  );

  app.get(
    '/api/session',
    {
      schema: {
        summary: 'The web inbox session',
        description:
          'The session of the `tapback_session` cookie, with its CSRF token, and what the server runs; 401 without ' +
          'a live session (key pairs and bearer tokens are not sessions).',
        tags: TAG,
        operationId: 'session.retrieve',
        response: { 200: SessionStateResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const session = request.inboxSession;
      if (session === undefined) throw errors.unauthorized();
      return {
        ...body({
          email: session.grant.accountEmail,
          csrfToken: csrfTokenOf(session.cookie),
          expiresAt: session.grant.expiresAt,
        }),
        server: { version: deps.version, sandbox: deps.sandbox, manual_clock: deps.manualClock },
      };
    },
  );

  app.delete(
    '/api/session',
    {
      schema: {
        summary: 'Sign out of the web inbox',
        description:
          'Ends the session of the `tapback_session` cookie (every process refuses it from the next request on) ' +
          'and clears the cookie. Needs the `x-csrf-token` header.',
        tags: TAG,
        operationId: 'session.delete',
        response: { 200: SessionEndedResponseSchema, 403: ERROR_REF, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const session = request.inboxSession;
      if (session === undefined) throw errors.unauthorized();
      await deps.sessions.end(session.cookie);
      clearSessionCookie(request, reply);
      return { status: 'OK' as const };
    },
  );
};

/** `POST /api/session/link`: unauthenticated, the one-time code is the credential. */
export const sessionLinkRoutes: FastifyPluginAsyncTypebox<SessionRouteDeps> = async (app, deps) => {
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });
  app.post(
    '/api/session/link',
    {
      schema: {
        summary: 'Sign in to the web inbox with a one-time link',
        description:
          'Exchanges the one-time code of a sign-in link (`<server>/inbox/#sign-in=<code>`, printed by a ' +
          'zero-config start and by `tapback inbox link`) for a session, as `POST /api/session` does. A code works ' +
          'once, for 15 minutes; a used, expired or unknown code is a 401. A request from another origin is a 403.',
        tags: TAG,
        operationId: 'session.link',
        body: SessionLinkBodySchema,
        response: { 200: SessionResponseSchema, 403: ERROR_REF, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      requireSameOrigin(request, deps.publicOrigin);
      const opened = await deps.sessions.exchange(request.body.code);
      setSessionCookie(request, reply, opened.cookie, opened.expiresAt, deps.now());
      return body(opened);
    },
  );
};
