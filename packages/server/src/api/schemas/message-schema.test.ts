import { describe, expect, it } from 'vitest';
import { WIRE_FIELDS } from '../../domain/message-fields.js';
import { toWire } from '../../domain/message.js';
import { outboundDraft } from '../../messaging/message-drafts.js';
import { WireMessageSchema } from './message-schema.js';

/**
 * The response schema is written out (its descriptions document /openapi.json), so it is held to
 * the message table here: the same keys as `toWire` gives, in the same order, all required.
 */
describe('WireMessageSchema', () => {
  it('lists exactly the wire fields of the message table, in wire order', () => {
    const wireKeys = [...WIRE_FIELDS.map((f) => f.name), 'sms_segments'];
    // `app_card` is there only for App Card messages: the one optional key.
    expect(Object.keys(WireMessageSchema.properties)).toEqual([...wireKeys, 'app_card']);
    expect([...(WireMessageSchema.required ?? [])]).toEqual(wireKeys);
    const draft = outboundDraft(
      { accountId: 1, email: 'a@example.com', plan: 'dedicated' },
      { line: '+15550001000', to: '+19998887777', content: 'hi', now: 0 },
    );
    expect(Object.keys(JSON.parse(JSON.stringify(toWire({ ...draft, id: 1, statusSeq: 0 }))) as object)).toEqual(
      wireKeys,
    );
  });
});
