import { errors } from '../domain/errors.js';
import type { Message, NewMessage } from '../domain/message.js';
import { toWire } from '../domain/message.js';
import { declinedForOptOut } from '../domain/opt-out.js';
import type { MessagesPort } from '../store/ports/messages-port.js';
import type { AcceptKey } from './request-identity.js';

export interface SendOutcome {
  /** The JSON response body, byte-for-byte what the first request under an idempotency key got. */
  body: string;
  replayed: boolean;
}

export interface AcceptDraftDeps {
  store: MessagesPort;
  queueLimit: number;
  /** Called once the message is committed: wakes the worker, the dispatcher and waiters. */
  onAccepted: (message: Message) => void;
}

/**
 * Stores a validated outbound message with its delivery job, as every send-like route does: the
 * response body rendered before the write (a replay under `idempotency` gets it byte for byte), an
 * opted-out recipient's DECLINED copy decided by the store inside the same transaction, and a
 * repeated key with another request refused.
 */
export async function acceptDraft(
  deps: AcceptDraftDeps,
  draft: NewMessage,
  idempotency: AcceptKey | undefined,
): Promise<SendOutcome> {
  const body = JSON.stringify(toWire({ ...draft, id: 0, statusSeq: 0 }));
  const declined = declinedForOptOut(draft);
  const declinedBody = (): string => JSON.stringify(toWire({ ...declined, id: 0, statusSeq: 0 }));
  const result = await deps.store.acceptOutbound({
    message: draft,
    queueLimit: deps.queueLimit,
    ...(idempotency === undefined ? {} : { idempotency: { ...idempotency, responseBody: body } }),
    // Rendered ahead only when an idempotency key must store it; otherwise only if needed.
    whenOptedOut: { message: declined, responseBody: idempotency === undefined ? '' : declinedBody() },
  });
  switch (result.kind) {
    case 'accepted':
      deps.onAccepted(result.message);
      return { body: result.message.status === 'DECLINED' ? declinedBody() : body, replayed: false };
    case 'replay':
      if (idempotency !== undefined && result.requestHash !== idempotency.requestHash) {
        throw errors.idempotencyKeyReused();
      }
      return { body: result.responseBody, replayed: true };
    case 'queue_full':
      throw errors.queueFull(deps.queueLimit);
  }
}
