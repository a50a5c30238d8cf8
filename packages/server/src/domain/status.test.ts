import { describe, expect, it } from 'vitest';
import { MESSAGE_STATUSES, type MessageStatus } from './message.js';
import { canTransition, isFinal } from './status.js';

/** The only moves the status machine allows; every other pair of statuses must be refused. */
const ALLOWED: readonly (readonly [MessageStatus, MessageStatus])[] = [
  ['QUEUED', 'SENT'],
  ['QUEUED', 'DELIVERED'],
  ['QUEUED', 'ERROR'],
  ['QUEUED', 'DECLINED'],
  ['SENT', 'DELIVERED'],
  ['SENT', 'ERROR'],
  ['SENT', 'DECLINED'],
];

describe('the status machine', () => {
  const pairs = MESSAGE_STATUSES.flatMap((from) => MESSAGE_STATUSES.map((to) => [from, to] as const));
  const allowed = new Set(ALLOWED.map(([from, to]) => `${from}>${to}`));

  it.each(pairs)('%s -> %s is allowed only if it moves forward from a status that is not final', (from, to) => {
    expect(canTransition(from, to)).toBe(allowed.has(`${from}>${to}`));
  });

  // A provider's late ERROR receipt after DELIVERED must not rewrite a delivered message.
  it.each(['ERROR', 'DECLINED'] as const)('never leaves DELIVERED, not even for %s', (to) => {
    expect(isFinal('DELIVERED')).toBe(true);
    expect(canTransition('DELIVERED', to)).toBe(false);
  });

  // A repeated receipt is not a change: applying it would bump status_sequence and send the same webhook twice.
  it.each(['QUEUED', 'SENT', 'DELIVERED', 'ERROR', 'DECLINED', 'RECEIVED'] as const)(
    'refuses %s -> the same status again',
    (status) => {
      expect(canTransition(status, status)).toBe(false);
    },
  );
});
