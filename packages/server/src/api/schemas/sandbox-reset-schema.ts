import { Type } from 'typebox';

const count = (description: string) => Type.Integer({ minimum: 0, description });

export const SandboxResetResponseSchema = Type.Object({
  status: Type.Literal('OK'),
  removed: Type.Object(
    {
      messages: count('Messages, with their queued sends and scheduled status changes'),
      contacts: count('Contacts: saved records and opt-outs'),
      groups: count('Groups'),
      jobs: count('Queued sends and scheduled status changes'),
      webhook_deliveries: count('Webhook deliveries (GET /api/v2/webhooks/deliveries)'),
      webhook_attempts: count('Their logged attempts'),
      idempotency_keys: count('Remembered Idempotency-Key answers'),
      media: count('Uploaded media objects'),
      verifications: count('Verify verifications (the services are kept)'),
      location_shares: count('Location share requests'),
    },
    { description: 'How many rows of each kind were removed' },
  ),
});
