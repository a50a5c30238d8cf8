/** The most of an endpoint's answer kept per attempt, in bytes. */
export const EXCERPT_BYTES = 1024;

/**
 * The first `EXCERPT_BYTES` of a response body, read chunk by chunk: reading stops as soon as the
 * excerpt is full (leaving the loop destroys the body, so undici drops the connection rather than
 * drain a large or endless answer) or when the body fails (timeout, reset), keeping what came.
 * A body that ended within the excerpt leaves its connection reusable.
 */
export async function readExcerpt(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.byteLength;
      if (size >= EXCERPT_BYTES) break;
    }
  } catch {
    // The status line already arrived: a body cut short still yields the part that came.
  }
  return decodeExcerpt(Buffer.concat(chunks, Math.min(size, EXCERPT_BYTES)));
}

/**
 * UTF-8, lossy: invalid bytes become U+FFFD, a character cut at the end is dropped rather than
 * mangled, and NUL (which PostgreSQL's text type rejects) becomes U+FFFD too. Trimmed back to
 * `EXCERPT_BYTES` bytes, since replacement characters take three.
 */
export function decodeExcerpt(bytes: Uint8Array): string {
  let text = new TextDecoder('utf-8').decode(bytes, { stream: true }).replaceAll('\u0000', '\uFFFD');
  while (Buffer.byteLength(text) > EXCERPT_BYTES) text = [...text].slice(0, -1).join('');
  return text;
}
