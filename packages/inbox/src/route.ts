import { signal } from '@preact/signals';

/** What a thread is: its line and either the contact or the group. */
export interface ThreadRef {
  conversationId: string;
  line: string;
  number: string | null;
  groupId: string | null;
}

export type View = 'inbox' | 'webhooks' | 'lines';

export interface Route {
  view: View;
  thread: ThreadRef | null;
}

/**
 * The view and open conversation live in the hash (`#/c/<conversation_id>?line=…&number=…`), so a
 * reload, a bookmark or the back button returns to the same place without the server knowing.
 */
export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  if (path === '/webhooks') return { view: 'webhooks', thread: null };
  if (path === '/lines') return { view: 'lines', thread: null };
  const m = /^\/c\/([^/]+)$/.exec(path);
  if (m === null) return { view: 'inbox', thread: null };
  const q = new URLSearchParams(search);
  const line = q.get('line');
  const number = q.get('number');
  const groupId = q.get('group');
  if (line === null || (number === null) === (groupId === null)) return { view: 'inbox', thread: null };
  return { view: 'inbox', thread: { conversationId: decodeURIComponent(m[1] ?? ''), line, number, groupId } };
}

export function routeHash(route: Route): string {
  if (route.view !== 'inbox') return `#/${route.view}`;
  const t = route.thread;
  if (t === null) return '#/';
  const q = new URLSearchParams({ line: t.line });
  if (t.number !== null) q.set('number', t.number);
  if (t.groupId !== null) q.set('group', t.groupId);
  return `#/c/${encodeURIComponent(t.conversationId)}?${q.toString()}`;
}

export const route = signal<Route>(parseRoute(location.hash));

addEventListener('hashchange', () => {
  route.value = parseRoute(location.hash);
});

/** The thread open when the reader last left the Inbox for another view, to return to it. */
let lastThread: ThreadRef | null = null;

export function navigate(next: Route): void {
  if (route.value.view === 'inbox' && next.view !== 'inbox') lastThread = route.value.thread;
  if (next.view === 'inbox' && next.thread === null && route.value.view !== 'inbox')
    next = { view: 'inbox', thread: lastThread };
  const hash = routeHash(next);
  if (location.hash !== hash) location.hash = hash;
  route.value = next;
}

export function openThread(thread: ThreadRef): void {
  navigate({ view: 'inbox', thread });
}

/** The same thread (line plus contact or group), whatever the id says. */
export function sameThread(a: ThreadRef | null, line: string, number: string | null, groupId: string | null): boolean {
  if (a === null || a.line !== line) return false;
  return a.groupId !== null ? a.groupId === groupId : groupId === null || groupId === '' ? a.number === number : false;
}

/** The thread a message belongs to (for search results and live events). */
export function threadOfMessage(m: {
  sendblue_number: string;
  number: string;
  group_id: string;
}): Omit<ThreadRef, 'conversationId'> {
  return m.group_id !== ''
    ? { line: m.sendblue_number, number: null, groupId: m.group_id }
    : { line: m.sendblue_number, number: m.number, groupId: null };
}
