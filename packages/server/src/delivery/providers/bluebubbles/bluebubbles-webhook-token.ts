import { createHmac, timingSafeEqual } from 'node:crypto';

/** Where BlueBubbles webhooks land on Tapback, before the per-line token. */
export const BLUEBUBBLES_HOOK_PATH = '/network-hooks/bluebubbles';

/**
 * The secret in a line's webhook URL. BlueBubbles signs nothing, so knowing the URL is the only
 * authentication: an HMAC-SHA256 of the line's number under the line's BlueBubbles password, which
 * only the operator and the BlueBubbles server itself know. It is the same after every restart and
 * in every process, and changes (with the URL) when the password does.
 */
export function blueBubblesWebhookToken(line: string, password: string): string {
  return createHmac('sha256', password).update(`tapback bluebubbles webhook\n${line}`).digest('base64url').slice(0, 32);
}

/**
 * The line's webhook URL under `publicUrl`. The `line` query parameter is not secret: it tells
 * Tapback's registration which registered webhook is this line's when the token changed.
 */
export function blueBubblesWebhookUrl(publicUrl: string, line: string, password: string): string {
  const base = publicUrl.replace(/\/+$/, '');
  return `${base}${BLUEBUBBLES_HOOK_PATH}/${blueBubblesWebhookToken(line, password)}?line=${encodeURIComponent(line)}`;
}

/** Whether `token` is `line`'s, compared in constant time. */
export function isBlueBubblesWebhookToken(token: string, line: string, password: string): boolean {
  const want = Buffer.from(blueBubblesWebhookToken(line, password));
  const got = Buffer.from(token);
  return got.length === want.length && timingSafeEqual(got, want);
}
