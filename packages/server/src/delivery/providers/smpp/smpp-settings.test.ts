import { describe, expect, it } from 'vitest';
import { smppProviderFactory } from './smpp-settings.js';

const parse = (url: string, extra: Record<string, unknown> = {}) => smppProviderFactory.parse({ url, ...extra });

describe('SMPP settings', () => {
  it('reads the URL with a default for every option', () => {
    expect(parse('smpp://acme:pw@smsc.example.net')).toEqual({
      url: 'smpp://acme@smsc.example.net',
      password: 'pw',
      host: 'smsc.example.net',
      port: 2775,
      tls: false,
      tlsVerify: true,
      systemId: 'acme',
      systemType: '',
      bind: 'transceiver',
      window: 10,
      rate: 50,
      sourceTon: 1,
      sourceNpi: 1,
      destTon: 1,
      destNpi: 1,
      enquireLinkSeconds: 30,
      responseTimeoutSeconds: 10,
      submitIdFormat: 'auto',
      receiptIdFormat: 'auto',
      concatTimeoutSeconds: 60,
      concatBuffer: 1000,
    });
  });

  it('reads every option and smpps:// as TLS on 3550 by default', () => {
    const s = parse(
      'smpps://acme:pw@10.0.0.5?system_type=VMA&bind=transmitter_receiver&window=4&rate=0&source_ton=5&source_npi=0&dest_ton=2&dest_npi=0&enquire_link=0&timeout=3&submit_id=hex&receipt_id=decimal&concat_timeout=5&concat_buffer=9&tls_verify=false',
    );
    expect(s).toMatchObject({
      port: 3550,
      tls: true,
      tlsVerify: false,
      systemType: 'VMA',
      bind: 'transmitter_receiver',
      window: 4,
      rate: 0,
      sourceTon: 5,
      sourceNpi: 0,
      destTon: 2,
      destNpi: 0,
      enquireLinkSeconds: 0,
      responseTimeoutSeconds: 3,
      submitIdFormat: 'hex',
      receiptIdFormat: 'decimal',
      concatTimeoutSeconds: 5,
      concatBuffer: 9,
    });
  });

  it('parses its own output to the same settings (the password kept apart from the URL)', () => {
    const once = parse('smpp://acme:p%40ss@smsc:2776?window=3');
    expect(once.password).toBe('p@ss');
    expect(once.url).not.toContain('p%40ss');
    expect(smppProviderFactory.parse({ ...once })).toEqual(once);
  });

  it.each([
    ['http://a:b@h', /url: the scheme/],
    ['smpp://:pw@h', /system_id/],
    ['smpp://a:b@h?window=0', /option window/],
    ['smpp://a:b@h?rate=fast', /option rate/],
    ['smpp://a:b@h?bind=receiver', /option bind/],
    ['smpp://a:b@h?submit_id=octal', /option submit_id/],
    ['smpp://a:b@h?colour=blue', /unknown option colour/],
    ['smpp://a:123456789@h', /password/],
  ])('rejects %s naming the bad option', (url, message) => {
    expect(() => parse(url)).toThrow(message);
  });

  it('names the secret and keys the connection by bind identity', () => {
    expect(smppProviderFactory.secrets).toEqual(['password']);
    const key = (u: string) => smppProviderFactory.connectionKey(parse(u));
    expect(key('smpp://acme:pw@smsc:2775?rate=5')).toBe(key('smpp://acme:other@smsc:2775?window=2'));
    expect(key('smpp://acme:pw@smsc:2775')).not.toBe(key('smpp://acme:pw@smsc:2775?bind=transmitter_receiver'));
    expect(key('smpp://acme:pw@smsc:2775')).not.toBe(key('smpp://acme2:pw@smsc:2775'));
  });
});
