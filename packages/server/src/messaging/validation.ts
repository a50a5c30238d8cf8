import { errors } from '../domain/errors.js';
import { parsePhone } from '../domain/phone.js';
import type { LinesPort } from '../store/ports/lines-port.js';
import type { MessagesPort } from '../store/ports/messages-port.js';

/**
 * `raw` as one of the account's lines, or `unknown_line`: the check behind every `from_number`
 * (and a contact's `to`). Another account's line is refused exactly as a number that is no line
 * at all, so the answer tells nothing about other tenants. The pure checks are in
 * domain/validation.ts.
 */
export async function ownLine(lines: LinesPort, accountId: number, raw: string, field: string): Promise<string> {
  const number = parsePhone(raw, field);
  const line = await lines.findLine(number);
  if (line === undefined || line.accountId !== accountId) throw errors.unknownLine(field, number);
  return number;
}

/**
 * `raw` as one of the account's sandbox lines: the sandbox routes inject contacts' messages and
 * typing only where no real network carries the line, so an API key cannot forge inbound traffic
 * on a real line.
 */
export async function sandboxLine(lines: LinesPort, accountId: number, raw: string, field: string): Promise<string> {
  const number = await ownLine(lines, accountId, raw, field);
  const line = await lines.findLine(number);
  if (line !== undefined && line.provider !== 'sandbox') throw errors.notSandboxLine(field, number, line.provider);
  return number;
}

/**
 * The contact `number` and the account's line `from_number` of a request about an existing 1:1
 * conversation (typing indicators, read receipts): a network acts on a chat it already has, so
 * without an earlier message either way the answer is `no_route_mapping`.
 */
export async function existingConversation(
  store: MessagesPort & LinesPort,
  accountId: number,
  input: { number: string; from_number: string },
): Promise<{ number: string; line: string }> {
  const number = parsePhone(input.number, 'number');
  const line = await ownLine(store, accountId, input.from_number, 'from_number');
  const { total } = await store.listMessages(accountId, {
    limit: 1,
    offset: 0,
    orderBy: 'createdAt',
    orderDirection: 'desc',
    number,
    sendblueNumber: line,
    messageType: 'message',
  });
  if (total === 0) throw errors.noRouteMapping('number', number, line);
  return { number, line };
}
