import type { Clock } from '../domain/clock.js';
import type { VerifiedContact } from '../domain/contact-record.js';
import { parsePhone } from '../domain/phone.js';
import type { ContactRecordsPort } from '../store/ports/contact-records-port.js';
import type { LinesPort } from '../store/ports/lines-port.js';
import type { Caller } from './caller.js';

/** The line a contact must message to verify itself: the account's first line; null when it has none. */
export interface VerificationLine {
  number: string | null;
}

export interface VerifiedContactsDeps {
  store: ContactRecordsPort & Pick<LinesPort, 'listLines'>;
  clock: Clock;
}

/**
 * Verified contacts (`/v3/verified-contacts`). Sendblue's free plans share one line among accounts
 * and deliver only to contacts that messaged it; Tapback's lines are each one account's, so the
 * line to message is the account's first line, and a contact is verified once the account holds an
 * inbound message from it (on any of its lines, before or after the ask).
 */
export class VerifiedContactsService {
  constructor(private readonly deps: VerifiedContactsDeps) {}

  /** Creates the ask, or returns the one already made. */
  async create(caller: Caller, raw: string): Promise<{ contact: VerifiedContact; line: VerificationLine | null }> {
    const number = usOrE164(raw, 'phone_number');
    const contact = await this.deps.store.requestContactVerification({
      accountId: caller.accountId,
      number,
      now: this.deps.clock.now(),
    });
    return { contact, line: await this.line(caller) };
  }

  /** `contact` is null when no verification was asked for the number (another account's asks included). */
  async retrieve(
    caller: Caller,
    raw: string,
  ): Promise<{ contact: VerifiedContact | null; line: VerificationLine | null }> {
    const number = usOrE164(raw, 'phone_number');
    const contact = await this.deps.store.getVerifiedContact(caller.accountId, number);
    return { contact: contact ?? null, line: await this.line(caller) };
  }

  async list(caller: Caller): Promise<{ contacts: VerifiedContact[]; line: VerificationLine | null }> {
    return {
      contacts: await this.deps.store.listVerifiedContacts(caller.accountId),
      line: await this.line(caller),
    };
  }

  private async line(caller: Caller): Promise<VerificationLine | null> {
    const first = (await this.deps.store.listLines(caller.accountId))[0];
    return first === undefined ? null : { number: first.number };
  }
}

/**
 * E.164, or a US number written locally ("2125550199", "(212) 555-0199", "1 212 555 0199"), which
 * Sendblue's docs accept here: taken as +1. Anything else is checked as E.164 and refused as such.
 */
export function usOrE164(raw: string, field: string): string {
  const digits = raw.replace(/[\s().-]/g, '');
  if (/^\d{10}$/.test(digits)) return parsePhone(`+1${digits}`, field);
  if (/^1\d{10}$/.test(digits)) return parsePhone(`+${digits}`, field);
  return parsePhone(raw, field);
}
