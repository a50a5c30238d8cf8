import { smsSegments } from '../../../domain/sms-segments.js';

/**
 * Message text on the SMPP wire. GSM 03.38 travels one septet per octet (unpacked, data_coding
 * 0x00, the SMSC default alphabet), extension characters as ESC (0x1B) + code; anything outside
 * the alphabet travels as UCS-2 big-endian (data_coding 0x08). The choice and the number of parts
 * are `smsSegments`'s, the same count the API reports; a long text is split into parts that each
 * start with a concatenation UDH (IEI 0x00, 8-bit reference) and the submit_sm sets UDHI (0x40).
 */
export const DATA_CODING_GSM = 0x00;
export const DATA_CODING_UCS2 = 0x08;
export const ESM_CLASS_UDHI = 0x40;

const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** Extension table: character → code after ESC. */
const EXTENSION: Record<string, number> = {
  '\f': 0x0a,
  '^': 0x14,
  '{': 0x28,
  '}': 0x29,
  '\\': 0x2f,
  '[': 0x3c,
  '~': 0x3d,
  ']': 0x3e,
  '|': 0x40,
  '€': 0x65,
};
const ESC = 0x1b;
const BASIC_CODE = new Map([...BASIC].map((c, i) => [c, i]));
const EXTENSION_CHAR = new Map(Object.entries(EXTENSION).map(([c, code]) => [code, c]));

export interface EncodedSms {
  dataCoding: number;
  /** Each part's short_message octets, UDH included when there are several. */
  parts: Buffer[];
  /** Whether the parts carry a UDH (esm_class must have UDHI). */
  udh: boolean;
}

/** Splits and encodes `text`; `reference` (0-255) ties the parts of one message together. */
export function encodeSms(text: string, reference: number): EncodedSms {
  const { encoding, segments } = smsSegments(text);
  // Each character's octets; a character's octets never straddle two parts.
  const chars: Buffer[] =
    encoding === 'GSM-7' ? [...text].map(gsmOctets) : [...text].map((c) => Buffer.from(c, 'utf16le').swap16());
  const dataCoding = encoding === 'GSM-7' ? DATA_CODING_GSM : DATA_CODING_UCS2;
  const whole = Buffer.concat(chars);
  if (segments <= 1) return { dataCoding, parts: [whole], udh: false };
  // Limits per part in octets: 153 septets, or 67 UTF-16 units (134 octets).
  const limit = encoding === 'GSM-7' ? 153 : 134;
  const bodies: Buffer[][] = [[]];
  let used = 0;
  for (const c of chars) {
    if (used + c.length > limit) {
      bodies.push([]);
      used = 0;
    }
    bodies[bodies.length - 1]!.push(c);
    used += c.length;
  }
  if (bodies.length !== segments) throw new Error(`SMS split into ${bodies.length} parts, counted ${segments}`);
  const ref = reference & 0xff;
  const parts = bodies.map((body, i) =>
    Buffer.concat([Buffer.from([0x05, 0x00, 0x03, ref, bodies.length, i + 1]), ...body]),
  );
  return { dataCoding, parts, udh: true };
}

function gsmOctets(c: string): Buffer {
  const basic = BASIC_CODE.get(c);
  if (basic !== undefined) return Buffer.from([basic]);
  const ext = EXTENSION[c];
  if (ext !== undefined) return Buffer.from([ESC, ext]);
  throw new Error(`not in the GSM 03.38 alphabet: ${JSON.stringify(c)}`);
}

/** GSM 03.38 septets (one per octet) to text; an unknown extension code reads as its basic character. */
export function decodeGsm(octets: Uint8Array): string {
  let out = '';
  for (let i = 0; i < octets.length; i++) {
    const o = octets[i]! & 0x7f;
    if (o === ESC && i + 1 < octets.length) {
      const code = octets[++i]! & 0x7f;
      out += EXTENSION_CHAR.get(code) ?? BASIC[code];
    } else {
      out += BASIC[o];
    }
  }
  return out;
}

/** UCS-2 / UTF-16 big-endian to text (surrogate pairs pass through as UTF-16). */
export function decodeUcs2(octets: Uint8Array): string {
  const even = Buffer.from(octets.subarray(0, octets.length - (octets.length % 2)));
  return even.swap16().toString('utf16le');
}

/**
 * Text of a received short message by its data_coding (SMPP 3.4 §5.2.19): GSM for the SMSC
 * default and IA5 (0x00, 0x01), Latin-1 (0x03), UCS-2 (0x08); other codings (binary) as Latin-1,
 * so nothing is dropped.
 */
export function decodeShortMessage(octets: Uint8Array, dataCoding: number): string {
  // The GSM 03.38 data coding group 1111xxxx: bit 2 set = 8-bit data, clear = the default alphabet.
  if ((dataCoding & 0xf0) === 0xf0) return dataCoding & 0x04 ? latin1(octets) : decodeGsm(octets);
  switch (dataCoding & 0x0f) {
    case 0x00:
    case 0x01:
      return decodeGsm(octets);
    case 0x08:
      return decodeUcs2(octets);
    default:
      return latin1(octets);
  }
}

function latin1(octets: Uint8Array): string {
  return Buffer.from(octets).toString('latin1');
}

export interface UdhConcat {
  reference: number;
  total: number;
  seq: number;
}

/** Splits a UDH-prefixed short message; returns the concatenation element (IEI 0x00 or 0x08) if any. */
export function splitUdh(octets: Uint8Array): { concat: UdhConcat | undefined; body: Uint8Array } {
  const udhl = octets[0] ?? 0;
  const end = 1 + udhl;
  let concat: UdhConcat | undefined;
  for (let i = 1; i + 1 < end && i + 1 < octets.length;) {
    const iei = octets[i]!;
    const len = octets[i + 1]!;
    const data = octets.subarray(i + 2, i + 2 + len);
    if (iei === 0x00 && len === 3) concat = { reference: data[0]!, total: data[1]!, seq: data[2]! };
    if (iei === 0x08 && len === 4) concat = { reference: (data[0]! << 8) | data[1]!, total: data[2]!, seq: data[3]! };
    i += 2 + len;
  }
  return { concat, body: octets.subarray(Math.min(end, octets.length)) };
}
