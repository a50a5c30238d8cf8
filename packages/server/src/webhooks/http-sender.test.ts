import { isIP } from 'node:net';
import { buildConnector } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Receiver, type Reply, startReceiver } from '../../test/support/webhook-receiver.js';
import { HttpSender, type SendResult } from './http-sender.js';
import { AddressPolicy } from './ssrf-guard.js';

const LOOPBACK = ['127.0.0.0/8', '::1/128'];

function sender(allow: string[], timeoutMs = 2000, extra: Partial<ConstructorParameters<typeof HttpSender>[0]> = {}) {
  return new HttpSender({ policy: new AddressPolicy(allow), timeoutMs, userAgent: 'test', ...extra });
}

describe('HttpSender against real receivers', () => {
  let r: Receiver;
  const s = sender(LOOPBACK, 500);
  beforeAll(async () => {
    r = await startReceiver((x): Reply => {
      switch (x.path) {
        case '/redirect':
          return { status: 302, headers: { location: '/ok' } };
        case '/busy':
          return { status: 429, headers: { 'retry-after': '7' } };
        case '/gone':
          return 410;
        case '/hang':
          return 'hang';
        case '/reset':
          return 'destroy';
        default:
          return 200;
      }
    });
  });
  afterAll(async () => {
    await s.close();
    await r.close();
  });

  const post = (path: string): Promise<SendResult> =>
    s.post(`${r.url}${path}`, '{}', { 'content-type': 'application/json' });

  it('reports the status of a 2xx or 410', async () => {
    expect(await post('/ok')).toMatchObject({ kind: 'response', status: 200 });
    expect(await post('/gone')).toMatchObject({ kind: 'response', status: 410 });
  });

  it('does not follow redirects', async () => {
    const before = r.received.filter((x) => x.path === '/ok').length;
    expect(await post('/redirect')).toMatchObject({ kind: 'response', status: 302 });
    expect(r.received.filter((x) => x.path === '/ok').length).toBe(before);
  });

  it('reads Retry-After', async () => {
    expect(await post('/busy')).toMatchObject({ kind: 'response', status: 429, retryAfterMs: 7000 });
  });

  it('aborts a hung attempt at the timeout', async () => {
    const result = await post('/hang');
    expect(result).toMatchObject({ kind: 'error', blocked: false, error: 'timed out after 500 ms' });
    expect(result.durationMs).toBeGreaterThanOrEqual(450);
    expect(result.durationMs).toBeLessThan(2000);
  });

  it('reports a reset connection as an error', async () => {
    expect(await post('/reset')).toMatchObject({ kind: 'error', blocked: false });
  });
});

describe('SSRF matrix: with the allow-list off, nothing reaches a private address', () => {
  let canary: Receiver;
  let canary6: Receiver | undefined;
  const dials: string[] = [];
  const realDial = buildConnector({ timeout: 1000 });
  // Loopback dials go through for real (so a guard bug would hit the canary); any other address
  // is recorded and refused, so a bug can never send traffic off this machine.
  const watchingDial: buildConnector.connector = (options, callback) => {
    const host = options.hostname;
    if (/^127\./.test(host) || host === '::1') return realDial(options, callback);
    dials.push(host);
    callback(new Error(`test refused to dial ${host}`), null);
  };

  beforeAll(async () => {
    canary = await startReceiver();
    canary6 = await startReceiver(() => 200, '::1').catch(() => undefined);
  });
  afterAll(async () => {
    await canary.close();
    await canary6?.close();
  });

  it('blocks every form of a private address, and no connection reaches the canary', async () => {
    const p = canary.port;
    const urls = [
      `http://127.0.0.1:${p}/`,
      `http://localhost:${p}/`,
      `http://[::1]:${canary6?.port ?? p}/`,
      `http://[::ffff:127.0.0.1]:${p}/`,
      `http://2130706433:${p}/`,
      `http://0x7f000001:${p}/`,
      `http://0177.0.0.01:${p}/`,
      `http://0.0.0.0:${p}/`,
      `http://10.0.0.1:${p}/`,
      `http://172.16.0.1:${p}/`,
      `http://192.168.0.1:${p}/`,
      `http://169.254.169.254:${p}/latest/meta-data/`,
      `http://100.64.0.1:${p}/`,
      `http://[fe80::1]:${p}/`,
      `http://[fc00::1]:${p}/`,
      `http://internal.test:${p}/`,
      `file:///etc/passwd`,
      `gopher://127.0.0.1:${p}/`,
      `http://user:secret@127.0.0.1:${p}/`,
    ];
    const s = sender([], 1000, {
      dial: watchingDial,
      // A name that resolves to a private address (besides localhost).
      lookup: async (name) =>
        name === 'internal.test' ? [{ address: '10.1.2.3', family: 4 }] : [{ address: '127.0.0.1', family: 4 }],
    });
    try {
      for (const url of urls) {
        const result = await s.post(url, '{}', {});
        expect(result, url).toMatchObject({ kind: 'error', blocked: true });
      }
    } finally {
      await s.close();
    }
    expect(canary.connections).toBe(0);
    expect(canary6?.connections ?? 0).toBe(0);
    expect(dials).toEqual([]);
  });

  it('never follows a redirect to a private address, even from an allowed host', async () => {
    const redirector = await startReceiver(() => ({
      status: 307,
      headers: { location: `http://127.0.0.1:${canary.port}/` },
    }));
    // The redirector is reached through the loopback allow-list; the canary must still see nothing.
    const s = sender(['127.0.0.1/32'], 1000);
    try {
      expect(await s.post(redirector.url, '{}', {})).toMatchObject({ kind: 'response', status: 307 });
    } finally {
      await s.close();
      await redirector.close();
    }
    expect(canary.connections).toBe(0);
  });

  it('connects to the resolved address it checked (no second lookup)', async () => {
    let lookups = 0;
    const s = sender(LOOPBACK, 1000, {
      lookup: async () => {
        lookups++;
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    try {
      const result = await s.post(`http://rebind.test:${canary.port}/`, '{}', {});
      expect(result).toMatchObject({ kind: 'response', status: 200 });
    } finally {
      await s.close();
    }
    expect(lookups).toBe(1);
    expect(isIP(canary.received[0]?.headers.host?.split(':')[0] ?? '')).toBe(0);
    expect(canary.received[0]?.headers.host).toBe(`rebind.test:${canary.port}`);
  });
});
