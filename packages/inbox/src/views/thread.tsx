import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { type Message, api, errorText, query } from '../api.js';
import { formatPhone } from '../format.js';
import { type AccountEvent, onEvent, onReconnect } from '../live.js';
import type { ThreadRef } from '../route.js';
import { useChatList } from '../virtual-list.js';
import { Avatar, ServiceTag } from './avatar.js';
import { Bubble } from './bubble.js';
import { Compose } from './compose.js';
import { markRead } from './conversations.js';
import { Timeline } from './timeline.js';

const PAGE = 100;

interface ListPage {
  data: Message[];
  pagination: { hasMore: boolean };
}

/** A message event's fields (events carry no content). */
interface MessageEventData {
  message_handle: string;
  status: string;
  status_sequence: number;
  sendblue_number: string;
  number: string;
  group_id: string | null;
  error_code: number | null;
  error_message: string | null;
  date_updated: string;
  date_read: string | null;
}

function order(a: Message, b: Message): number {
  return a.date_created < b.date_created
    ? -1
    : a.date_created > b.date_created
      ? 1
      : a.message_handle < b.message_handle
        ? -1
        : 1;
}

/** Merges messages in by handle; a copy with an older `status_sequence` never replaces a newer one. */
function merge(current: Message[], incoming: Message[]): Message[] {
  if (incoming.length === 0) return current;
  const sorted = [...incoming].sort(order);
  const first = current[0];
  const lastIncoming = sorted[sorted.length - 1];
  // An older page (the common case while scrolling up in a long thread) goes in front without re-sorting.
  if (first !== undefined && lastIncoming !== undefined && order(lastIncoming, first) < 0)
    return [...sorted, ...current];
  const byHandle = new Map(current.map((m) => [m.message_handle, m]));
  for (const m of sorted) {
    const had = byHandle.get(m.message_handle);
    if (had === undefined || m.status_sequence >= had.status_sequence) byHandle.set(m.message_handle, m);
  }
  return [...byHandle.values()].sort(order);
}

function threadFilter(t: ThreadRef): Record<string, string> {
  return t.groupId !== null
    ? { sendblue_number: t.line, group_id: t.groupId }
    : { sendblue_number: t.line, number: t.number ?? '' };
}

/** One conversation's messages as a virtual list, newest at the bottom, older pages loaded on scrolling up. */
export function Thread({ thread }: { thread: ThreadRef }) {
  const messages = useSignal<Message[]>([]);
  const hasMore = useSignal(true);
  const loadingOlder = useSignal(false);
  const typing = useSignal(false);
  const error = useSignal<string | null>(null);
  const timeline = useSignal<Message | null>(null);
  const fetchedRows = useRef(0);
  const opener = useRef<HTMLElement | null>(null);
  const typingTimer = useRef<ReturnType<typeof setTimeout>>();

  const belongs = (m: { sendblue_number: string; number: string; group_id: string | null }) => {
    if (m.sendblue_number !== thread.line) return false;
    if (thread.groupId !== null) return m.group_id === thread.groupId;
    return (m.group_id === null || m.group_id === '') && m.number === thread.number;
  };

  async function loadOlder(): Promise<void> {
    if (loadingOlder.value || !hasMore.value) return;
    loadingOlder.value = true;
    try {
      const page = await api<ListPage>(
        `/api/v2/messages${query({ ...threadFilter(thread), order_by: 'createdAt', order_direction: 'desc', limit: PAGE, offset: fetchedRows.current })}`,
      );
      fetchedRows.current += page.data.length;
      hasMore.value = page.pagination.hasMore;
      messages.value = merge(messages.value, page.data.filter(belongs));
      error.value = null;
    } catch (e) {
      error.value = errorText(e);
    } finally {
      loadingOlder.value = false;
    }
  }

  /** Everything changed since `since` (after a reconnect): new messages and final statuses. */
  async function repair(since: string | null): Promise<void> {
    if (since === null) return;
    let offset = 0;
    for (;;) {
      const page = await api<ListPage>(
        `/api/v2/messages${query({ ...threadFilter(thread), updated_at_gte: since, order_by: 'updated_at', order_direction: 'asc', limit: PAGE, offset })}`,
      );
      const oldest = messages.value[0]?.date_created ?? '';
      // Rows older than what is loaded stay for the scroll-up pages to bring, so no gap opens.
      messages.value = merge(
        messages.value,
        page.data.filter((m) => belongs(m) && (!hasMore.value || m.date_created >= oldest)),
      );
      offset += page.data.length;
      if (!page.pagination.hasMore || page.data.length === 0) return;
    }
  }

  async function fetchOne(handle: string): Promise<void> {
    const res = await api<{ data: Message }>(`/api/v2/messages/${encodeURIComponent(handle)}`);
    if (belongs(res.data)) messages.value = merge(messages.value, [res.data]);
  }

  function onMessageEvent(event: AccountEvent): void {
    const d = event.data as unknown as MessageEventData;
    if (!belongs(d)) return;
    const had = messages.value.find((m) => m.message_handle === d.message_handle);
    if (had === undefined) {
      if (event.type === 'message.received') {
        typing.value = false;
        void markRead(thread).catch(() => undefined);
      }
      void fetchOne(d.message_handle).catch(() => undefined);
      return;
    }
    if (d.status_sequence < had.status_sequence) return;
    const patched: Message = {
      ...had,
      status: d.status,
      status_sequence: d.status_sequence,
      error_code: d.error_code,
      error_message: d.error_message,
      date_updated: d.date_updated,
      date_read: d.date_read,
    };
    messages.value = merge(messages.value, [patched]);
  }

  useEffect(() => {
    void loadOlder();
    void markRead(thread).catch(() => undefined);
    const offMessages = onEvent(['message.created', 'message.received', 'message.updated'], onMessageEvent);
    const offTyping = onEvent(['typing.changed'], (event) => {
      const d = event.data as { number?: string; sendblue_number?: string; is_typing?: boolean };
      if (d.sendblue_number !== thread.line || d.number !== thread.number) return;
      typing.value = d.is_typing === true;
      clearTimeout(typingTimer.current);
      // A contact who stops typing without saying so stops showing after a minute.
      if (typing.value) typingTimer.current = setTimeout(() => (typing.value = false), 60_000);
    });
    const offReconnect = onReconnect((since) => void repair(since).catch(() => undefined));
    return () => {
      offMessages();
      offTyping();
      offReconnect();
      clearTimeout(typingTimer.current);
    };
  }, []);

  const list = messages.value;
  const { virtualizer, scrollRef } = useChatList({
    count: list.length,
    getItemKey: (i) => list[i]?.message_handle ?? String(i),
    estimateSize: (i) => (list[i]?.media_url !== '' ? 240 : 56),
    onNearStart: () => void loadOlder(),
  });

  const first = useRef(true);
  useEffect(() => {
    if (first.current && list.length > 0) {
      first.current = false;
      virtualizer.scrollToIndex(list.length - 1, { align: 'end' });
    }
  }, [list.length]);

  const last = list[list.length - 1];
  const service = last?.service ?? 'iMessage';
  const name =
    thread.groupId !== null
      ? last?.group_display_name || (last?.participants ?? []).map(formatPhone).join(', ') || 'Group'
      : formatPhone(thread.number ?? '');
  const items = virtualizer.getVirtualItems();

  return (
    <section class="thread" aria-label={`Conversation with ${name}`}>
      <header class="thread-header">
        <Avatar name={name} group={thread.groupId !== null} />
        <div>
          <h2>{name}</h2>
          <p class="muted small">
            <ServiceTag service={service} /> via {formatPhone(thread.line)}
          </p>
        </div>
      </header>
      <div class="messages" ref={scrollRef} role="log" aria-label="Messages" tabIndex={0}>
        {loadingOlder.value && <p class="loading-older muted small">Loading older messages…</p>}
        <div class="messages-inner" style={{ height: `${virtualizer.getTotalSize()}px` }}>
          {items.map((item) => {
            const m = list[item.index];
            if (m === undefined) return null;
            const prev = list[item.index - 1];
            const sender =
              thread.groupId !== null &&
              !m.is_outbound &&
              (prev === undefined || prev.number !== m.number || prev.is_outbound)
                ? formatPhone(m.number)
                : null;
            return (
              <div
                key={item.key}
                class="virtual-row"
                data-index={item.index}
                ref={virtualizer.measureElement}
                style={{ transform: `translateY(${item.start}px)` }}
              >
                <Bubble
                  m={m}
                  showSender={sender}
                  onOpen={(msg, el) => {
                    opener.current = el;
                    timeline.value = msg;
                  }}
                />
              </div>
            );
          })}
        </div>
      </div>
      <div class="typing-slot" role="status" aria-live="polite">
        {typing.value && (
          <span class="typing">
            <span class="typing-dots" aria-hidden="true">
              <i />
              <i />
              <i />
            </span>
            typing…
          </span>
        )}
      </div>
      {error.value !== null && (
        <p class="form-error" role="alert">
          {error.value}
        </p>
      )}
      <Compose thread={thread} service={service} onSent={(m) => (messages.value = merge(messages.value, [m]))} />
      {timeline.value !== null && (
        <Timeline
          message={list.find((m) => m.message_handle === timeline.value?.message_handle) ?? timeline.value}
          onClose={() => {
            timeline.value = null;
            // The bubble may have been re-rendered: find it again by its handle.
            const back = opener.current?.isConnected === true ? opener.current : null;
            back?.focus();
          }}
        />
      )}
    </section>
  );
}
