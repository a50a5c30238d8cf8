import { describe, expect, it } from 'vitest';
import { inboundDraft, outboundDraft } from '../messaging/message-drafts.js';
import { applyPatch } from '../store/status-patch.js';
import type { Message } from './message.js';
import { toWire } from './message.js';
import { MESSAGE_DRAFT_DEFAULTS, MESSAGE_FIELD_LIST, STATUS_CHANGE_FIELDS, WIRE_FIELDS } from './message-fields.js';

/**
 * What the compiler cannot check about the message table (message-fields.ts): names are unique,
 * drafts and the wire follow it, and a status change writes only the fields it says.
 */

const OWNER = { accountId: 7, email: 'a@example.com', plan: 'dedicated' };
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const storeAssigned = MESSAGE_FIELD_LIST.filter((f) => f.draft === 'store').map((f) => f.prop);

function message(overrides: Partial<Message> = {}): Message {
  const draft = outboundDraft(OWNER, { line: '+15550001000', to: '+19998887777', content: 'hi', now: T0 });
  return { ...draft, id: 1, statusSeq: 0, ...overrides };
}

const unique = (names: readonly string[]) => expect(new Set(names).size).toBe(names.length);

describe('the message table', () => {
  it('names every column and wire key once', () => {
    unique(MESSAGE_FIELD_LIST.map((f) => f.column));
    unique(WIRE_FIELDS.map((f) => f.name));
  });

  it('gives drafts every field but the store-assigned ones, starting from its constants', () => {
    const drafts = [
      outboundDraft(OWNER, { line: '+15550001000', to: '+19998887777', content: 'hi', now: T0 }),
      inboundDraft(OWNER, {
        from: '+19998887777',
        line: '+15550001000',
        content: 'hi',
        mediaUrl: '',
        service: 'SMS',
        now: T0,
      }),
    ];
    const expected = MESSAGE_FIELD_LIST.map((f) => f.prop).filter((p) => !storeAssigned.includes(p));
    for (const d of drafts) {
      expect(Object.keys(d).sort()).toEqual([...expected].sort());
      expect(Object.values(d)).not.toContain(undefined);
    }
    expect(drafts[0]).toMatchObject({
      ...MESSAGE_DRAFT_DEFAULTS,
      content: 'hi',
      createdAt: T0,
      providerMessageId: null,
    });
    for (const f of MESSAGE_FIELD_LIST) {
      if (typeof f.draft === 'object') expect(MESSAGE_DRAFT_DEFAULTS).toHaveProperty(f.prop, f.draft.value);
    }
  });

  it('shares a frozen empty participants array between drafts, so none can change it for the others', () => {
    const d = outboundDraft(OWNER, { line: '+15550001000', to: '+19998887777', content: 'hi', now: T0 });
    expect(() => d.participants.push('+19998887777')).toThrow(TypeError);
    expect(MESSAGE_DRAFT_DEFAULTS.participants).toEqual([]);
  });

  it('shows on the wire exactly the fields with wire names, renamed, times in ISO 8601', () => {
    const m = message({ providerMessageId: 'net-1', statusCallback: 'https://example.com/cb', statusSeq: 4 });
    const wire = toWire(m) as unknown as Record<string, unknown>;
    // `app_card` is present only for App Card messages, so a plain message's JSON leaves it out.
    expect(Object.keys(JSON.parse(JSON.stringify(wire)) as object)).toEqual([
      ...WIRE_FIELDS.map((f) => f.name),
      'sms_segments',
    ]);
    expect(wire).toMatchObject({
      accountEmail: 'a@example.com',
      account_email: 'a@example.com',
      message_handle: m.handle,
      date_created: new Date(T0).toISOString(),
      status_sequence: 4,
      sms_segments: null,
    });
    for (const hidden of ['id', 'accountId', 'statusCallback', 'providerMessageId', 'provider_message_id']) {
      expect(wire).not.toHaveProperty(hidden);
    }
    expect(toWire(message({ service: 'SMS' })).sms_segments).toBe(1);
  });

  it('lists every field a status change writes (the worker UPDATEs exactly those columns)', () => {
    const before = message({ wasDowngraded: null, errorCode: null });
    const after = applyPatch(
      before,
      {
        status: 'ERROR',
        service: 'SMS',
        wasDowngraded: true,
        errorCode: 1,
        errorMessage: 'm',
        errorReason: 'r',
        errorDetail: 'd',
      },
      T0 + 1,
    );
    if (after === undefined) throw new Error('patch not applied');
    const changed = MESSAGE_FIELD_LIST.map((f) => f.prop).filter((p) => after[p] !== before[p]);
    expect(changed.sort()).toEqual(STATUS_CHANGE_FIELDS.map((f) => f.prop).sort());
    expect(STATUS_CHANGE_FIELDS.map((f) => f.column)).toEqual([
      'status',
      'error_code',
      'error_message',
      'error_reason',
      'error_detail',
      'updated_at',
      'was_downgraded',
      'service',
      'status_seq',
    ]);
  });
});
