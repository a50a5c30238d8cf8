import { describe, expect, it } from 'vitest';
import { newSigningSecret } from '../domain/webhook.js';
import { webhookHeaders } from '../webhooks/signing.js';
import { startWebhookCatcher } from './webhooks.js';

describe('tapback webhooks listen', () => {
  it('prints deliveries, accepts valid signatures and answers 401 to bad ones', async () => {
    const secret = newSigningSecret();
    const out: string[] = [];
    const catcher = await startWebhookCatcher({
      host: '127.0.0.1',
      port: 0,
      secret,
      status: 200,
      write: (t) => out.push(t),
    });
    try {
      const body = '{"status":"DELIVERED","message_handle":"h1"}';
      const headers = webhookHeaders({
        id: 'msg_1',
        timestampS: Math.floor(Date.now() / 1000),
        body,
        signingSecret: secret,
        sharedSecret: 'plain-secret',
      });
      expect((await fetch(`${catcher.url}/cb`, { method: 'POST', headers, body })).status).toBe(200);
      const forged = { ...headers, 'webhook-signature': 'v1,AAAA' };
      expect((await fetch(`${catcher.url}/cb`, { method: 'POST', headers: forged, body })).status).toBe(401);
    } finally {
      await catcher.close();
    }
    expect(out[0]).toContain('signature: verified');
    expect(out[0]).toContain('"status": "DELIVERED"');
    expect(out[1]).toContain('signature: INVALID');
    // The shared secret is a credential: never printed.
    expect(out.join('\n')).not.toContain('plain-secret');
  });
});
