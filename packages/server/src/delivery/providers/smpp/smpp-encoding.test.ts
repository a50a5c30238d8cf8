import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { smsSegments } from '../../../domain/sms-segments.js';
import {
  DATA_CODING_GSM,
  DATA_CODING_UCS2,
  decodeGsm,
  decodeShortMessage,
  encodeSms,
  splitUdh,
} from './smpp-encoding.js';

const GSM_CHARS = [
  ...'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
  ...'^{}\\[~]|€\f',
];
const gsmText = fc.array(fc.constantFrom(...GSM_CHARS), { maxLength: 800 }).map((a) => a.join(''));
const anyText = fc.string({ unit: 'grapheme', maxLength: 400 });

/** Joins the parts back by their UDH, as a handset does. */
function reassemble(text: string): string {
  const { parts, dataCoding, udh } = encodeSms(text, 77);
  const bodies = parts.map((p) => (udh ? splitUdh(p).body : p));
  return decodeShortMessage(Buffer.concat(bodies), dataCoding);
}

describe('SMS encoding for SMPP', () => {
  it('round-trips any GSM text, in as many parts as smsSegments counts', () => {
    fc.assert(
      fc.property(gsmText, (text) => {
        const encoded = encodeSms(text, 1);
        expect(encoded.dataCoding).toBe(DATA_CODING_GSM);
        expect(encoded.parts.length).toBe(Math.max(1, smsSegments(text).segments));
        expect(reassemble(text)).toBe(text);
      }),
    );
  });

  it('round-trips any text through UCS-2 when it leaves the GSM alphabet', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const encoded = encodeSms(text, 2);
        expect(encoded.dataCoding).toBe(smsSegments(text).encoding === 'UCS-2' ? DATA_CODING_UCS2 : DATA_CODING_GSM);
        expect(encoded.parts.length).toBe(Math.max(1, smsSegments(text).segments));
        expect(reassemble(text)).toBe(text);
      }),
    );
  });

  it('keeps every part within 140 octets and numbers parts under one reference', () => {
    fc.assert(
      fc.property(fc.oneof(gsmText, anyText), fc.integer({ min: 0, max: 255 }), (text, ref) => {
        const { parts, udh } = encodeSms(text, ref);
        for (const [i, p] of parts.entries()) {
          expect(p.length).toBeLessThanOrEqual(udh ? 6 + 153 : 160);
          if (udh) expect(splitUdh(p).concat).toEqual({ reference: ref, total: parts.length, seq: i + 1 });
        }
      }),
    );
  });

  it('writes extension characters as ESC + code and never splits the pair', () => {
    expect([...encodeSms('€[', 0).parts[0]!]).toEqual([0x1b, 0x65, 0x1b, 0x3c]);
    const text = `${'x'.repeat(152)}€${'y'.repeat(10)}`;
    const { parts } = encodeSms(text, 0);
    expect(parts[0]!.length).toBe(6 + 152);
    expect([...parts[1]!.subarray(6, 8)]).toEqual([0x1b, 0x65]);
  });

  it('decodes GSM septets including the extension table', () => {
    expect(decodeGsm(Buffer.from([0x00, 0x1b, 0x28, 0x41, 0x1b, 0x2f, 0x11]))).toBe('@{A\\_');
  });

  it('reads 8- and 16-bit concatenation references from a UDH', () => {
    expect(splitUdh(Buffer.from([5, 0, 3, 200, 3, 2, 0x41])).concat).toEqual({ reference: 200, total: 3, seq: 2 });
    const sixteen = splitUdh(Buffer.from([6, 8, 4, 0x12, 0x34, 4, 4, 0x41]));
    expect(sixteen.concat).toEqual({ reference: 0x1234, total: 4, seq: 4 });
    expect([...sixteen.body]).toEqual([0x41]);
  });
});
