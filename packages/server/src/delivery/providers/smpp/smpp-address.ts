/**
 * SMPP addresses are digits without `+`, qualified by a type of number (TON). Tapback's lines and
 * contacts are E.164. Outbound, the `+` is dropped (TON comes from the line's settings). Inbound, an
 * all-digit address becomes `+digits` unless its TON says it is not international (2 national,
 * 3 network-specific, 5 alphanumeric, 6 abbreviated): many SMSCs send full international numbers
 * with TON 0 (unknown), so 0 counts as international.
 */
const NOT_INTERNATIONAL = new Set([2, 3, 5, 6]);

export function toSmppAddress(e164: string): string {
  return e164.startsWith('+') ? e164.slice(1) : e164;
}

export function fromSmppAddress(addr: string, ton: number): string {
  const a = addr.trim();
  if (a.startsWith('+')) return a;
  if (/^[0-9]+$/.test(a) && !NOT_INTERNATIONAL.has(ton)) return `+${a}`;
  return a;
}
