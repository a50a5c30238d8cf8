import { errors } from '../domain/errors.js';
import type { Message, NewMessage, Service } from '../domain/message.js';
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
  /** Routing's word on a new message's service; the draft's own service stands without it. */
  routeService?: RouteService;
}

/**
 * The service (and downgrade) routing gives a message from `line` to `to`, decided from what is
 * known without waiting on a network; undefined to keep the draft's.
 */
export type RouteService = (
  line: string,
  to: string,
) => Promise<{ service: Service; wasDowngraded: boolean | null } | undefined>;

/**
 * Stores a validated outbound message with its delivery job, as every send-like route does: the
 * response body rendered before the write (a replay under `idempotency` gets it byte for byte), an
 * opted-out recipient's DECLINED copy decided by the store inside the same transaction, and a
 * repeated key with another request refused.
 */
export async function acceptDraft(
  deps: AcceptDraftDeps,
  unrouted: NewMessage,
  idempotency: AcceptKey | undefined,
): Promise<SendOutcome> {
  const draft = await routed(deps, unrouted);
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

/** A 1:1 draft as routing sends it: the QUEUED response already says SMS for an SMS-only recipient. */
async function routed(deps: AcceptDraftDeps, draft: NewMessage): Promise<NewMessage> {
  if (deps.routeService === undefined || !draft.isOutbound || draft.toNumber === '') return draft;
  const route = await deps.routeService(draft.sendblueNumber, draft.toNumber);
  return route === undefined ? draft : { ...draft, service: route.service, wasDowngraded: route.wasDowngraded };
}
