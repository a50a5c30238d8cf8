import { describe, expect, it } from 'vitest';
import type { Message, Service } from '../domain/message.js';
import { LookupCache } from './lookup-cache.js';
import { type KnownLine, Router, type RouteLine, decideRoute, smsRouteFor } from './router.js';

const IM: KnownLine = { line: { number: '+15550000001', provider: 'bluebubbles' }, services: ['iMessage'] };
const SANDBOX: KnownLine = {
  line: { number: '+15550000002', provider: 'sandbox' },
  services: ['iMessage', 'SMS', 'RCS'],
};
const SMPP: KnownLine = { line: { number: '+15550000003', provider: 'smpp' }, services: ['SMS'] };
const TO = '+14155550100';

const withFallback = (from: KnownLine, fallback: string): KnownLine => ({
  ...from,
  line: { ...from.line, fallbackLine: fallback },
});

describe('decideRoute', () => {
  it('sends to an iMessage user (or one not known yet) by iMessage over the line itself', () => {
    for (const recipient of ['iMessage', undefined] as const) {
      expect(decideRoute({ from: withFallback(IM, SMPP.line.number), to: TO, recipient, fallback: SMPP })).toEqual({
        kind: 'route',
        line: IM.line.number,
        provider: 'bluebubbles',
        service: 'iMessage',
        downgraded: false,
        viaFallback: false,
      });
    }
  });

  it('sends to an SMS-only recipient by SMS over the named fallback line, downgraded', () => {
    expect(decideRoute({ from: withFallback(IM, SMPP.line.number), to: TO, recipient: 'SMS', fallback: SMPP })).toEqual(
      {
        kind: 'route',
        line: SMPP.line.number,
        provider: 'smpp',
        service: 'SMS',
        downgraded: true,
        viaFallback: true,
      },
    );
  });

  it('uses a line whose network carries SMS as its own fallback (the sandbox)', () => {
    expect(decideRoute({ from: SANDBOX, to: TO, recipient: 'SMS', fallback: undefined })).toMatchObject({
      line: SANDBOX.line.number,
      service: 'SMS',
      downgraded: true,
      viaFallback: false,
    });
  });

  it('keeps RCS over the line when its network carries RCS', () => {
    expect(decideRoute({ from: SANDBOX, to: TO, recipient: 'RCS', fallback: undefined })).toMatchObject({
      line: SANDBOX.line.number,
      service: 'RCS',
      downgraded: false,
    });
  });

  it('sends an SMS-only line’s messages by SMS, not as a downgrade', () => {
    expect(decideRoute({ from: SMPP, to: TO, recipient: undefined, fallback: undefined })).toMatchObject({
      line: SMPP.line.number,
      service: 'SMS',
      downgraded: false,
    });
  });

  it('sends a group over the line itself whatever its members', () => {
    expect(
      decideRoute({ from: withFallback(IM, SMPP.line.number), to: '', recipient: 'SMS', fallback: SMPP }),
    ).toMatchObject({
      line: IM.line.number,
      service: 'iMessage',
    });
  });

  it('has no route for an SMS-only recipient of an iMessage-only line without a fallback, and says why', () => {
    expect(decideRoute({ from: IM, to: TO, recipient: 'SMS', fallback: undefined })).toEqual({
      kind: 'none',
      reason: `${TO} is not an iMessage user and line ${IM.line.number} has no SMS fallback`,
    });
  });

  it('names a fallback line that is gone or carries no SMS', () => {
    const from = withFallback(IM, '+15550000009');
    expect(smsRouteFor({ from, to: TO, fallback: undefined })).toEqual({
      kind: 'none',
      reason: `the SMS fallback line +15550000009 of line ${IM.line.number} no longer exists`,
    });
    const other: KnownLine = { line: { number: '+15550000009', provider: 'bluebubbles' }, services: ['iMessage'] };
    expect(smsRouteFor({ from, to: TO, fallback: other })).toMatchObject({
      kind: 'none',
      reason: /does not carry SMS/,
    });
  });
});

describe('Router', () => {
  const lines = new Map<string, RouteLine>([
    [IM.line.number, { ...IM.line, fallbackLine: SMPP.line.number, fallbackAfterMs: 5000 }],
    [SMPP.line.number, SMPP.line],
    [SANDBOX.line.number, SANDBOX.line],
  ]);
  function routerWith(lookup: (n: string) => Promise<{ service: Service }>, now = () => 0) {
    const calls: string[] = [];
    const router = new Router({
      line: async (n) => lines.get(n),
      provider: (line) =>
        line === IM.line.number
          ? {
              services: ['iMessage'],
              lookup: async (n: string) => {
                calls.push(n);
                return lookup(n);
              },
            }
          : undefined,
      cache: new LookupCache(60_000, now),
      instantService: (kind, n) => (kind === 'sandbox' ? (n.endsWith('0001') ? 'SMS' : 'iMessage') : undefined),
    });
    return { router, calls };
  }
  const message = (from: string, extra: Partial<Message> = {}): Message =>
    ({ sendblueNumber: from, toNumber: TO, service: 'iMessage', wasDowngraded: null, ...extra }) as Message;

  it('decides at accept without a network round trip, and from the cache once a send looked it up', async () => {
    const { router, calls } = routerWith(async () => ({ service: 'SMS' }));
    expect(await router.atAccept(IM.line.number, TO)).toEqual({ service: 'iMessage', wasDowngraded: null });
    expect(calls).toEqual([]);
    expect(await router.forSend(message(IM.line.number))).toMatchObject({ line: SMPP.line.number, service: 'SMS' });
    expect(await router.atAccept(IM.line.number, TO)).toEqual({ service: 'SMS', wasDowngraded: true });
    expect(calls).toEqual([TO]);
  });

  it('answers a sandbox line from its table at accept', async () => {
    const { router } = routerWith(async () => ({ service: 'iMessage' }));
    expect(await router.atAccept(SANDBOX.line.number, '+12025550001')).toEqual({ service: 'SMS', wasDowngraded: true });
    expect(await router.atAccept(SMPP.line.number, TO)).toEqual({ service: 'SMS', wasDowngraded: null });
  });

  it('counts a lookup that fails as unknown: iMessage first', async () => {
    const { router } = routerWith(async () => Promise.reject(new Error('bridge down')));
    expect(await router.forSend(message(IM.line.number))).toMatchObject({ line: IM.line.number, service: 'iMessage' });
  });

  it('sends a message already moved to SMS by its SMS route, and gives the window of a line with one', async () => {
    const { router, calls } = routerWith(async () => ({ service: 'iMessage' }));
    const moved = message(IM.line.number, { service: 'SMS', wasDowngraded: true });
    expect(await router.forSend(moved)).toMatchObject({ line: SMPP.line.number, service: 'SMS', viaFallback: true });
    expect(calls).toEqual([]);
    expect(await router.windowOf(message(IM.line.number))).toBe(5000);
    expect(await router.windowOf(message(SANDBOX.line.number))).toBe(60_000);
  });

  it('looks again once the cached answer expired', async () => {
    let now = 0;
    const { router, calls } = routerWith(
      async () => ({ service: 'iMessage' }),
      () => now,
    );
    await router.forSend(message(IM.line.number));
    await router.forSend(message(IM.line.number));
    now = 60_000;
    await router.forSend(message(IM.line.number));
    expect(calls).toEqual([TO, TO]);
  });
});
