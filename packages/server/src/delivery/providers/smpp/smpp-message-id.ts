/**
 * SMSCs write one message id in two places: the submit_sm_resp `message_id` (and, per SMPP 3.4
 * §5.3.2.12, the `receipted_message_id` TLV, which repeats it) and the `id:` field of the receipt's
 * text (Appendix B), which many SMSCs print in decimal while the response is hex. Both sides are
 * reduced to one canonical form before Tapback stores or matches them:
 *
 * - an id read as a number (hex or decimal) becomes its decimal value without leading zeros
 *   (`0x1A2B`, `1a2b` as hex, `0006699` as decimal: all `6699`);
 * - an id that is not a number in its format stays as sent, trimmed (`abc-123`).
 *
 * `auto` reads an id with a letter a-f as hex and an all-digit id as decimal, which matches both
 * "hex response, decimal receipt" and "same text on both sides". It cannot tell that an all-digit
 * response id was meant as hex (`12345678` hex = `305419896`): an SMSC doing that needs the fixed
 * `submit_id=hex&receipt_id=decimal` (Kannel's `msg-id-type = 0x01`).
 */
export const ID_FORMATS = ['auto', 'hex', 'decimal', 'string'] as const;
export type IdFormat = (typeof ID_FORMATS)[number];

export function canonicalMessageId(raw: string, format: IdFormat): string {
  const id = raw.trim();
  if (format === 'string') return id;
  const hex = /^(0x)?[0-9a-f]+$/i.test(id);
  const decimal = /^[0-9]+$/.test(id);
  const asHex = format === 'hex' ? hex : format === 'auto' ? hex && !decimal : false;
  if (asHex) return BigInt(id.toLowerCase().startsWith('0x') ? id : `0x${id}`).toString(10);
  if (decimal && format !== 'hex') return BigInt(id).toString(10);
  return id;
}
