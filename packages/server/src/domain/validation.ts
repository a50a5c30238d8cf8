import { errors } from './errors.js';

/**
 * The checks every way a message comes in shares (1:1 send, group send, a contact's inbound
 * message), written once so that the same mistake gets the same error everywhere. Pure: the one
 * check that reads the store (is this line the caller's?) is `ownLine` in messaging/validation.ts.
 */

/** The longest `content`, in UTF-16 code units; the request schemas declare the same limit. */
export const MAX_CONTENT_LENGTH = 18_996;

const MAX_URL_LENGTH = 2048;

/**
 * Lone UTF-16 surrogates (valid JSON escapes, invalid Unicode) cannot be stored as UTF-8, nor can
 * U+0000 be stored in PostgreSQL text: they become U+FFFD, as invalid UTF-8 bytes in a body
 * already do, so the answer matches what is stored, on every backend.
 */
export function wellFormed(text: string): string {
  // eslint-disable-next-line no-control-regex -- U+0000 is exactly what must be replaced
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\u0000/g, '\uFFFD');
}

/**
 * Syntax checks for URLs a client hands us (media, status callbacks, webhook entries): absolute
 * http(s), no credentials, sane length. Where the URL may point (the SSRF guard on the connected
 * address) is checked again at connection time by whatever fetches it.
 */
export function checkPublicUrl(raw: string, field: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw errors.validation(field, 'is not an absolute URL');
  }
  if (raw.length > MAX_URL_LENGTH) throw errors.validation(field, `is longer than ${MAX_URL_LENGTH} characters`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw errors.validation(field, 'must use http or https');
  if (url.username !== '' || url.password !== '') throw errors.validation(field, 'must not contain credentials');
  return url;
}

/** A message's text and media as a client gives them: made well-formed, then checked. */
export function messageBody(input: { content?: string; media_url?: string }): { content: string; mediaUrl: string } {
  const content = wellFormed(input.content ?? '');
  const mediaUrl = wellFormed(input.media_url ?? '');
  if (content.length > MAX_CONTENT_LENGTH) {
    throw errors.validation('content', `must be at most ${MAX_CONTENT_LENGTH} characters`);
  }
  if (content.trim() === '' && mediaUrl === '')
    throw errors.validation('content', 'is required unless media_url is given');
  if (mediaUrl !== '') checkPublicUrl(mediaUrl, 'media_url');
  return { content, mediaUrl };
}

/** A send's `status_callback`, made well-formed and checked; null when not given. */
export function statusCallbackUrl(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const url = wellFormed(raw);
  checkPublicUrl(url, 'status_callback');
  return url;
}
