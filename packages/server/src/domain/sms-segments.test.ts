import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { smsSegments } from './sms-segments.js';

/**
 * The reference below builds the actual parts (rather than counting), from the
 * GSM 03.38 tables written out independently of the implementation.
 */
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const EXTENSION = '\f^{}\\[~]|€';

function referenceParts(text: string): number {
  const chars = Array.from(text);
  if (chars.length === 0) return 0;
  const gsm = chars.every((c) => BASIC.includes(c) || EXTENSION.includes(c));
  const cost = (c: string): number => (gsm ? (EXTENSION.includes(c) ? 2 : 1) : c.length);
  const total = chars.reduce((n, c) => n + cost(c), 0);
  if (total <= (gsm ? 160 : 70)) return 1;
  const size = gsm ? 153 : 67;
  const parts: string[][] = [[]];
  let used = 0;
  for (const c of chars) {
    if (used + cost(c) > size) {
      parts.push([]);
      used = 0;
    }
    parts[parts.length - 1]!.push(c);
    used += cost(c);
  }
  return parts.length;
}

describe('SMS segments (GSM-7 160/153, UCS-2 70/67, extension characters count 2)', () => {
  it.each([
    ['', 'GSM-7', 0],
    ['a'.repeat(160), 'GSM-7', 1],
    ['a'.repeat(161), 'GSM-7', 2],
    ['a'.repeat(306), 'GSM-7', 2],
    ['a'.repeat(307), 'GSM-7', 3],
    ['€'.repeat(80), 'GSM-7', 1],
    ['€'.repeat(81), 'GSM-7', 2],
    // 152 septets then an escape pair: the pair may not be split, so it opens part two.
    ['a'.repeat(152) + '€' + 'a'.repeat(10), 'GSM-7', 2],
    ['a'.repeat(152) + '€'.repeat(77), 'GSM-7', 3],
    ['é'.repeat(160), 'GSM-7', 1],
    ['ê', 'UCS-2', 1],
    ['ж'.repeat(70), 'UCS-2', 1],
    ['ж'.repeat(71), 'UCS-2', 2],
    ['ж'.repeat(134), 'UCS-2', 2],
    ['ж'.repeat(135), 'UCS-2', 3],
    // Emoji are surrogate pairs: 2 units each, never split between parts.
    ['😀'.repeat(35), 'UCS-2', 1],
    ['😀'.repeat(36), 'UCS-2', 2],
    ['a'.repeat(66) + '😀' + 'aaa', 'UCS-2', 2],
  ] as const)('%# counts %s parts', (text, encoding, segments) => {
    expect(smsSegments(text)).toMatchObject({ encoding, segments });
  });

  it('matches the reference on 1,000 random bodies (fixed seed)', () => {
    const alphabet = [...BASIC, ...EXTENSION, 'ж', 'ê', '😀', '中'];
    const body = fc.oneof(
      fc.array(fc.constantFrom(...BASIC, ...EXTENSION), { maxLength: 500 }).map((a) => a.join('')),
      fc.array(fc.constantFrom(...alphabet), { maxLength: 300 }).map((a) => a.join('')),
      fc.string({ maxLength: 400, unit: 'grapheme' }),
    );
    fc.assert(
      fc.property(body, (text) => smsSegments(text).segments === referenceParts(text)),
      { numRuns: 1000, seed: 20260101 },
    );
  });
});
