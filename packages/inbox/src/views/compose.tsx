import { useEffect, useState } from 'preact/hooks';
import { type Message, api, errorText } from '../api.js';
import { SEND_STYLES, styleName } from '../format.js';
import type { ThreadRef } from '../route.js';
import { upload } from '../upload.js';
import './compose.css';

/** A file kept by the server, ready to go out as the message's `media_url`. */
interface Attachment {
  media_url: string;
  content_type: string;
  /** What the attachment is called in the compose box. */
  name: string;
  /** A local preview of an image chosen from disk (an object URL, released when it goes). */
  preview: string | null;
}

/** The types the server keeps (images, audio, video, PDF, vCard); the picker offers these. */
const ACCEPT = 'image/*,video/*,audio/*,application/pdf,text/vcard,.vcf';

/**
 * Writes to the open thread: Enter sends, Shift+Enter starts a new line. The paperclip picks a
 * file from disk, uploaded at once (`POST /api/upload-file`); the link button attaches a file at a
 * URL instead, which the server fetches (`POST /api/upload-media-object`). Either way the message
 * carries the URL the server serves the file at.
 */
export function Compose({
  thread,
  service,
  onSent,
}: {
  thread: ThreadRef;
  service: string;
  onSent: (m: Message) => void;
}) {
  const [text, setText] = useState('');
  const [style, setStyle] = useState('');
  const [urlOpen, setUrlOpen] = useState(false);
  const [attachUrl, setAttachUrl] = useState('');
  const [media, setMedia] = useState<Attachment | null>(null);
  const [uploading, setUploading] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // An image preview is an object URL: release it when the attachment is replaced or removed.
  useEffect(() => {
    const preview = media?.preview ?? null;
    return () => {
      if (preview !== null) URL.revokeObjectURL(preview);
    };
  }, [media]);

  async function attachFile(file: File) {
    setBusy(true);
    setUploading(file.name);
    setError(null);
    try {
      const up = await upload(file);
      const preview = up.content_type.startsWith('image/') ? URL.createObjectURL(file) : null;
      setMedia({ media_url: up.media_url, content_type: up.content_type, name: file.name, preview });
      setUrlOpen(false);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setUploading(null);
      setBusy(false);
    }
  }

  async function attachByUrl() {
    setBusy(true);
    setError(null);
    try {
      const up = await api<{ media_url: string; content_type: string }>('/api/upload-media-object', {
        body: { media_url: attachUrl.trim() },
      });
      const name = decodeURIComponent(up.media_url.split('/').pop() ?? 'file');
      setMedia({ media_url: up.media_url, content_type: up.content_type, name, preview: null });
      setUrlOpen(false);
      setAttachUrl('');
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  async function send() {
    const content = text.trim();
    if ((content === '' && media === null) || busy) return;
    setBusy(true);
    setError(null);
    const body: Record<string, unknown> = { from_number: thread.line };
    if (content !== '') body.content = content;
    if (style !== '') body.send_style = style;
    if (media !== null) body.media_url = media.media_url;
    try {
      const sent =
        thread.groupId !== null
          ? await api<Message>('/api/send-group-message', { body: { ...body, group_id: thread.groupId } })
          : await api<Message>('/api/send-message', { body: { ...body, number: thread.number } });
      onSent(sent);
      setText('');
      setMedia(null);
      setStyle('');
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      class="compose"
      aria-label="Write a message"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      {error !== null && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {uploading !== null && (
        <p class="attached" role="status">
          Uploading {uploading}…
        </p>
      )}
      {media !== null && (
        <div class="attached" role="group" aria-label="Attachment">
          {media.preview !== null ? (
            <img class="attached-thumb" src={media.preview} alt={`Preview of ${media.name}`} />
          ) : (
            <span class="attached-file" aria-hidden="true">
              <PaperclipIcon />
            </span>
          )}
          <span class="attached-name">{media.name}</span>
          <button type="button" class="ghost small" aria-label={`Remove ${media.name}`} onClick={() => setMedia(null)}>
            Remove
          </button>
        </div>
      )}
      {urlOpen && (
        <div class="attach-row">
          <label for="attach-url">File URL</label>
          <input
            id="attach-url"
            type="url"
            placeholder="https://example.com/photo.jpg"
            value={attachUrl}
            onInput={(e) => setAttachUrl(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                void attachByUrl();
              }
            }}
          />
          <button type="button" disabled={busy || attachUrl.trim() === ''} onClick={() => void attachByUrl()}>
            Attach
          </button>
        </div>
      )}
      <div class="compose-row">
        {/* A real file input, in the tab order and named by its label: the label is the visible paperclip. */}
        <input
          id="attach-file"
          class="file-input sr-only"
          type="file"
          accept={ACCEPT}
          disabled={busy}
          onChange={(e) => {
            const input = e.currentTarget;
            const file = input.files?.[0];
            // Cleared at once, so choosing the same file again fires another change.
            input.value = '';
            if (file !== undefined) void attachFile(file);
          }}
        />
        <label for="attach-file" class="icon-button file-label" title="Attach a file">
          <PaperclipIcon />
          <span class="sr-only">Attach a file</span>
        </label>
        <button
          type="button"
          class="icon-button"
          aria-expanded={urlOpen}
          aria-label="Attach from a URL"
          title="Attach from a URL"
          onClick={() => setUrlOpen(!urlOpen)}
        >
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
            <path
              fill="none"
              stroke="currentColor"
              stroke-width="2"
              stroke-linecap="round"
              d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1"
            />
          </svg>
        </button>
        <label class="sr-only" for="compose-text">
          Message
        </label>
        <textarea
          id="compose-text"
          rows={1}
          placeholder={service === 'iMessage' ? 'iMessage' : 'Text Message'}
          value={text}
          onInput={(e) => {
            const el = e.currentTarget;
            setText(el.value);
            el.style.height = 'auto';
            el.style.height = `${Math.min(el.scrollHeight, 160)}px`;
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              void send();
            }
          }}
        />
        <label class="sr-only" for="send-style">
          Effect
        </label>
        <select id="send-style" value={style} onChange={(e) => setStyle(e.currentTarget.value)} title="Effect">
          <option value="">No effect</option>
          {SEND_STYLES.map((s) => (
            <option key={s} value={s}>
              {styleName(s)}
            </option>
          ))}
        </select>
        <button type="submit" class="send" disabled={busy || (text.trim() === '' && media === null)} aria-label="Send">
          <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
            <path fill="currentColor" d="M12 4l7 7-1.4 1.4L13 7.8V20h-2V7.8l-4.6 4.6L5 11z" />
          </svg>
        </button>
      </div>
    </form>
  );
}

function PaperclipIcon() {
  return (
    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
      <path
        fill="none"
        stroke="currentColor"
        stroke-width="2"
        stroke-linecap="round"
        d="M20 11.5l-7.8 7.8a5 5 0 0 1-7.1-7.1l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7l-8.5 8.5a1.7 1.7 0 0 1-2.4-2.4l7.8-7.8"
      />
    </svg>
  );
}
