import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { ApiError, api, errorText, session } from '../api.js';
import { count, formatTime } from './ops-format.js';
import './ops.css';

export interface SandboxControlsProps {
  /** The open thread's line (a sandbox line: the shell renders these controls only then). */
  line: string;
  /** The 1:1 contact, or null in a group thread. */
  contact: string | null;
  groupId: string | null;
  /** Called after a control changed the account's data (a reply arrived, the clock moved, a reset). */
  onChange?: () => void;
}

const KEYWORDS = ['STOP', 'START', 'HELP'] as const;

/**
 * Acting as the contact on a sandbox line: replies, keywords, typing; the clock; resetting the account.
 * The shell shows it beside a thread whose line `isSandboxLine(line)` (exported by `lines.tsx`).
 */
export function SandboxControls({ line, contact, groupId, onChange }: SandboxControlsProps) {
  const members = useSignal<string[] | null>(null);
  const member = useSignal('');
  const text = useSignal('');
  const typing = useSignal(false);
  const notice = useSignal('');
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);

  // The shell keeps these controls open from one thread to the next: each thread starts afresh.
  // In a group the reply comes from a member the user picks; the sandbox takes any member as sender.
  useEffect(() => {
    members.value = null;
    member.value = '';
    text.value = '';
    typing.value = false;
    notice.value = '';
    error.value = null;
    if (groupId === null) return;
    let current = true;
    api<{ data: { participant_numbers: string[] } }>(`/api/v2/groups/${encodeURIComponent(groupId)}`)
      .then((r) => {
        if (!current) return;
        members.value = r.data.participant_numbers;
        member.value = r.data.participant_numbers[0] ?? '';
      })
      .catch((e: unknown) => {
        if (current) error.value = errorText(e);
      });
    return () => {
      current = false;
    };
  }, [line, contact, groupId]);

  const sender = groupId === null ? contact : member.value === '' ? null : member.value;

  const run = async (action: () => Promise<string>): Promise<void> => {
    busy.value = true;
    error.value = null;
    try {
      notice.value = await action();
      onChange?.();
    } catch (e) {
      error.value = errorText(e);
    } finally {
      busy.value = false;
    }
  };

  const reply = (content: string) =>
    run(async () => {
      if (sender === null) throw new Error('Choose who replies');
      await api('/sandbox/inbound', {
        method: 'POST',
        body: { from: sender, to: line, content, ...(groupId === null ? {} : { group_id: groupId }) },
      });
      if (content === text.value) text.value = '';
      return `${sender} sent “${content}”.`;
    });

  const setTyping = (isTyping: boolean) =>
    run(async () => {
      if (contact === null) throw new Error('Typing is simulated in 1:1 threads only');
      await api('/sandbox/typing', { method: 'POST', body: { from: contact, to: line, is_typing: isTyping } });
      typing.value = isTyping;
      return isTyping ? `${contact} is typing.` : `${contact} stopped typing.`;
    });

  return (
    <div class="ops-sandbox">
      <h2 id="sandbox-heading">Sandbox</h2>
      {error.value !== null && (
        <p class="ops-error" role="alert">
          {error.value}
        </p>
      )}
      <p class="ops-muted" role="status">
        {notice.value}
      </p>
      {groupId !== null && members.value?.length === 0 ? (
        <p class="ops-muted">This group has no members to reply as.</p>
      ) : (
        <form
          class="ops-stack"
          aria-label="Reply as the contact"
          onSubmit={(ev) => {
            ev.preventDefault();
            if (text.value.trim() !== '') void reply(text.value);
          }}
        >
          <h3>Reply as the contact</h3>
          {groupId !== null && (
            <div class="ops-field">
              <label for="ops-reply-member">Member</label>
              <select
                id="ops-reply-member"
                value={member.value}
                onChange={(ev) => (member.value = ev.currentTarget.value)}
              >
                {(members.value ?? []).map((m) => (
                  <option key={m} value={m}>
                    {m}
                  </option>
                ))}
              </select>
            </div>
          )}
          <div class="ops-field">
            <label for="ops-reply-text">Message from {sender ?? 'the contact'}</label>
            <textarea
              id="ops-reply-text"
              rows={2}
              value={text.value}
              onInput={(ev) => (text.value = ev.currentTarget.value)}
              onKeyDown={(ev) => {
                // As in the compose box: Enter sends, Shift+Enter starts a new line.
                if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
                  ev.preventDefault();
                  ev.currentTarget.form?.requestSubmit();
                }
              }}
            />
          </div>
          <div class="ops-row">
            <button type="submit" class="ops-button ops-primary" disabled={busy.value || text.value.trim() === ''}>
              Send reply
            </button>
          </div>
          {groupId === null && (
            <div class="ops-row" role="group" aria-labelledby="quick-replies">
              <span id="quick-replies" class="ops-muted ops-row-label">
                Quick replies
              </span>
              {KEYWORDS.map((k) => (
                <button
                  key={k}
                  type="button"
                  class="ops-button"
                  disabled={busy.value}
                  aria-label={`Reply ${k}`}
                  onClick={() => void reply(k)}
                >
                  {k}
                </button>
              ))}
            </div>
          )}
        </form>
      )}
      {groupId === null && (
        <div class="ops-stack">
          <h3>Typing</h3>
          <button
            type="button"
            class="ops-button"
            aria-pressed={typing.value}
            disabled={busy.value}
            onClick={() => void setTyping(!typing.value)}
          >
            Contact is typing
          </button>
        </div>
      )}
      {session.value?.server?.manual_clock === true && <ClockControl onChange={onChange} />}
      <ResetControl onChange={onChange} />
    </div>
  );
}

function ClockControl({ onChange }: { onChange: (() => void) | undefined }) {
  const ms = useSignal('60000');
  const now = useSignal<string | null>(null);
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);

  const advance = async (event: Event): Promise<void> => {
    event.preventDefault();
    busy.value = true;
    error.value = null;
    try {
      const r = await api<{ now: string }>('/sandbox/clock/advance', {
        method: 'POST',
        body: { ms: Number(ms.value) },
      });
      now.value = r.now;
      onChange?.();
    } catch (e) {
      error.value = errorText(e);
    } finally {
      busy.value = false;
    }
  };

  return (
    <form class="ops-stack" aria-label="Advance clock" data-testid="advance-clock" onSubmit={(ev) => void advance(ev)}>
      <h3>Clock</h3>
      <div class="ops-field">
        <label for="ops-advance-ms">Advance by (ms)</label>
        <input
          id="ops-advance-ms"
          type="number"
          min={0}
          step={1000}
          required
          value={ms.value}
          onInput={(ev) => (ms.value = ev.currentTarget.value)}
        />
      </div>
      <button type="submit" class="ops-button" disabled={busy.value}>
        Advance clock
      </button>
      {error.value !== null && (
        <p class="ops-error" role="alert">
          {error.value}
        </p>
      )}
      <p class="ops-muted" role="status">
        {now.value === null ? '' : `Server time is now ${formatTime(now.value)}.`}
      </p>
    </form>
  );
}

function ResetControl({ onChange }: { onChange: (() => void) | undefined }) {
  const confirming = useSignal(false);
  const result = useSignal('');
  const refusal = useSignal<string | null>(null);
  const busy = useSignal(false);

  const reset = async (): Promise<void> => {
    busy.value = true;
    refusal.value = null;
    try {
      const r = await api<{ removed: { messages: number; contacts: number; webhook_deliveries: number } }>(
        '/sandbox/reset',
        { method: 'POST' },
      );
      result.value = `Removed ${count(r.removed.messages, 'message')}, ${count(r.removed.contacts, 'contact')} and ${count(r.removed.webhook_deliveries, 'webhook delivery', 'webhook deliveries')}.`;
      onChange?.();
    } catch (e) {
      // 409: the account has a line a real network carries; the message names it.
      refusal.value = e instanceof ApiError && e.status === 409 ? `Refused: ${e.message}` : errorText(e);
    } finally {
      busy.value = false;
      confirming.value = false;
    }
  };

  return (
    <div class="ops-stack">
      <h3>Reset account</h3>
      {confirming.value ? (
        <div class="ops-confirm" role="group" aria-label="Confirm reset">
          <p>
            Delete every message, contact, group and webhook delivery of this account? Keys, lines and webhook endpoints
            stay.
          </p>
          <div class="ops-row">
            <button type="button" class="ops-button ops-danger" disabled={busy.value} onClick={() => void reset()}>
              Yes, reset
            </button>
            <button type="button" class="ops-button" onClick={() => (confirming.value = false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <button type="button" class="ops-button ops-danger" onClick={() => (confirming.value = true)}>
          Reset account…
        </button>
      )}
      {refusal.value !== null && (
        <p class="ops-error" role="alert">
          {refusal.value}
        </p>
      )}
      <p class="ops-muted" role="status">
        {result.value}
      </p>
    </div>
  );
}
