import { errors } from '../domain/errors.js';
import type { LinesPort } from '../store/ports/lines-port.js';
import type { MessagesPort } from '../store/ports/messages-port.js';
import type { Caller } from './caller.js';
import { existingConversation } from './validation.js';

/** POST /api/mark-read, after schema validation. */
export interface MarkReadInput {
  number: string;
  from_number: string;
}

/** Sendblue's answer to a mark-read request it accepted. */
export interface MarkReadResult {
  status: 'OK';
  message: 'Mark read request sent';
  number: string;
}

export interface MarkReadDeps {
  store: MessagesPort & LinesPort;
  /** Marks the conversation read on the line's network (delivery/line-capabilities.ts). */
  markRead: (line: string, to: string) => Promise<'marked' | 'unavailable'>;
}

/**
 * Read receipts sent by the account: marks its 1:1 conversation with a contact read on the line's
 * network, so the contact sees that the line read their messages. Best effort, as on Sendblue: the
 * answer says the request went to the network, not that the contact's device showed it. It stores
 * nothing, so a retry simply asks again.
 */
export class MarkReadService {
  constructor(private readonly deps: MarkReadDeps) {}

  async markRead(caller: Caller, input: MarkReadInput): Promise<MarkReadResult> {
    const { number, line } = await existingConversation(this.deps.store, caller.accountId, input);
    if ((await this.deps.markRead(line, number)) === 'unavailable') {
      throw errors.readReceiptsUnavailable('from_number', line);
    }
    return { status: 'OK', message: 'Mark read request sent', number };
  }
}
