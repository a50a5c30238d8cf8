import { randomBytes, randomInt } from 'node:crypto';

/**
 * Sendblue Verify, an inverted one-time password: the user texts a code to one of the account's
 * lines from the number being verified. A Verify Service holds the settings its verifications
 * share; a verification is `pending` until a matching message arrives (`approved`), its window
 * passes (`expired`) or the account cancels it (`canceled`).
 */

export const VERIFICATION_STATUSES = ['pending', 'approved', 'expired', 'canceled'] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

/** Limits of a service's settings, and Sendblue's defaults. */
export const VERIFY_LIMITS = {
  codeLength: { min: 4, max: 8, default: 6 },
  ttlSeconds: { min: 60, max: 3600, default: 300 },
  friendlyNameMax: 64,
} as const;

export interface VerifyService {
  sid: string;
  accountId: number;
  friendlyName: string;
  codeLength: number;
  ttlSeconds: number;
  /** Kept for wire compatibility: every Tapback line is the account's own, there is no shared pool. */
  useCustomerLines: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface Verification {
  sid: string;
  accountId: number;
  serviceSid: string;
  /** The number that must send the code, E.164. */
  to: string;
  /** The account's line the code must be sent to (`delivery_target.pool_number`). */
  line: string;
  code: string;
  status: VerificationStatus;
  expiresAt: number;
  createdAt: number;
  /** When the status last changed; an expiry is dated at `expiresAt`, whenever it was noticed. */
  updatedAt: number;
  /** When it left `pending`; null while pending. */
  completedAt: number | null;
}

/** Service SIDs are `SV` + 32 hex digits, verification SIDs `VR` + 32, as in Sendblue's examples. */
export function newServiceSid(): string {
  return `SV${randomBytes(16).toString('hex')}`;
}

export function newVerificationSid(): string {
  return `VR${randomBytes(16).toString('hex')}`;
}

/** A uniformly random numeric code of `length` digits (leading zeros allowed). */
export function newVerificationCode(length: number): string {
  let code = '';
  for (let i = 0; i < length; i++) code += String(randomInt(10));
  return code;
}

/**
 * Whether an inbound message's text carries `code`: the code must stand alone, not inside a longer
 * run of letters or digits, so "Code: 123456" and "123456 thanks" match while "91234567" does
 * not match 123456 (a longer number that merely contains the code proves nothing).
 */
export function carriesCode(content: string, code: string): boolean {
  let from = 0;
  for (;;) {
    const at = content.indexOf(code, from);
    if (at < 0) return false;
    const before = content[at - 1];
    const after = content[at + code.length];
    if (!isWordChar(before) && !isWordChar(after)) return true;
    from = at + 1;
  }
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[0-9A-Za-z]/.test(c);
}

/** The deep link that opens Messages with the line and the code filled in. */
export function smsDeepLink(line: string, code: string): string {
  return `sms:${line}&body=${encodeURIComponent(code)}`;
}

/** `account_sid`: the account's id as a Twilio-style SID, `AC` + 32 hex digits. */
export function accountSid(accountId: number): string {
  return `AC${accountId.toString(16).padStart(32, '0')}`;
}
