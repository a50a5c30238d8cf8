import { describe, expect, it } from 'vitest';
import { accountSid, carriesCode, newVerificationCode, smsDeepLink } from './verification.js';

describe('carriesCode', () => {
  it('matches the code standing alone anywhere in the message', () => {
    for (const text of ['123456', ' 123456\n', 'Code: 123456', '123456 thanks', 'it is 123456.', '#123456!']) {
      expect([text, carriesCode(text, '123456')]).toEqual([text, true]);
    }
  });

  it('does not match the code inside a longer run of digits or letters', () => {
    for (const text of ['91234567', '1234567', 'x123456', '123456y', '12345', '', 'one two three']) {
      expect([text, carriesCode(text, '123456')]).toEqual([text, false]);
    }
  });

  it('finds a standalone occurrence after an embedded one', () => {
    expect(carriesCode('0123456 or 123456', '123456')).toBe(true);
  });
});

describe('verification values', () => {
  it('generates numeric codes of the asked length', () => {
    for (const length of [4, 6, 8]) expect(newVerificationCode(length)).toMatch(new RegExp(`^\\d{${length}}$`));
  });

  it('formats the deep link and the account SID', () => {
    expect(smsDeepLink('+15550001000', '123456')).toBe('sms:+15550001000&body=123456');
    expect(accountSid(255)).toBe(`AC${'0'.repeat(30)}ff`);
  });
});
