import type { Message } from '../api.js';
import { clockTime, isImageUrl, styleName } from '../format.js';

const STATUS_TEXT: Record<string, string> = {
  QUEUED: 'Queued',
  SENT: 'Sent',
  DELIVERED: 'Delivered',
  ERROR: 'Not delivered',
  DECLINED: 'Declined',
};

/** The tick marks beside an outbound message: ◌ queued, ✓ sent, ✓✓ delivered, "Read", red on failure. */
function Ticks({ m }: { m: Message }) {
  const failed = m.status === 'ERROR' || m.status === 'DECLINED';
  const read = m.date_read !== null && !failed;
  const mark = read
    ? '✓✓'
    : m.status === 'QUEUED'
      ? '◌'
      : m.status === 'SENT'
        ? '✓'
        : m.status === 'DELIVERED'
          ? '✓✓'
          : failed
            ? '!'
            : '';
  const text = read ? 'Read' : (STATUS_TEXT[m.status] ?? m.status);
  return (
    <span class={`ticks ticks-${m.status.toLowerCase()}${read ? ' ticks-read' : ''}`}>
      <span aria-hidden="true">{mark}</span> <span class={read || failed ? '' : 'sr-only'}>{text}</span>
    </span>
  );
}

export interface BubbleProps {
  m: Message;
  /** Whether the sender's name shows above (inbound group messages). */
  showSender: string | null;
  onOpen: (m: Message, opener: HTMLElement) => void;
}

/** One message: media, text, effect, time and status; the bubble itself opens the timeline. */
export function Bubble({ m, showSender, onOpen }: BubbleProps) {
  const side = m.is_outbound ? 'out' : 'in';
  const failed = m.status === 'ERROR' || m.status === 'DECLINED';
  const image = m.media_url !== '' && isImageUrl(m.media_url);
  const service = m.service.toLowerCase();
  return (
    <div class={`msg msg-${side}`}>
      {showSender !== null && <span class="sender">{showSender}</span>}
      <button
        type="button"
        class={`bubble bubble-${side} bubble-${service}${failed ? ' bubble-failed' : ''}${image && m.content === '' ? ' bubble-media-only' : ''}`}
        data-handle={m.message_handle}
        data-status={m.status}
        aria-haspopup="dialog"
        title="Show the timeline"
        onClick={(e) => onOpen(m, e.currentTarget)}
      >
        {image && <img src={m.media_url} alt="Attached image" loading="lazy" />}
        {m.content !== '' && <span class="bubble-text">{m.content}</span>}
      </button>
      {m.media_url !== '' && !image && (
        <a class="attachment" href={m.media_url} target="_blank" rel="noreferrer noopener">
          Attachment: {m.media_url.split('/').pop()}
        </a>
      )}
      <span class="msg-meta">
        {m.send_style !== '' && <span class="effect">sent with {styleName(m.send_style)}</span>}
        <time dateTime={m.date_created}>{clockTime(m.date_created)}</time>
        {m.is_outbound && <Ticks m={m} />}
      </span>
      {failed && m.error_message !== null && (
        <span class="msg-error">
          {m.error_message}
          {m.error_code !== null ? ` (${m.error_code})` : ''}
        </span>
      )}
    </div>
  );
}
