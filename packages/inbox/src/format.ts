/** `+14155550123` → `(415) 555-0123`; other numbers as they are. */
export function formatPhone(number: string): string {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(number);
  return m === null ? number : `(${m[1]}) ${m[2]}-${m[3]}`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "now", "5m", "3h", "Tue", "Nov 3": a conversation list's time column. */
export function relativeTime(iso: string, now = Date.now()): string {
  const t = Date.parse(iso);
  const age = now - t;
  if (age < MINUTE) return 'now';
  if (age < HOUR) return `${Math.floor(age / MINUTE)}m`;
  if (age < DAY) return `${Math.floor(age / HOUR)}h`;
  return (age < 7 * DAY ? WEEKDAY : MONTH_DAY).format(t);
}

// Formatters are built once: a list re-renders its rows on every scroll step.
const WEEKDAY = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
const MONTH_DAY = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const CLOCK = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const FULL = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function clockTime(iso: string): string {
  return CLOCK.format(Date.parse(iso));
}

export function fullTime(iso: string): string {
  return FULL.format(Date.parse(iso));
}

/** The effect's name as Messages shows it: `shooting_star` → "Shooting Star". */
export function styleName(style: string): string {
  return style
    .split('_')
    .map((w) => (w === '' ? w : w[0]?.toUpperCase() + w.slice(1)))
    .join(' ');
}

/** Every `send_style` the API takes (the iMessage expressive effects). */
export const SEND_STYLES = [
  'celebration',
  'shooting_star',
  'fireworks',
  'lasers',
  'love',
  'confetti',
  'balloons',
  'spotlight',
  'echo',
  'invisible',
  'gentle',
  'loud',
  'slam',
] as const;

const IMAGE = /\.(png|jpe?g|gif|webp|heic|avif|svg)(\?|#|$)/i;

export function isImageUrl(url: string): boolean {
  return IMAGE.test(url);
}
