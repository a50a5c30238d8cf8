import { describe, expect, it } from 'vitest';
import { maskSettings, settingsFromOptions } from '../../../cli/line-settings.js';
import { BLUEBUBBLES_EFFECTS, effectIdOf, sendStyleOf } from './bluebubbles-effects.js';
import { bluebubblesProviderFactory, parseBlueBubblesSettings } from './bluebubbles-settings.js';
import { SEND_STYLES } from '../../../domain/message.js';

describe('BlueBubbles settings', () => {
  it('parses the URL and password with defaults, keyed for one connection per server', () => {
    const s = parseBlueBubblesSettings({ url: 'https://mac.example.net:1234/', password: 'p' });
    expect(s).toEqual({
      url: 'https://mac.example.net:1234',
      password: 'p',
      method: 'auto',
      pingSeconds: 30,
      timeoutSeconds: 60,
    });
    expect(bluebubblesProviderFactory().connectionKey(s)).toBe('https://mac.example.net:1234');
    expect(bluebubblesProviderFactory().secrets).toEqual(['password']);
  });

  it('takes a password out of the URL, and a separate one wins (parsing is idempotent)', () => {
    const s = parseBlueBubblesSettings({ url: 'http://10.0.0.5:1234?password=in-url' });
    expect(s).toMatchObject({ url: 'http://10.0.0.5:1234', password: 'in-url' });
    expect(parseBlueBubblesSettings({ url: 'http://10.0.0.5:1234?password=x', password: 'y' }).password).toBe('y');
    expect(parseBlueBubblesSettings({ ...s })).toEqual(s);
  });

  it.each([
    [{}, /^url: the BlueBubbles server URL is required/],
    [{ url: 'not a url', password: 'p' }, /^url: not a URL/],
    [{ url: 'ftp://mac', password: 'p' }, /^url: the scheme must be http:\/\/ or https:\/\//],
    [{ url: 'http://mac:1234' }, /^password: the BlueBubbles server password is required/],
    [{ url: 'http://mac:1234?x=1', password: 'p' }, /^url: unknown query parameter x/],
    [{ url: 'http://mac', password: 'p', method: 'sms' }, /^method: must be one of auto, apple-script, private-api/],
    [{ url: 'http://mac', password: 'p', ping_seconds: 0 }, /^ping_seconds: must be an integer from 1 to 3600/],
  ])('refuses %j naming the setting', (input, message) => {
    expect(() => parseBlueBubblesSettings(input)).toThrow(message);
  });

  it('builds CLI settings from --bluebubbles-url/--bluebubbles-password and masks the password', () => {
    const settings = settingsFromOptions('bluebubbles', {
      bluebubblesUrl: 'http://mac:1234',
      bluebubblesPassword: 'pw',
    });
    expect(settings).toEqual({ url: 'http://mac:1234', password: 'pw' });
    expect(maskSettings('bluebubbles', settings!)).toEqual({ url: 'http://mac:1234', password: '****' });
    // A password inside the URL is stored apart from it.
    expect(settingsFromOptions('bluebubbles', { bluebubblesUrl: 'http://mac:1234?password=pw' })).toEqual({
      url: 'http://mac:1234',
      password: 'pw',
    });
  });

  it('refuses CLI options naming the flag', () => {
    expect(() => settingsFromOptions('bluebubbles', {})).toThrow('--provider bluebubbles needs --bluebubbles-url');
    expect(() => settingsFromOptions('bluebubbles', { bluebubblesUrl: 'http://mac' })).toThrow(
      /^--bluebubbles-password: password: /,
    );
    expect(() => settingsFromOptions('bluebubbles', { bluebubblesUrl: 'mac', bluebubblesPassword: 'p' })).toThrow(
      /^--bluebubbles-url: url: not a URL/,
    );
    expect(() => settingsFromOptions('smpp', { smppUrl: 'smpp://a:b@h', bluebubblesPassword: 'p' })).toThrow(
      '--bluebubbles-url and --bluebubbles-password are for --provider bluebubbles',
    );
  });
});

describe('BlueBubbles effects', () => {
  it('maps every send_style to a distinct Apple effect id, and back', () => {
    const ids = SEND_STYLES.map((s) => effectIdOf(s));
    expect(
      ids.every((id) => id !== undefined && /^com\.apple\.(MobileSMS\.expressivesend|messages\.effect)\./.test(id)),
    ).toBe(true);
    expect(new Set(ids).size).toBe(SEND_STYLES.length);
    for (const style of SEND_STYLES) expect(sendStyleOf(BLUEBUBBLES_EFFECTS[style])).toBe(style);
    expect(effectIdOf('')).toBeUndefined();
    expect(sendStyleOf('com.apple.unknown')).toBe('');
    expect(effectIdOf('invisible')).toBe('com.apple.MobileSMS.expressivesend.invisibleink');
    expect(effectIdOf('celebration')).toBe('com.apple.messages.effect.CKSparklesEffect');
  });
});
