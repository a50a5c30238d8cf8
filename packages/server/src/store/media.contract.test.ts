import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Account } from '../domain/account.js';
import { newGroupId } from '../domain/group.js';
import { newMediaId, type StoredMedia } from '../domain/media.js';
import { type BackendInstance, STORE_BACKENDS, twoAccounts } from '../../test/support/backends.js';
import { messageDraft } from '../../test/support/message-draft.js';
import type { Store } from './store.js';

/** Media objects (bytes in the database), a message's type payload, a group's name and photo. */

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const LINE = '+15550001000';
const CONTACT = '+19998887777';

function media(account: Account, bytes: Buffer, overrides: Partial<StoredMedia> = {}): StoredMedia {
  return {
    id: newMediaId(),
    accountId: account.id,
    filename: 'photo.png',
    contentType: 'image/png',
    size: bytes.length,
    sourceUrl: 'https://example.com/photo.png',
    bytes,
    createdAt: T0,
    ...overrides,
  };
}

describe.each(STORE_BACKENDS)('Store media ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let a: Account;
  let b: Account;

  beforeEach(async () => {
    instance = await backend.create();
    store = instance.store;
    ({ a, b } = await twoAccounts(store, { a: [LINE], b: [] }));
  });
  afterEach(async () => {
    await instance.dispose();
  });

  it('keeps every byte of a media object, binary and empty alike', async () => {
    const binary = Buffer.from([0, 1, 2, 0xff, 0xfe, 0, 0x80, 10, 13]);
    const saved = await store.saveMedia(media(a, binary));
    expect(saved).not.toHaveProperty('bytes');
    const read = await store.getMedia(saved.id);
    expect(read?.bytes.equals(binary)).toBe(true);
    expect(read).toMatchObject({ accountId: a.id, filename: 'photo.png', contentType: 'image/png', size: 9 });
    const empty = await store.saveMedia(media(a, Buffer.alloc(0), { sourceUrl: null }));
    expect((await store.getMedia(empty.id))?.bytes.length).toBe(0);
    expect(await store.getMedia(newMediaId())).toBeUndefined();
  });

  it('stores and reads back a message’s type payload', async () => {
    const payload = {
      kind: 'carousel' as const,
      mediaUrls: ['https://example.com/1.jpg', 'https://example.com/2.jpg'],
    };
    const r = await store.acceptOutbound({
      message: { ...messageDraft(a, LINE, CONTACT, { createdAt: T0 }), messageType: 'carousel', typePayload: payload },
      queueLimit: 100,
    });
    if (r.kind !== 'accepted') throw new Error(r.kind);
    expect(r.message.typePayload).toEqual(payload);
    const read = await store.getMessage(a.id, r.message.handle);
    expect(read?.messageType).toBe('carousel');
    expect(read?.typePayload).toEqual(payload);
    const plain = await store.acceptOutbound({ message: messageDraft(a, LINE, CONTACT), queueLimit: 100 });
    if (plain.kind !== 'accepted') throw new Error(plain.kind);
    expect((await store.getMessage(a.id, plain.message.handle))?.typePayload).toBeNull();
  });

  it('renames and sets the photo of the account’s group only, deleting the photo it replaces', async () => {
    const group = await store.findOrCreateGroup({
      accountId: a.id,
      line: LINE,
      members: ['+19998887777', '+19998886666'],
      groupId: newGroupId(),
      now: T0,
    });
    expect(group.photo).toBeNull();
    expect(await store.renameGroup({ accountId: b.id, groupId: group.groupId, name: 'x', now: T0 })).toBeUndefined();
    expect((await store.getGroup(a.id, group.groupId))?.name).toBe('');
    const renamed = await store.renameGroup({ accountId: a.id, groupId: group.groupId, name: 'Falcon', now: T0 + 1 });
    expect(renamed).toMatchObject({ name: 'Falcon', updatedAt: T0 + 1 });

    const first = media(a, Buffer.from('first'));
    const foreign = await store.setGroupPhoto({ accountId: b.id, groupId: group.groupId, photo: first, now: T0 });
    expect(foreign).toBeUndefined();
    expect(await store.getMedia(first.id)).toBeUndefined();

    const withFirst = await store.setGroupPhoto({ accountId: a.id, groupId: group.groupId, photo: first, now: T0 + 2 });
    expect(withFirst?.photo).toEqual({ id: first.id, filename: 'photo.png' });
    const second = media(a, Buffer.from('second'), { filename: 'team.gif', contentType: 'image/gif' });
    const withSecond = await store.setGroupPhoto({
      accountId: a.id,
      groupId: group.groupId,
      photo: second,
      now: T0 + 3,
    });
    expect(withSecond?.photo).toEqual({ id: second.id, filename: 'team.gif' });
    expect(await store.getMedia(first.id)).toBeUndefined();
    expect((await store.getGroup(a.id, group.groupId))?.photo?.id).toBe(second.id);

    const cleared = await store.setGroupPhoto({ accountId: a.id, groupId: group.groupId, photo: null, now: T0 + 4 });
    expect(cleared?.photo).toBeNull();
    expect(await store.getMedia(second.id)).toBeUndefined();
  });
});
