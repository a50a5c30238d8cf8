import { describe, expect, it } from 'vitest';
import { AddressPolicy, checkOutboundUrl, embeddedIpv4, resolveAllowed } from './ssrf-guard.js';

const strict = new AddressPolicy([]);
const loopbackAllowed = new AddressPolicy(['127.0.0.0/8', '::1/128']);

describe('SSRF address policy', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '0.0.0.0',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.100.100.200',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '64:ff9b::a00:1',
    '2002:a00:1::1',
    'fe80::1',
    'fe80::1%eth0',
    'fc00::1',
    'fd00:ec2::254',
    'ff02::1',
  ])('blocks %s by default', (address) => {
    expect(strict.reasonToBlock(address)).toMatch(/private|not an IP/);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])(
    'allows the public address %s',
    (address) => {
      expect(strict.reasonToBlock(address)).toBeNull();
    },
  );

  it('lets the allow-list through, including the IPv4-mapped form, but not other private ranges', () => {
    expect(loopbackAllowed.reasonToBlock('127.0.0.1')).toBeNull();
    expect(loopbackAllowed.reasonToBlock('::1')).toBeNull();
    expect(loopbackAllowed.reasonToBlock('::ffff:127.0.0.1')).toBeNull();
    expect(loopbackAllowed.reasonToBlock('10.0.0.1')).not.toBeNull();
    expect(loopbackAllowed.reasonToBlock('0.0.0.0')).not.toBeNull();
    // 6to4 and NAT64 route elsewhere: their embedded loopback may block, never allow.
    expect(loopbackAllowed.reasonToBlock('2002:7f00:1::1')).not.toBeNull();
  });

  it('finds IPv4 addresses embedded in IPv6', () => {
    expect(embeddedIpv4('::ffff:7f00:1')).toEqual({ ipv4: '127.0.0.1', kind: 'mapped' });
    expect(embeddedIpv4('64:ff9b::a9fe:a9fe')).toEqual({ ipv4: '169.254.169.254', kind: 'nat64' });
    expect(embeddedIpv4('2606:4700::1111')).toBeNull();
  });
});

describe('URL checks before connecting', () => {
  it.each([
    ['http://127.0.0.1/', /private/],
    ['http://2130706433/', /private/],
    ['http://0x7f000001/', /private/],
    ['http://0177.0.0.1/', /private/],
    ['http://[::ffff:127.0.0.1]/', /private/],
    ['http://[::1]:8080/', /private/],
    ['http://169.254.169.254/latest/meta-data', /private/],
    ['file:///etc/passwd', /scheme/],
    ['gopher://example.com/', /scheme/],
    ['http://user:pass@example.com/', /credentials/],
    ['not a url', /absolute/],
  ])('rejects %s', (url, reason) => {
    expect(() => checkOutboundUrl(url, strict)).toThrow(reason);
  });

  it('leaves names to the connect-time check', () => {
    expect(checkOutboundUrl('https://hooks.example.com/x', strict).hostname).toBe('hooks.example.com');
  });

  it('refuses a name that resolves to a private address, and picks an allowed one among several', async () => {
    const lookup = async () => [
      { address: '10.0.0.5', family: 4 },
      { address: '93.184.216.34', family: 4 },
    ];
    await expect(
      resolveAllowed('internal.example', strict, async () => [{ address: '10.0.0.5', family: 4 }]),
    ).rejects.toThrow(/private/);
    await expect(resolveAllowed('mixed.example', strict, lookup)).resolves.toBe('93.184.216.34');
    await expect(resolveAllowed('localhost', strict)).rejects.toThrow(/private/);
  });
});
