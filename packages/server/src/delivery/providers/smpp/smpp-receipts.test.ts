import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalMessageId } from './smpp-message-id.js';
import { RECEIPT_STATES, isReceipt, parseReceipt, parseReceiptText, receiptPatch } from './smpp-receipts.js';

const AUTO = { submit: 'auto', receipt: 'auto' } as const;
const receipt = (id: string, stat: string, err = '000', text = 'hello') =>
  `id:${id} sub:001 dlvrd:001 submit date:2611300355 done date:2611300356 stat:${stat} err:${err} text:${text}`;

describe('SMPP message ids', () => {
  it('reduces a hex submit_sm_resp id and the decimal receipt id to the same canonical form', () => {
    expect(canonicalMessageId('1A2B', 'auto')).toBe('6699');
    expect(canonicalMessageId('0006699', 'auto')).toBe('6699');
    expect(canonicalMessageId('0x1a2b', 'auto')).toBe('6699');
    expect(canonicalMessageId('12345678', 'hex')).toBe('305419896');
    expect(canonicalMessageId('12345678', 'auto')).toBe('12345678');
    expect(canonicalMessageId('abc-123', 'auto')).toBe('abc-123');
    expect(canonicalMessageId('00ab', 'string')).toBe('00ab');
  });

  it('matches any id written hex on one side and decimal on the other (hex/decimal formats)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 128n }), fc.boolean(), (n, upper) => {
        const hex = upper ? n.toString(16).toUpperCase() : n.toString(16);
        expect(canonicalMessageId(hex, 'hex')).toBe(canonicalMessageId(n.toString(10), 'decimal'));
      }),
    );
  });

  it('matches in auto whenever the hex id has a letter', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n }), (n) => {
        const hex = n.toString(16);
        fc.pre(/[a-f]/.test(hex));
        expect(canonicalMessageId(hex, 'auto')).toBe(canonicalMessageId(n.toString(10), 'auto'));
      }),
    );
  });
});

describe('SMPP delivery receipts', () => {
  it('reads the receipt text fields, text: running to the end', () => {
    expect(parseReceiptText(receipt('42', 'DELIVRD', '000', 'a stat:UNDELIV b'))).toEqual({
      id: '42',
      sub: '001',
      dlvrd: '001',
      'submit date': '2611300355',
      'done date': '2611300356',
      stat: 'DELIVRD',
      err: '000',
      text: 'a stat:UNDELIV b',
    });
  });

  it.each(RECEIPT_STATES)('parses stat:%s from the text', (stat) => {
    expect(parseReceipt({ esmClass: 4, text: receipt('6699', stat) }, AUTO)).toEqual({
      networkMessageId: '6699',
      state: stat,
      error: undefined,
    });
  });

  it('prefers the TLVs: receipted_message_id (submit format) and message_state', () => {
    const r = parseReceipt(
      { esmClass: 4, text: receipt('999', 'UNDELIV'), receiptedMessageId: '1A2B', messageState: 2 },
      { submit: 'hex', receipt: 'decimal' },
    );
    expect(r).toEqual({ networkMessageId: '6699', state: 'DELIVRD', error: undefined });
  });

  it('carries the carrier error from err: and network_error_code', () => {
    const r = parseReceipt(
      { esmClass: 4, text: receipt('7', 'UNDELIV', '034'), networkErrorCode: Uint8Array.from([1, 0, 34]) },
      AUTO,
    )!;
    expect(receiptPatch(r)).toEqual({
      status: 'ERROR',
      errorCode: 10001,
      errorMessage: 'Message failed to send',
      errorReason: 'SMSC receipt: UNDELIV',
      errorDetail: 'SMPP receipt stat:UNDELIV err:034, network_error_code type 1 code 34',
    });
  });

  it('maps states to patches', () => {
    const patch = (state: (typeof RECEIPT_STATES)[number]) =>
      receiptPatch({ networkMessageId: '1', state, error: undefined });
    expect(patch('DELIVRD')).toEqual({ status: 'DELIVERED', service: 'SMS' });
    expect(patch('ACCEPTD')).toEqual({ status: 'SENT', service: 'SMS' });
    expect(patch('ENROUTE')).toEqual({ status: 'SENT', service: 'SMS' });
    for (const s of ['EXPIRED', 'DELETED', 'UNDELIV', 'REJECTD'] as const)
      expect(patch(s)).toMatchObject({ status: 'ERROR', errorCode: 10001 });
    expect(patch('UNKNOWN')).toMatchObject({ status: 'ERROR', errorCode: 10002 });
  });

  it('tells receipts from MO messages and rejects text without id or stat', () => {
    expect(isReceipt({ esmClass: 0x04 })).toBe(true);
    expect(isReceipt({ esmClass: 0x00, receiptedMessageId: 'ab' })).toBe(true);
    expect(isReceipt({ esmClass: 0x40 })).toBe(false);
    expect(parseReceipt({ esmClass: 4, text: 'stat:DELIVRD' }, AUTO)).toBeUndefined();
    expect(parseReceipt({ esmClass: 4, text: 'id:1 stat:WHATEVER' }, AUTO)).toBeUndefined();
  });

  it('never throws on arbitrary receipt text', () => {
    fc.assert(fc.property(fc.string(), (text) => void parseReceipt({ esmClass: 4, text }, AUTO)));
  });
});
