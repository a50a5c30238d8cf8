import { randomUUID } from 'node:crypto';
import { errors } from '../domain/errors.js';
import type { AppCardPayload, WireAppCard } from '../domain/message-payload.js';
import { checkPublicUrl, wellFormed } from '../domain/validation.js';
import { type AddressCheck, refusePrivateUrl } from './url-policy.js';

/**
 * `app_card` of a send, after schema validation (the official SDK's `MessageSendParams.AppCard`):
 * the card as the wire shows it, without what Tapback fills in.
 */
export type AppCardInput = Omit<WireAppCard, 'interactive' | 'sessionIdentifier' | 'updateMessageHandle'> &
  Partial<Pick<WireAppCard, 'interactive' | 'sessionIdentifier'>>;

/** Sendblue: HTTPS URLs up to 2048 characters; data: URLs (inline app state) up to 16384. */
const MAX_HTTPS_URL = 2048;

/**
 * The card a send carries, checked as Sendblue documents it: the tap URL is https (or a data: URL of
 * inline app state, which reaches nothing), and the preview image a public URL. A new card starts
 * a session of its own unless the send names one.
 */
export function appCardPayload(input: AppCardInput, urlPolicy: AddressCheck | undefined): AppCardPayload {
  const url = wellFormed(input.url);
  if (!url.startsWith('data:')) {
    if (!url.startsWith('https://')) throw errors.validation('app_card.url', 'must be an https:// or data: URL');
    if (url.length > MAX_HTTPS_URL) {
      throw errors.validation('app_card.url', `must be at most ${MAX_HTTPS_URL} characters unless a data: URL`);
    }
    checkPublicUrl(url, 'app_card.url');
    refusePrivateUrl(urlPolicy, url, 'app_card.url');
  }
  const image = input.layout.imageUrl;
  if (image !== undefined) {
    checkPublicUrl(wellFormed(image), 'app_card.layout.imageUrl');
    refusePrivateUrl(urlPolicy, wellFormed(image), 'app_card.layout.imageUrl');
  }
  return {
    kind: 'app_card',
    appName: wellFormed(input.appName),
    extensionBundleId: wellFormed(input.extensionBundleId),
    teamId: wellFormed(input.teamId),
    url,
    layout: input.layout,
    fallbackText: input.fallbackText === undefined ? null : wellFormed(input.fallbackText),
    interactive: input.interactive ?? false,
    appStoreId: input.appStoreId ?? null,
    sessionIdentifier: input.sessionIdentifier ?? randomUUID(),
    updateMessageHandle: null,
  };
}
