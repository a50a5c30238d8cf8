import { describe, expect, it } from 'vitest';
import { mapBlueBubblesEvent } from './bluebubbles-events.js';
import type { BbMessage } from './bluebubbles-wire.js';

/** The pure mapping of BlueBubbles events to Tapback effects. */
const LINE = '+15550003000';
const OTHER = '+15550003001';
const scope = { lines: [LINE, OTHER] };

function message(over: Partial<BbMessage>): BbMessage {
  return {
    originalROWID: 1,
    guid: 'p:0/GUID-1',
    text: 'hi',
    handle: { originalROWID: 2, address: '+14155550123', service: 'iMessage' },
    handleId: 2,
    chats: [
      {
        originalROWID: 3,
        guid: 'iMessage;-;+14155550123',
        style: 45,
        chatIdentifier: '+14155550123',
        isArchived: false,
        displayName: '',
      },
    ],
    attachments: [],
    error: 0,
    dateCreated: 1,
    dateRead: null,
    dateDelivered: null,
    isFromMe: false,
    itemType: 0,
    groupTitle: null,
    groupActionType: 0,
    balloonBundleId: null,
    associatedMessageGuid: null,
    associatedMessageType: null,
    expressiveSendStyleId: null,
    ...over,
  };
}

describe('mapBlueBubblesEvent', () => {
  it('maps a sent message to receipts under its tempGuid and guid for every line of the server', () => {
    const effects = mapBlueBubblesEvent(
      { type: 'new-message', data: message({ isFromMe: true, tempGuid: 'handle-1', handle: null }) },
      scope,
    );
    expect(
      effects.map((e) =>
        e.kind === 'receipt' ? [e.receipt.line, e.receipt.networkMessageId, e.receipt.patch.status] : e.kind,
      ),
    ).toEqual([
      [LINE, 'handle-1', 'SENT'],
      [LINE, 'p:0/GUID-1', 'SENT'],
      [OTHER, 'handle-1', 'SENT'],
      [OTHER, 'p:0/GUID-1', 'SENT'],
    ]);
  });

  it('reads a delivery date as DELIVERED, a read date as the receipt’s readAt, error 22 as ERROR not on iMessage', () => {
    const delivered = mapBlueBubblesEvent(
      { type: 'updated-message', data: message({ isFromMe: true, dateDelivered: 5 }) },
      { lines: [LINE] },
    );
    expect(delivered).toEqual([
      {
        kind: 'receipt',
        receipt: { line: LINE, networkMessageId: 'p:0/GUID-1', patch: { status: 'DELIVERED', service: 'iMessage' } },
      },
    ]);
    const read = mapBlueBubblesEvent(
      { type: 'updated-message', data: message({ isFromMe: true, dateDelivered: 5, dateRead: 6 }) },
      { lines: [LINE] },
    );
    expect(read).toEqual([
      {
        kind: 'receipt',
        receipt: {
          line: LINE,
          networkMessageId: 'p:0/GUID-1',
          patch: { status: 'DELIVERED', service: 'iMessage' },
          readAt: 6,
        },
      },
    ]);
    const [failed] = mapBlueBubblesEvent(
      { type: 'message-send-error', data: message({ isFromMe: true, error: 22 }) },
      { lines: [LINE] },
    );
    expect(failed).toMatchObject({
      kind: 'receipt',
      receipt: {
        notOnService: true,
        patch: { status: 'ERROR', errorCode: 10001, errorDetail: expect.stringContaining('22') },
      },
    });
  });

  it('ignores reactions, email handles, empty messages, events it does not map and group typing', () => {
    expect(
      mapBlueBubblesEvent(
        { type: 'new-message', data: message({ associatedMessageGuid: 'p:0/X', associatedMessageType: 'love' }) },
        scope,
      ),
    ).toEqual([]);
    expect(
      mapBlueBubblesEvent(
        { type: 'new-message', data: message({ handle: { originalROWID: 9, address: 'a@b.c', service: 'iMessage' } }) },
        scope,
      ),
    ).toEqual([]);
    expect(mapBlueBubblesEvent({ type: 'new-message', data: message({ text: '\uFFFC' }) }, scope)).toEqual([]);
    expect(
      mapBlueBubblesEvent({ type: 'chat-read-status-changed', data: { chatGuid: 'x', read: true } }, scope),
    ).toEqual([]);
    expect(
      mapBlueBubblesEvent({ type: 'typing-indicator', data: { display: true, guid: 'iMessage;+;chat1' } }, scope),
    ).toEqual([]);
    expect(mapBlueBubblesEvent({ type: 'new-message', data: null }, scope)).toEqual([]);
  });

  it('maps an inbound group message with its chat, to the line the Mac used in it', () => {
    const chat = {
      originalROWID: 4,
      guid: 'iMessage;+;chat9',
      style: 43,
      chatIdentifier: 'chat9',
      isArchived: false,
      displayName: 'Crew',
      lastAddressedHandle: OTHER,
    };
    const [effect] = mapBlueBubblesEvent({ type: 'new-message', data: message({ chats: [chat] }) }, scope);
    expect(effect).toEqual({
      kind: 'inbound',
      inbound: {
        line: OTHER,
        from: '+14155550123',
        content: 'hi',
        service: 'iMessage',
        networkMessageId: 'p:0/GUID-1',
        group: { chatId: 'iMessage;+;chat9', participants: [], name: 'Crew' },
      },
      attachments: [],
      needsParticipants: true,
    });
  });
});
