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
