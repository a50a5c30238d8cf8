import type { MessageStatus } from './message.js';

/**
 * The status machine. Status only moves forward: QUEUED -> SENT -> DELIVERED, with ERROR and
 * DECLINED final from anywhere before DELIVERED. A late SENT after DELIVERED is ignored rather
 * than applied, because providers' receipts can arrive out of order.
 */
const RANK: Partial<Record<MessageStatus, number>> = {
  QUEUED: 0,
  SENT: 1,
  DELIVERED: 2,
  ERROR: 3,
  DECLINED: 3,
};

const FINAL: ReadonlySet<MessageStatus> = new Set(['DELIVERED', 'ERROR', 'DECLINED', 'RECEIVED']);

export function isFinal(status: MessageStatus): boolean {
  return FINAL.has(status);
}

export function canTransition(from: MessageStatus, to: MessageStatus): boolean {
  if (isFinal(from)) return false;
  const a = RANK[from];
  const b = RANK[to];
  if (a === undefined || b === undefined) return false;
  return b > a;
}
