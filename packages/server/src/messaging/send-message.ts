import { createHash } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import type { Clock } from '../domain/clock.js';
import { newHandle } from '../domain/ids.js';
import { type Message, type SendStyle, toWire } from '../domain/message.js';
import { declinedForOptOut } from '../domain/opt-out.js';
import { parsePhone } from '../domain/phone.js';
import type { NewMessage } from '../domain/message.js';
import type { Store } from '../store/store.js';
import type { Caller } from './caller.js';
import { checkPublicUrl } from './urls.js';

/** The send body, after schema validation (types are right; values not yet checked). */
export interface SendInput {
  number: string;
  from_number: string;
  content?: string;
  media_url?: string;
  send_style?: SendStyle;
  status_callback?: string;
}

export interface SendOutcome {
  /** The JSON response body, byte-for-byte what the first request under an idempotency key got. */
  body: string;
  replayed: boolean;
}

export const MAX_CONTENT_LENGTH = 18_996;

export interface SendServiceDeps {
  store: Store;
  clock: Clock;
  /** Most messages an account may have waiting (status QUEUED) before sends get 429. */
  queueLimit: number;
  /** Called after a message and its job are committed, to wake the delivery worker. */
  onAccepted: (message: Message) => void;
}

/**
 * Accepting an outbound message: validate, then store the message and its delivery job in one
 * durable transaction. Every rejection happens before anything is stored, so a client may always
 * retry a 4xx/429 safely; once stored, the answer is a 200.
 */
export class SendService {
  /** Sends under an idempotency key that are being stored right now, so concurrent retries wait. */
  private readonly inflight = new Map<string, Promise<SendOutcome>>();

  constructor(private readonly deps: SendServiceDeps) {}

  async send(caller: Caller, input: SendInput, idempotencyKey?: string): Promise<SendOutcome> {
    if (idempotencyKey === undefined) return this.accept(caller, input, undefined);
    const requestHash = hashRequest(input);
    const slot = `${caller.accountId}:${idempotencyKey}`;
    const running = this.inflight.get(slot);
    if (running !== undefined) {
      await running.catch(() => undefined);
      return this.send(caller, input, idempotencyKey);
    }
    const work = this.accept(caller, input, { key: idempotencyKey, requestHash });
    this.inflight.set(slot, work);
    try {
      return await work;
    } finally {
      this.inflight.delete(slot);
    }
  }

  private async accept(
    caller: Caller,
    input: SendInput,
    idempotency: { key: string; requestHash: string } | undefined,
  ): Promise<SendOutcome> {
    const draft = await this.validate(caller, input);
    const body = JSON.stringify(toWire({ ...draft, id: 0, statusSeq: 0 }));
    // An opted-out recipient is decided by the store, inside the accepting transaction.
    const declined = declinedForOptOut(draft);
    const declinedBody = (): string => JSON.stringify(toWire({ ...declined, id: 0, statusSeq: 0 }));
    const result = await this.deps.store.acceptOutbound({
      message: draft,
      queueLimit: this.deps.queueLimit,
      ...(idempotency === undefined ? {} : { idempotency: { ...idempotency, responseBody: body } }),
      // Rendered ahead only when an idempotency key must store it; otherwise only if needed.
      whenOptedOut: { message: declined, responseBody: idempotency === undefined ? '' : declinedBody() },
    });
    switch (result.kind) {
      case 'accepted':
        this.deps.onAccepted(result.message);
        return { body: result.message.status === 'DECLINED' ? declinedBody() : body, replayed: false };
      case 'replay':
        if (idempotency !== undefined && result.requestHash !== idempotency.requestHash) {
          throw new AppError(
            'idempotency_key_reused',
            'This Idempotency-Key was already used with a different request body',
          );
        }
        return { body: result.responseBody, replayed: true };
      case 'queue_full':
        throw new AppError(
          'queue_full',
          `More than ${this.deps.queueLimit} messages are waiting to be sent for this account; retry later`,
          { headers: { 'retry-after': '1' } },
        );
    }
  }

  private async validate(caller: Caller, input: SendInput): Promise<NewMessage> {
    const to = parsePhone(input.number, 'number');
    const from = parsePhone(input.from_number, 'from_number');
    const line = await this.deps.store.findLine(from);
    if (line === undefined || line.accountId !== caller.accountId) {
      throw new AppError('unknown_line', `from_number ${from} is not a line of this account`, {
        details: [{ field: 'from_number', message: 'not a line of this account' }],
      });
    }
    const content = wellFormed(input.content ?? '');
    const mediaUrl = wellFormed(input.media_url ?? '');
    const statusCallback = input.status_callback === undefined ? null : wellFormed(input.status_callback);
    if (content.length > MAX_CONTENT_LENGTH) {
      throw new AppError('validation_failed', `content must be at most ${MAX_CONTENT_LENGTH} characters`, {
        details: [{ field: 'content', message: `longer than ${MAX_CONTENT_LENGTH} characters` }],
      });
    }
    if (content.trim() === '' && mediaUrl === '') {
      throw new AppError('validation_failed', 'content or media_url is required', {
        details: [{ field: 'content', message: 'content or media_url is required' }],
      });
    }
    if (mediaUrl !== '') checkPublicUrl(mediaUrl, 'media_url');
    if (statusCallback !== null) checkPublicUrl(statusCallback, 'status_callback');
    const now = this.deps.clock.now();
    return {
      handle: newHandle(),
      accountId: caller.accountId,
      accountEmail: caller.email,
      plan: caller.plan,
      isOutbound: true,
      status: 'QUEUED',
      content,
      mediaUrl,
      sendStyle: input.send_style ?? '',
      fromNumber: from,
      toNumber: to,
      number: to,
      sendblueNumber: from,
      service: 'iMessage',
      wasDowngraded: null,
      errorCode: null,
      errorMessage: null,
      errorReason: null,
      errorDetail: null,
      messageType: 'message',
      groupId: '',
      participants: [],
      groupDisplayName: '',
      optedOut: false,
      statusCallback,
      createdAt: now,
      sentAt: now,
      updatedAt: now,
    };
  }
}

/**
 * Lone UTF-16 surrogates (valid JSON escapes, invalid Unicode) cannot be stored as UTF-8, nor can
 * U+0000 be stored in PostgreSQL text: they become U+FFFD, as invalid UTF-8 bytes in a body
 * already do, so the answer matches what is stored, on every backend.
 */
export function wellFormed(text: string): string {
  // eslint-disable-next-line no-control-regex -- U+0000 is exactly what must be replaced
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\u0000/g, '\uFFFD');
}

/** A digest of the request's meaning: key order and absent-vs-default do not matter. */
function hashRequest(input: SendInput): string {
  const canonical = [
    input.number,
    input.from_number,
    input.content ?? '',
    input.media_url ?? '',
    input.send_style ?? '',
    input.status_callback ?? '',
  ];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}
