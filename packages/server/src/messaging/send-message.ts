import { createHash } from 'node:crypto';
import { errors } from '../domain/errors.js';
import type { Clock } from '../domain/clock.js';
import { type Message, type SendStyle, toWire } from '../domain/message.js';
import { declinedForOptOut } from '../domain/opt-out.js';
import { parsePhone } from '../domain/phone.js';
import type { NewMessage } from '../domain/message.js';
import type { LinesPort } from '../store/ports/lines-port.js';
import type { MessagesPort } from '../store/ports/messages-port.js';
import type { Caller } from './caller.js';
import { outboundDraft } from './message-drafts.js';
import { messageBody, statusCallbackUrl } from '../domain/validation.js';
import { ownLine } from './validation.js';

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

export interface SendServiceDeps {
  store: MessagesPort & LinesPort;
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
          throw errors.idempotencyKeyReused();
        }
        return { body: result.responseBody, replayed: true };
      case 'queue_full':
        throw errors.queueFull(this.deps.queueLimit);
    }
  }

  private async validate(caller: Caller, input: SendInput): Promise<NewMessage> {
    const to = parsePhone(input.number, 'number');
    const from = await ownLine(this.deps.store, caller.accountId, input.from_number, 'from_number');
    const { content, mediaUrl } = messageBody(input);
    const statusCallback = statusCallbackUrl(input.status_callback);
    return outboundDraft(caller, {
      line: from,
      to,
      content,
      mediaUrl,
      sendStyle: input.send_style ?? '',
      statusCallback,
      now: this.deps.clock.now(),
    });
  }
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
