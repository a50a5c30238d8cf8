import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Account } from '../domain/account.js';
import { type BackendInstance, STORE_BACKENDS, twoAccounts } from '../../test/support/backends.js';
import type { Store } from './store.js';

/** NetworkChatsPort: network chats mapped to groups once, and how lines' events arrive. */
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const LINE = '+15550001000';

describe.each(STORE_BACKENDS)('Store network chats ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let a: Account;

  beforeEach(async () => {
    instance = await backend.create();
    store = instance.store;
    ({ a } = await twoAccounts(store, { a: [LINE], b: ['+15550002000'] }));
  });
  afterEach(() => instance.dispose());

  it('maps a chat once: the first mapping wins, per line', async () => {
    expect(await store.findNetworkChat(LINE, 'iMessage;+;chat1')).toBeUndefined();
    const first = await store.linkNetworkChat({
      line: LINE,
      chatId: 'iMessage;+;chat1',
      accountId: a.id,
      groupId: 'g-1',
      now: T0,
    });
    const again = await store.linkNetworkChat({
      line: LINE,
      chatId: 'iMessage;+;chat1',
      accountId: a.id,
      groupId: 'g-2',
      now: T0,
    });
    expect([first, again]).toEqual(['g-1', 'g-1']);
    expect(await store.findNetworkChat(LINE, 'iMessage;+;chat1')).toBe('g-1');
    expect(await store.findNetworkChat('+15550002000', 'iMessage;+;chat1')).toBeUndefined();
    expect(await store.findNetworkChatOfGroup(LINE, 'g-1')).toBe('iMessage;+;chat1');
    expect(await store.findNetworkChatOfGroup(LINE, 'g-2')).toBeUndefined();
  });

  it('records a line’s mode, moving changed_at only on a change, and its last webhook', async () => {
    await store.setLineEventMode({ line: LINE, mode: 'webhook', detail: null, now: T0 });
    await store.setLineEventMode({ line: LINE, mode: 'webhook', detail: null, now: T0 + 5 });
    expect(await store.listLineEventSources([LINE])).toEqual([
      { line: LINE, mode: 'webhook', detail: null, changedAt: T0, lastWebhookAt: null },
    ]);
    await store.noteLineWebhook(LINE, T0 + 7);
    await store.setLineEventMode({ line: LINE, mode: 'polling', detail: 'missed', now: T0 + 9 });
    expect(await store.listLineEventSources()).toEqual([
      { line: LINE, mode: 'polling', detail: 'missed', changedAt: T0 + 9, lastWebhookAt: T0 + 7 },
    ]);
    expect(await store.listLineEventSources([])).toEqual([]);
  });

  it('notes a webhook for a line without a mode as webhook mode', async () => {
    await store.noteLineWebhook(LINE, T0);
    expect(await store.listLineEventSources([LINE, '+15550009999'])).toEqual([
      { line: LINE, mode: 'webhook', detail: null, changedAt: T0, lastWebhookAt: T0 },
    ]);
  });
});
