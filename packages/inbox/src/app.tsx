import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, errorText, type Session, session } from './api.js';
import { liveState, startLive, stopLive } from './live.js';
import { type View, navigate, route } from './route.js';
import { loadLines } from './state.js';
import { ConversationList } from './views/conversations.js';
import { LinesView, isSandboxLine } from './views/lines.js';
import { SandboxControls } from './views/sandbox-controls.js';
import { SearchBox, searchQuery } from './views/search.js';
import { Logo, SignIn, refreshSession } from './views/sign-in.js';
import { Thread } from './views/thread.js';
import { WebhooksView } from './views/webhooks.js';
import './inbox.css';

const SIGN_IN_HASH = /^#sign-in=([^&]+)/;

/** Checks the session (exchanging a `#sign-in=` link first), then shows the inbox or the sign-in form. */
export function App() {
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    void start().catch((e: unknown) => {
      setNotice(errorText(e));
      session.value = null;
    });
  }, []);

  async function start() {
    const link = SIGN_IN_HASH.exec(location.hash);
    if (link !== null) {
      // The code is single-use: drop it from the address bar and history whatever the answer.
      history.replaceState(null, '', `${location.pathname}${location.search}#/`);
      try {
        const created = await api<Session>('/api/session/link', {
          method: 'POST',
          body: { code: decodeURIComponent(link[1] ?? '') },
        });
        session.value = await refreshSession(created);
        return;
      } catch (e) {
        setNotice(
          e instanceof ApiError && e.status === 401
            ? 'That sign-in link was already used or has expired.'
            : errorText(e),
        );
      }
    }
    try {
      session.value = await api<Session>('/api/session');
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) throw e;
      session.value = null;
    }
  }

  const current = session.value;
  if (current === undefined) return <main class="loading" aria-busy="true" />;
  if (current === null) return <SignIn notice={notice} />;
  return <Shell session={current} />;
}

function Shell({ session: current }: { session: Session }) {
  useEffect(() => {
    startLive();
    void loadLines().catch(() => undefined);
    return stopLive;
  }, []);

  async function signOut() {
    try {
      await api('/api/session', { method: 'DELETE' });
    } finally {
      session.value = null;
    }
  }

  const { view, thread } = route.value;
  const state = liveState.value;
  return (
    <div class="shell">
      <header class="topbar">
        <a class="brand" href="#/" aria-label="Tapback inbox">
          <Logo />
          <span>Tapback</span>
        </a>
        <nav aria-label="Main">
          <NavLink view="inbox" label="Inbox" current={view} />
          <NavLink view="webhooks" label="Webhooks" current={view} />
          <NavLink view="lines" label="Lines" current={view} />
        </nav>
        <div class="topbar-end">
          <span class={`live live-${state}`} role="status" title="Live updates">
            <span class="live-dot" aria-hidden="true" />
            {state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting…' : 'Offline'}
          </span>
          {current.server?.sandbox === true && <span class="pill">Sandbox</span>}
          <span class="account">{current.account.email}</span>
          <button type="button" class="ghost" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      {view === 'webhooks' ? (
        <main class="page">
          <WebhooksView />
        </main>
      ) : view === 'lines' ? (
        <main class="page">
          <LinesView />
        </main>
      ) : (
        <main class="inbox">
          <aside class="sidebar" aria-label="Conversations">
            <SearchBox />
            {searchQuery.value.trim() === '' && <ConversationList />}
          </aside>
          {thread === null ? (
            <section class="thread empty-thread" aria-label="No conversation open">
              <p>Select a conversation</p>
            </section>
          ) : (
            <Thread key={`${thread.line}|${thread.groupId ?? thread.number ?? ''}`} thread={thread} />
          )}
          {thread !== null && isSandboxLine(thread.line) && (
            <aside class="sandbox-panel" aria-label="Sandbox controls">
              <SandboxControls
                line={thread.line}
                contact={thread.number}
                groupId={thread.groupId}
                onChange={() => undefined}
              />
            </aside>
          )}
        </main>
      )}
    </div>
  );
}

function NavLink({ view, label, current }: { view: View; label: string; current: View }) {
  return (
    <a
      href={view === 'inbox' ? '#/' : `#/${view}`}
      aria-current={view === current ? 'page' : undefined}
      onClick={(e) => {
        e.preventDefault();
        navigate({ view, thread: view === 'inbox' ? route.value.thread : null });
      }}
    >
      {label}
    </a>
  );
}
