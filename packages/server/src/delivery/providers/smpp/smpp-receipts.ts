import { DELIVERY_ERRORS } from '../../../domain/delivery-errors.js';
import type { StatusPatch } from '../../../domain/job.js';
import type { IdFormat } from './smpp-message-id.js';
import { canonicalMessageId } from './smpp-message-id.js';

/**
 * Delivery receipts (SMPP 3.4 §2.11, Appendix B). A deliver_sm or data_sm is a receipt when its
 * esm_class says so (bits 2-5: SMSC delivery receipt, SME acknowledgement, intermediate
 * notification) or it carries `receipted_message_id`. The id and state come from the TLVs when
 * present (`receipted_message_id`, `message_state`), else from the de-facto receipt text
 * `id:… sub:… dlvrd:… submit date:… done date:… stat:… err:… text:…`.
 */
export const RECEIPT_STATES = [
  'DELIVRD',
  'EXPIRED',
  'DELETED',
  'UNDELIV',
  'ACCEPTD',
  'UNKNOWN',
  'REJECTD',
  'ENROUTE',
] as const;
export type ReceiptState = (typeof RECEIPT_STATES)[number];

/** message_state TLV values (§5.3.2.35) in the receipt text's words. */
const MESSAGE_STATE: Record<number, ReceiptState> = {
  1: 'ENROUTE',
  2: 'DELIVRD',
  3: 'EXPIRED',
  4: 'DELETED',
  5: 'UNDELIV',
  6: 'ACCEPTD',
  7: 'UNKNOWN',
  8: 'REJECTD',
};

/** Error codes a failed receipt carries: 10002 when the SMSC itself does not know what happened. */
export const RECEIPT_FAILED_CODE = DELIVERY_ERRORS.sendFailed;
export const RECEIPT_UNKNOWN_CODE = DELIVERY_ERRORS.statusUnknown;

export interface ReceiptFields {
  esmClass: number;
  /** The decoded short_message / message_payload. */
  text: string;
  receiptedMessageId?: string | undefined;
  messageState?: number | undefined;
  /** network_error_code TLV: type (1 GSM, 2 ANSI-136, …) then a 16-bit code. */
  networkErrorCode?: Uint8Array | undefined;
}

export interface ParsedReceipt {
  /** The id in its canonical form (smpp-message-id.ts). */
  networkMessageId: string;
  state: ReceiptState;
  /** The carrier's error: the text's `err:` and/or the network_error_code TLV. */
  error: string | undefined;
}

export function isReceipt(f: Pick<ReceiptFields, 'esmClass' | 'receiptedMessageId'>): boolean {
  return (f.esmClass & 0x3c) !== 0 || (f.receiptedMessageId !== undefined && f.receiptedMessageId !== '');
}

/** Reads the receipt text's fields; keys are lower-case, `submit date` and `done date` keep their space. */
export function parseReceiptText(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  // `text:` runs to the end: it quotes the message and may contain anything.
  const textAt = text.search(/\btext:/i);
  const head = textAt >= 0 ? text.slice(0, textAt) : text;
  if (textAt >= 0) fields.text = text.slice(textAt + 5);
  const re = /(id|sub|dlvrd|submit date|done date|stat|err):\s*(\S*)/gi;
  for (const m of head.matchAll(re)) fields[m[1]!.toLowerCase()] = m[2]!;
  return fields;
}

export function parseReceipt(
  f: ReceiptFields,
  formats: { submit: IdFormat; receipt: IdFormat },
): ParsedReceipt | undefined {
  const text = parseReceiptText(f.text);
  // The TLV repeats the submit_sm_resp id as written there; the text's id follows its own habit.
  const id =
    f.receiptedMessageId !== undefined && f.receiptedMessageId !== ''
      ? canonicalMessageId(f.receiptedMessageId, formats.submit)
      : text.id !== undefined && text.id !== ''
        ? canonicalMessageId(text.id, formats.receipt)
        : undefined;
  const stateWord = (text.stat ?? '').toUpperCase();
  const state: ReceiptState | undefined =
    (f.messageState !== undefined ? MESSAGE_STATE[f.messageState] : undefined) ??
    RECEIPT_STATES.find((s) => s === stateWord) ??
    (stateWord === 'DELIVERED' ? 'DELIVRD' : stateWord === 'UNDELIVERABLE' ? 'UNDELIV' : undefined);
  if (id === undefined || state === undefined) return undefined;
  const errors: string[] = [];
  if (text.err !== undefined && text.err !== '' && !/^0+$/.test(text.err)) errors.push(`err:${text.err}`);
  const nec = f.networkErrorCode;
  if (nec !== undefined && nec.length >= 3) {
    errors.push(`network_error_code type ${nec[0]} code ${(nec[1]! << 8) | nec[2]!}`);
  }
  return { networkMessageId: id, state, error: errors.length > 0 ? errors.join(', ') : undefined };
}

/** What a receipt means for the message: SENT for progress, DELIVERED, or ERROR with the carrier's words. */
export function receiptPatch(r: ParsedReceipt): StatusPatch {
  switch (r.state) {
    case 'DELIVRD':
      return { status: 'DELIVERED', service: 'SMS' };
    case 'ACCEPTD':
    case 'ENROUTE':
      return { status: 'SENT', service: 'SMS' };
    default: {
      const unknown = r.state === 'UNKNOWN';
      return {
        status: 'ERROR',
        errorCode: unknown ? RECEIPT_UNKNOWN_CODE : RECEIPT_FAILED_CODE,
        errorMessage: unknown ? 'Failed to resolve message status' : 'Message failed to send',
        errorReason: `SMSC receipt: ${r.state}`,
        errorDetail: `SMPP receipt stat:${r.state}${r.error ? ` ${r.error}` : ''}`,
      };
    }
  }
}
