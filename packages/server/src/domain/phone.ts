import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { errors } from './errors.js';

const E164 = /^\+[1-9]\d{1,14}$/;

/** Short codes and emergency numbers that may never be messaged (error_code 4002). */
const BLOCKED_NATIONAL = new Set(['911', '112', '999', '000', '110', '119', '933']);

/**
 * Validates a phone number as the API receives it: the raw text must
 * already be E.164 (no spaces, punctuation, full-width digits or direction marks), and
 * libphonenumber-js must call it possible. `isPossible`, not `isValid`, so documentation numbers
 * such as +19998887777 are accepted.
 */
export function parsePhone(raw: string, field: string): string {
  if (KNOWN_GOOD.has(raw)) return raw;
  if (!E164.test(raw)) {
    throw errors.invalidPhoneNumber(field, 'must be an E.164 phone number such as +19998887777');
  }
  let possible: boolean;
  let national = '';
  try {
    const parsed = parsePhoneNumberWithError(raw);
    possible = parsed.isPossible();
    national = parsed.nationalNumber;
  } catch {
    possible = false;
  }
  if (BLOCKED_NATIONAL.has(national) || BLOCKED_NATIONAL.has(raw.slice(1))) {
    throw errors.blacklistedNumber(field, raw);
  }
  if (!possible) {
    throw errors.invalidPhoneNumber(field, `${raw} is not a possible phone number`);
  }
  remember(raw);
  return raw;
}

/**
 * Numbers already judged possible. Parsing with full metadata costs ~20 µs, and the same few
 * contacts and lines are sent to again and again. Bounded: cleared when full.
 */
const KNOWN_GOOD = new Set<string>();
const KNOWN_GOOD_MAX = 50_000;

function remember(number: string): void {
  if (KNOWN_GOOD.size >= KNOWN_GOOD_MAX) KNOWN_GOOD.clear();
  KNOWN_GOOD.add(number);
}
