import { signal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { type Message, api, errorText, query } from '../api.js';
import { formatPhone, relativeTime } from '../format.js';
import { openThread, threadOfMessage } from '../route.js';
import { selectedLine } from '../state.js';

/** What the search box holds; the sidebar shows results instead of conversations while it is not empty. */
export const searchQuery = signal('');
const results = signal<Message[]>([]);
const searchError = signal<string | null>(null);
const searching = signal(false);

const DEBOUNCE_MS = 200;

/** Full-text search over the selected line's messages; a result opens its thread. */
export function SearchBox() {
  const q = searchQuery.value.trim();
  useEffect(() => {
    if (q === '') {
      results.value = [];
      searchError.value = null;
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      searching.value = true;
      api<{ data: Message[] }>(
        `/api/v2/messages/search${query({ q, sendblue_number: selectedLine.value, limit: 50 })}`,
        { signal: controller.signal },
      )
        .then((res) => {
          results.value = res.data;
          searchError.value = null;
        })
        .catch((e: unknown) => {
          if (!controller.signal.aborted) searchError.value = errorText(e);
        })
        .finally(() => {
          if (!controller.signal.aborted) searching.value = false;
        });
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [q, selectedLine.value]);

  return (
    <div class="search">
      <form role="search" onSubmit={(e) => e.preventDefault()}>
        <label class="sr-only" for="search-input">
          Search messages
        </label>
        <svg class="search-icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
          <path
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            stroke-linecap="round"
            d="M10.5 17a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13zM20 20l-4.6-4.6"
          />
        </svg>
        <input
          id="search-input"
          type="search"
          placeholder="Search messages"
          value={searchQuery.value}
          onInput={(e) => (searchQuery.value = e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') searchQuery.value = '';
          }}
        />
      </form>
      {q !== '' && (
        <div class="search-results" aria-busy={searching.value}>
          {searchError.value !== null && (
            <p class="form-error" role="alert">
              {searchError.value}
            </p>
          )}
          <p class="muted small" role="status">
            {searching.value
              ? 'Searching…'
              : `${results.value.length} ${results.value.length === 1 ? 'result' : 'results'}`}
          </p>
          <ul class="result-list" aria-label="Search results">
            {results.value.map((m) => (
              <li key={m.message_handle}>
                <button
                  type="button"
                  class="result"
                  data-handle={m.message_handle}
                  onClick={() => {
                    const t = threadOfMessage(m);
                    // The conversation id is the server's; a search result opens by line and peer.
                    openThread({ conversationId: `${t.line}:${t.groupId ?? t.number ?? ''}`, ...t });
                    searchQuery.value = '';
                  }}
                >
                  <span class="conversation-top">
                    <span class="conversation-name">
                      {m.group_id !== '' ? m.group_display_name || 'Group' : formatPhone(m.number)}
                    </span>
                    <time dateTime={m.date_created}>{relativeTime(m.date_created)}</time>
                  </span>
                  <span class="excerpt">
                    <Highlight text={m.content} q={q} />
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

/** The content with the query's words marked. */
function Highlight({ text, q }: { text: string; q: string }) {
  const words = q
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (words.length === 0) return <>{text}</>;
  const parts = text.split(new RegExp(`(${words.join('|')})`, 'gi'));
  return <>{parts.map((p, i) => (i % 2 === 1 ? <mark key={i}>{p}</mark> : p))}</>;
}
