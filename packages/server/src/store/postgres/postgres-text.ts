/**
 * PostgreSQL `text` cannot hold U+0000 (SQLite's can; the API never stores it, see
 * messaging/send-message.ts), so no stored value contains it. A lookup by a string that does
 * therefore finds nothing, as it does on SQLite, instead of failing with "invalid byte sequence
 * for encoding UTF8: 0x00".
 */
export function matchesNothing(...values: unknown[]): boolean {
  return values.some((v) => typeof v === 'string' && v.includes('\u0000'));
}
