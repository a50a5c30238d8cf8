// Traffic over every route a server documents, so that its metrics hold the label sets a real
// deployment's would (route patterns × methods × statuses, store calls by method): each GET of the
// OpenAPI document with its path parameters filled by placeholders (a 200, 400 or 404 as the route
// decides), plus sends and a few requests with bad credentials.
import { KEY_ID, SECRET, SEND_REQUEST } from './processes.mjs';

const AUTH = { 'sb-api-key-id': KEY_ID, 'sb-api-secret-key': SECRET };

/** The requests of one round: every documented GET, sends, and unauthenticated calls. */
export async function routeMix(url) {
  const doc = await (await fetch(`${url}/openapi.json`)).json();
  const requests = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    if (item.get === undefined || path.includes('events')) continue;
    const filled = path.replace(/\{[^}]+\}/g, (name) => (name.includes('number') ? '%2B19998887777' : 'bench-x'));
    requests.push({ path: filled, method: 'GET', headers: AUTH });
  }
  for (let i = 0; i < 5; i++) requests.push({ path: '/api/send-message', ...SEND_REQUEST });
  requests.push({ path: '/api/v2/messages', method: 'GET', headers: { ...AUTH, 'sb-api-secret-key': 'wrong' } });
  requests.push({ path: '/api/v2/no-such-route', method: 'GET', headers: AUTH });
  return requests;
}

/** `rounds` rounds of the mix, `concurrency` requests at a time; returns the statuses seen. */
export async function runRouteMix(url, { rounds = 3, concurrency = 8 } = {}) {
  const mix = await routeMix(url);
  const queue = [];
  for (let r = 0; r < rounds; r++) queue.push(...mix);
  const statuses = new Map();
  const next = async () => {
    for (let req = queue.shift(); req !== undefined; req = queue.shift()) {
      const res = await fetch(`${url}${req.path}`, { method: req.method, headers: req.headers, body: req.body });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, next));
  return { routes: mix.length, requests: mix.length * rounds, statuses: Object.fromEntries(statuses) };
}
