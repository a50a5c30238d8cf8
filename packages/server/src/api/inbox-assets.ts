import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { errorBody, errors } from '../domain/errors.js';

export const INBOX_PREFIX = '/inbox/';

/**
 * Every inbox response's security headers. The bundle loads only its own files and talks only to
 * this server; nothing may frame it, and no page it links to learns where the user came from.
 */
export const INBOX_SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data: blob: https:; media-src 'self' blob: https:; style-src 'self'; " +
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

/** Vite names the files under assets/ by their content's hash: a new build is new URLs. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Where the built inbox is: `dist/inbox` beside the compiled `dist/api` of an installed package,
 * or the package's `dist/inbox` when running from source (tests). Undefined when never built.
 */
export function inboxBundleDir(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  return [join(here, '../inbox'), join(here, '../../dist/inbox')].find((dir) => existsSync(join(dir, 'index.html')));
}

/**
 * The web inbox under `/inbox/` (hidden from the OpenAPI document): its files, and `index.html`
 * for any other path under it so the app's own routes survive a reload. `/inbox` and `/` lead
 * there. `dir` undefined (a source checkout never built): every inbox path is a 404 saying to build.
 */
export async function registerInboxAssets(app: FastifyInstance, dir: string | undefined): Promise<void> {
  await app.register(async (inbox) => {
    inbox.addHook('onSend', async (_request, reply) => {
      reply.headers(INBOX_SECURITY_HEADERS);
    });
    const hidden = { schema: { hide: true } };
    inbox.get('/', hidden, async (_request, reply) => reply.redirect(INBOX_PREFIX, 302));
    inbox.get('/inbox', hidden, async (_request, reply) => reply.redirect(INBOX_PREFIX, 301));
    if (dir === undefined) {
      const notBuilt = async (_request: unknown, reply: FastifyReply) =>
        reply.code(404).type('application/json; charset=utf-8').send(errorBody(errors.inboxNotBuilt()));
      inbox.get(INBOX_PREFIX, hidden, notBuilt);
      inbox.get(`${INBOX_PREFIX}*`, hidden, notBuilt);
      return;
    }
    await inbox.register(
      async (files) => {
        await files.register(fastifyStatic, {
          root: dir,
          prefix: '/',
          // Files are looked up per request, so a rebuilt bundle is served without a restart.
          wildcard: true,
          cacheControl: false,
          dotfiles: 'ignore',
          setHeaders: (reply, path) => {
            reply.header('cache-control', path.includes('/assets/') ? IMMUTABLE : 'no-cache');
          },
        });
        // Any other path under /inbox/ is one of the app's own routes (a reload, a shared link).
        files.setNotFoundHandler(async (request, reply) => {
          const path = request.url.split('?')[0] ?? '';
          // A missing hashed file is a stale page asking for an old build's asset, not an app route.
          if ((request.method !== 'GET' && request.method !== 'HEAD') || path.startsWith(`${INBOX_PREFIX}assets/`)) {
            return reply.code(404).send(errorBody(errors.routeNotFound(request.method, path)));
          }
          reply.header('cache-control', 'no-cache');
          return reply.sendFile('index.html');
        });
      },
      { prefix: '/inbox' },
    );
  });
}
