import type { Line } from '../domain/account.js';
import type { Clock } from '../domain/clock.js';
import { errors } from '../domain/errors.js';
import { parsePhone } from '../domain/phone.js';
import type { CallForwardingPort } from '../store/ports/call-forwarding-port.js';
import type { LinesPort } from '../store/ports/lines-port.js';
import type { Caller } from './caller.js';

export interface CallForwardingView {
  forwarding_number: string | null;
  sendblue_number: string;
}

/** Ten digits, or eleven starting with 1, with the punctuation people write US numbers with. */
const US_LOCAL = /^(?:\+?1)?[\s.-]*\(?(\d{3})\)?[\s.-]*(\d{3})[\s.-]*(\d{4})$/;

/**
 * Per-line call forwarding. The line is named in the path: another account's line, or a number
 * that is no line, is a 404 (not `unknown_line`, which is for body fields).
 */
export class CallForwardingService {
  constructor(private readonly deps: { store: CallForwardingPort & Pick<LinesPort, 'findLine'>; clock: Clock }) {}

  async get(caller: Caller, sendblueNumber: string): Promise<CallForwardingView> {
    const line = await this.line(caller, sendblueNumber);
    const forwarding = await this.deps.store.getCallForwarding(caller.accountId, line.id);
    return { forwarding_number: forwarding, sendblue_number: line.number };
  }

  async set(caller: Caller, sendblueNumber: string, raw: string): Promise<CallForwardingView> {
    const line = await this.line(caller, sendblueNumber);
    const number = normaliseForwardingNumber(raw);
    if (number === line.number) throw errors.validation('forwarding_number', 'must differ from the line itself');
    await this.deps.store.setCallForwarding({
      accountId: caller.accountId,
      lineId: line.id,
      forwardingNumber: number,
      now: this.deps.clock.now(),
    });
    return { forwarding_number: number, sendblue_number: line.number };
  }

  /** Idempotent: clearing a line without forwarding answers the same. */
  async clear(caller: Caller, sendblueNumber: string): Promise<CallForwardingView> {
    const line = await this.line(caller, sendblueNumber);
    await this.deps.store.clearCallForwarding(caller.accountId, line.id);
    return { forwarding_number: null, sendblue_number: line.number };
  }

  private async line(caller: Caller, sendblueNumber: string): Promise<Line> {
    const line = await this.deps.store.findLine(sendblueNumber.trim());
    if (line === undefined || line.accountId !== caller.accountId) throw errors.notFound('Line');
    return line;
  }
}

/**
 * E.164 as given, or a US number in local form (`2125550199`, `(212) 555-0199`, `1-212-555-0199`)
 * as +1…; then the same checks every number gets (possible, not an emergency number).
 */
export function normaliseForwardingNumber(raw: string): string {
  const text = raw.trim();
  const us = text.startsWith('+') && !text.startsWith('+1') ? null : US_LOCAL.exec(text);
  const e164 = us === null ? text : `+1${us[1]}${us[2]}${us[3]}`;
  return parsePhone(e164, 'forwarding_number');
}
