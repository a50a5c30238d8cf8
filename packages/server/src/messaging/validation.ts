import { errors } from '../domain/errors.js';
import { parsePhone } from '../domain/phone.js';
import type { LinesPort } from '../store/ports/lines-port.js';

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
