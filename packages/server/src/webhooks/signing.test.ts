import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newSigningSecret } from '../domain/webhook.js';
import { sign, verifyWebhook, webhookHeaders } from './signing.js';

describe('Standard Webhooks signing', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const body = '{"status":"SENT"}';

  it('matches the standardwebhooks package byte for byte', () => {
    const reference = new Webhook(secret).sign('msg_1', new Date(1_700_000_000_000), body);
    expect(sign(secret, 'msg_1', 1_700_000_000, body)).toBe(reference);
  });

  it('produces headers the package verifies, and adds sb-signing-secret only when set', () => {
    const s = newSigningSecret();
    const now = Math.floor(Date.now() / 1000);
    const plain = webhookHeaders({ id: 'msg_2', timestampS: now, body, signingSecret: s, sharedSecret: null });
    expect(new Webhook(s).verify(body, plain)).toEqual({ status: 'SENT' });
    expect(plain['sb-signing-secret']).toBeUndefined();
    const shared = webhookHeaders({ id: 'msg_2', timestampS: now, body, signingSecret: s, sharedSecret: 'hunter2' });
    expect(shared['sb-signing-secret']).toBe('hunter2');
  });

  it('verifies its own signatures and rejects tampering, stale timestamps and other secrets', () => {
    const s = newSigningSecret();
    const now = 1_800_000_000;
    const h = webhookHeaders({ id: 'msg_3', timestampS: now, body, signingSecret: s, sharedSecret: null });
    expect(verifyWebhook(s, h, body, { nowS: now })).toEqual({ ok: true });
    expect(verifyWebhook(s, h, body + ' ', { nowS: now }).ok).toBe(false);
    expect(verifyWebhook(s, h, body, { nowS: now + 301 }).ok).toBe(false);
    expect(verifyWebhook(newSigningSecret(), h, body, { nowS: now }).ok).toBe(false);
    const rotated = { ...h, 'webhook-signature': `v1,AAAA ${h['webhook-signature']}` };
    expect(verifyWebhook(s, rotated, body, { nowS: now })).toEqual({ ok: true });
  });
});
