import { signal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { type Conversation, api, errorText, query } from '../api.js';
import { formatPhone, relativeTime } from '../format.js';
import { onEvent, onReconnect } from '../live.js';
import { type ThreadRef, openThread, route, sameThread } from '../route.js';
import { lines, selectedLine } from '../state.js';
import { Avatar, ServiceTag } from './avatar.js';

const conversations = signal<Conversation[]>([]);
const nextCursor = signal<string | null>(null);
const listError = signal<string | null>(null);
const loading = signal(false);

const PAGE = 50;
let generation = 0;

/** Loads the first page again (as many rows as are shown, up to 100): live changes and reconnects. */
async function refresh(more = false): Promise<void> {
  const line = selectedLine.value;
  if (line === null) return;
  const mine = ++generation;
  loading.value = true;
  try {
    const limit = more ? PAGE : Math.min(100, Math.max(PAGE, conversations.value.length));
    const res = await api<{ data: Conversation[]; next_cursor: string | null }>(
      `/api/v2/conversations${query({ sendblue_number: line, limit, before: more ? nextCursor.value : null })}`,
    );
    if (mine !== generation) return;
    conversations.value = more ? [...conversations.value, ...res.data] : res.data;
    nextCursor.value = res.next_cursor;
    listError.value = null;
  } catch (e) {
    if (mine === generation) listError.value = errorText(e);
  } finally {
    if (mine === generation) loading.value = false;
  }
}

let pending: ReturnType<typeof setTimeout> | undefined;
function refreshSoon(): void {
  clearTimeout(pending);
  pending = setTimeout(() => void refresh(), 80);
}

export function threadOf(c: Conversation): ThreadRef {
  return { conversationId: c.conversation_id, line: c.sendblue_number, number: c.number, groupId: c.group_id };
}

export function conversationName(c: Pick<Conversation, 'number' | 'group_id' | 'participants' | 'last_message'>) {
  if (c.group_id === null) return formatPhone(c.number ?? '');
  const named = c.last_message.group_display_name;
  return named !== '' ? named : c.participants.map(formatPhone).join(', ');
}

/** Marks a conversation read on the server and in the list. */
export async function markRead(t: ThreadRef): Promise<void> {
  conversations.value = conversations.value.map((c) =>
    sameThread(t, c.sendblue_number, c.number, c.group_id) ? { ...c, unread_count: 0 } : c,
  );
  await api('/api/v2/conversations/read', {
    body:
      t.groupId !== null
        ? { sendblue_number: t.line, group_id: t.groupId }
        : { sendblue_number: t.line, number: t.number },
  });
}

/** The selected line's conversations, newest first, kept current by the event stream. */
export function ConversationList() {
  const line = selectedLine.value;
  useEffect(() => {
    conversations.value = [];
    nextCursor.value = null;
    void refresh();
  }, [line]);
  useEffect(() => {
    const offEvents = onEvent(['message.created', 'message.received', 'message.updated'], (event) => {
      if (event.data.sendblue_number === selectedLine.value) refreshSoon();
    });
    const offReconnect = onReconnect(() => void refresh());
    return () => {
      offEvents();
      offReconnect();
    };
  }, []);

  const open = route.value.thread;
  return (
    <div class="conversations">
      {lines.value.length > 1 && (
        <div class="line-picker">
          <label for="line-picker">Line</label>
          <select
            id="line-picker"
            value={line ?? ''}
            onChange={(e) => {
              selectedLine.value = e.currentTarget.value;
            }}
          >
            {lines.value.map((l) => (
              <option key={l.sendblue_number} value={l.sendblue_number}>
                {formatPhone(l.sendblue_number)} · {l.provider}
              </option>
            ))}
          </select>
        </div>
      )}
      {lines.value.length === 1 && line !== null && <p class="line-single">Line {formatPhone(line)}</p>}
      {listError.value !== null && (
        <p class="form-error" role="alert">
          {listError.value}
        </p>
      )}
      <ul class="conversation-list" aria-label="Conversations" onKeyDown={moveFocus}>
        {conversations.value.map((c) => (
          <ConversationRow
            key={c.conversation_id}
            c={c}
            open={sameThread(open, c.sendblue_number, c.number, c.group_id)}
          />
        ))}
      </ul>
      {conversations.value.length === 0 && !loading.value && listError.value === null && (
        <p class="muted empty">No conversations yet. Send a message to start one.</p>
      )}
      {nextCursor.value !== null && (
        <button type="button" class="ghost more" disabled={loading.value} onClick={() => void refresh(true)}>
          Show older conversations
        </button>
      )}
    </div>
  );
}

function ConversationRow({ c, open }: { c: Conversation; open: boolean }) {
  const m = c.last_message;
  const excerpt = m.content !== '' ? m.content : m.media_url !== '' ? 'Attachment' : '';
  // The open conversation is being read: its count stays at zero while it is on screen.
  const unread = open ? 0 : c.unread_count;
  const name = conversationName(c);
  return (
    <li>
      <button
        type="button"
        class={`conversation${open ? ' open' : ''}${unread > 0 ? ' has-unread' : ''}`}
        aria-current={open ? 'true' : undefined}
        data-conversation={c.conversation_id}
        onClick={() => {
          openThread(threadOf(c));
          void markRead(threadOf(c)).catch(() => undefined);
        }}
      >
        <Avatar name={name} group={c.group_id !== null} />
        <span class="conversation-main">
          <span class="conversation-top">
            <span class="conversation-name">{name}</span>
            <time dateTime={c.last_message_at}>{relativeTime(c.last_message_at)}</time>
          </span>
          <span class="conversation-bottom">
            <span class="excerpt">
              {m.is_outbound && <span class="you">You: </span>}
              {excerpt}
            </span>
            {unread > 0 && (
              <span class="badge" role="img" aria-label={`${unread} unread`}>
                {unread > 99 ? '99+' : unread}
              </span>
            )}
          </span>
          <ServiceTag service={c.service} />
        </span>
      </button>
    </li>
  );
}

/** Arrow keys, Home and End move between the list's rows (Tab still works too). */
function moveFocus(event: KeyboardEvent): void {
  const keys = ['ArrowDown', 'ArrowUp', 'Home', 'End'];
  if (!keys.includes(event.key)) return;
  const list = event.currentTarget as HTMLElement;
  const rows = [...list.querySelectorAll<HTMLButtonElement>('button.conversation')];
  const at = rows.indexOf(document.activeElement as HTMLButtonElement);
  const next =
    event.key === 'Home'
      ? 0
      : event.key === 'End'
        ? rows.length - 1
        : Math.max(0, Math.min(rows.length - 1, at + (event.key === 'ArrowDown' ? 1 : -1)));
  rows[next]?.focus();
  event.preventDefault();
}
