import { createHash } from 'node:crypto';
import { errors } from '../domain/errors.js';
import type { NewMessage, SendStyle } from '../domain/message.js';
import { parsePhone } from '../domain/phone.js';
import { checkPublicUrl, statusCallbackUrl, wellFormed } from '../domain/validation.js';
import type { Caller } from './caller.js';
import { type SendOutcome, acceptDraft } from './accept-draft.js';
import type { SendServiceDeps } from './send-message.js';
import { outboundDraft } from './message-drafts.js';
import { IdentifiedAccepts, type RequestIdentity } from './request-identity.js';
import { refusePrivateUrl } from './url-policy.js';
import { ownLine } from './validation.js';

/** Sendblue: "The carousel must contain between 2 and 20 ... image URLs". */
export const MIN_CAROUSEL_IMAGES = 2;
export const MAX_CAROUSEL_IMAGES = 20;

/** POST /api/send-carousel, after schema validation. */
export interface CarouselInput {
  number: string;
  from_number: string;
  media_urls: string[];
  send_style?: SendStyle;
  status_callback?: string;
}

/** The same as a send's: the store, the clock, the queue limit, the URL policy, the retry window. */
export type CarouselDeps = SendServiceDeps;

/**
 * A carousel of images to one recipient: one message of type `carousel` whose `media_url` is the
 * first image and whose other images are kept with it; stored, delivered, reported and subject to
 * opt-out like any 1:1 message. A repeated `Idempotency-Key` replays the first response, as on
 * `/api/send-message` (the two share the account's keys).
 */
export class CarouselService {
  private readonly accepts: IdentifiedAccepts<SendOutcome>;

  constructor(private readonly deps: CarouselDeps) {
    this.accepts = new IdentifiedAccepts(deps);
  }

  /**
   * `identity`: an `Idempotency-Key` (a string, or `{kind: 'key'}`) or the request's digest, which
   * an official SDK retry is matched on (request-identity.ts); without one, nothing is replayed.
   */
  send(caller: Caller, input: CarouselInput, identity?: string | RequestIdentity): Promise<SendOutcome> {
    return this.accepts.run(
      caller.accountId,
      identity,
      () => hashRequest(input),
      async (key) => acceptDraft(this.deps, await this.validate(caller, input), key),
    );
  }

  private async validate(caller: Caller, input: CarouselInput): Promise<NewMessage> {
    const to = parsePhone(input.number, 'number');
    const line = await ownLine(this.deps.store, caller.accountId, input.from_number, 'from_number');
    if (input.media_urls.length < MIN_CAROUSEL_IMAGES || input.media_urls.length > MAX_CAROUSEL_IMAGES) {
      throw errors.validation(
        'media_urls',
        `must hold ${MIN_CAROUSEL_IMAGES} to ${MAX_CAROUSEL_IMAGES} image URLs; send one image with /api/send-message`,
      );
    }
    const mediaUrls = input.media_urls.map((raw, i) => {
      const url = wellFormed(raw);
      checkPublicUrl(url, `media_urls[${i}]`);
      refusePrivateUrl(this.deps.urlPolicy, url, `media_urls[${i}]`);
      return url;
    });
    const statusCallback = statusCallbackUrl(input.status_callback);
    refusePrivateUrl(this.deps.urlPolicy, statusCallback ?? '', 'status_callback');
    return {
      ...outboundDraft(caller, {
        line,
        to,
        content: '',
        mediaUrl: mediaUrls[0],
        sendStyle: input.send_style ?? '',
        statusCallback,
        now: this.deps.clock.now(),
      }),
      messageType: 'carousel',
      typePayload: { kind: 'carousel', mediaUrls },
    };
  }
}

/** The request's meaning, told apart from a `/api/send-message` body under the same key. */
function hashRequest(input: CarouselInput): string {
  const canonical = [
    'carousel',
    input.number,
    input.from_number,
    input.media_urls,
    input.send_style ?? '',
    input.status_callback ?? '',
  ];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}
