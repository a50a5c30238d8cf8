import type { Clock } from '../domain/clock.js';
import { DEFAULT_HELP_REPLY } from '../domain/opt-out.js';
import { parsePhone } from '../domain/phone.js';
import type { Contact } from '../domain/contact.js';
import { wellFormed } from '../domain/validation.js';
import type { ContactsPort } from '../store/ports/contacts-port.js';
import type { Caller } from './caller.js';

/**
 * Opt-out by API (POST /api/v2/contacts/opt-out) and the account's HELP reply. Keywords in
 * inbound messages do the same through the store's inbound transaction (receive-message.ts).
 */
export class OptOutService {
  constructor(
    private readonly store: ContactsPort,
    private readonly clock: Clock,
  ) {}

  async setOptOut(caller: Caller, input: { number: string; opted_out?: boolean }): Promise<Contact> {
    const number = parsePhone(input.number, 'number');
    return this.store.setContactOptOut({
      accountId: caller.accountId,
      number,
      optedOut: input.opted_out ?? true,
      now: this.clock.now(),
    });
  }

  /** The HELP reply in effect, and whether it is the default. */
  async helpReply(caller: Caller): Promise<{ helpReply: string; isDefault: boolean }> {
    const settings = await this.store.getAccountSettings(caller.accountId);
    return { helpReply: settings.helpReply ?? DEFAULT_HELP_REPLY, isDefault: settings.helpReply === null };
  }

  /** `null` (or an empty text) returns to the default reply. */
  async setHelpReply(caller: Caller, text: string | null): Promise<{ helpReply: string; isDefault: boolean }> {
    const value = text === null || text.trim() === '' ? null : wellFormed(text);
    await this.store.updateAccountSettings(caller.accountId, { helpReply: value, now: this.clock.now() });
    return this.helpReply(caller);
  }
}
