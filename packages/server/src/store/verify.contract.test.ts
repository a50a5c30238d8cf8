import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BackendInstance, STORE_BACKENDS, twoAccounts } from '../../test/support/backends.js';
import type { Account } from '../domain/account.js';
import type { Verification, VerifyService } from '../domain/verification.js';
import type { Store } from './store.js';

/**
 * The Verify half of the Store contract: services and verifications per account, approval by a
 * matching message, expiry reported exactly once, and the `updated_at` recovery order. Runs
 * unchanged against every backend.
 */

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const LINE_A = '+15550001000';
const LINE_B = '+15550002000';
const USER = '+19998887777';

describe.each(STORE_BACKENDS)('Store verify contract ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let a: Account;
  let b: Account;
  let seq = 0;

  beforeEach(async () => {
    instance = await backend.create();
    store = instance.store;
    ({ a, b } = await twoAccounts(store, { a: [LINE_A], b: [LINE_B] }));
  });
  afterEach(async () => {
    await instance.dispose();
  });

  function service(account: Account, sid = `SV${String(++seq).padStart(32, '0')}`): VerifyService {
    return {
      sid,
      accountId: account.id,
      friendlyName: 'Login',
      codeLength: 6,
      ttlSeconds: 300,
      useCustomerLines: false,
      createdAt: T0,
      updatedAt: T0,
    };
  }

  function verification(s: VerifyService, code: string, at = T0, to = USER): Verification {
    return {
      sid: `VR${String(++seq).padStart(32, '0')}`,
      accountId: s.accountId,
      serviceSid: s.sid,
      to,
      line: s.accountId === a.id ? LINE_A : LINE_B,
      code,
      status: 'pending',
      expiresAt: at + s.ttlSeconds * 1000,
      createdAt: at,
      updatedAt: at,
      completedAt: null,
    };
  }

  it('keeps services per account: another account sees, updates and deletes none of them', async () => {
    const s = await store.createVerifyService(service(a));
    expect(await store.getVerifyService(a.id, s.sid)).toEqual(s);
    expect(await store.getVerifyService(b.id, s.sid)).toBeUndefined();
    expect(await store.updateVerifyService(b.id, s.sid, { friendlyName: 'x', now: T0 + 1 })).toBeUndefined();
    expect(await store.deleteVerifyService(b.id, s.sid)).toBe(false);
    expect((await store.listVerifyServices(b.id, { limit: 10, offset: 0 })).total).toBe(0);
    const updated = await store.updateVerifyService(a.id, s.sid, {
      codeLength: 8,
      useCustomerLines: true,
      now: T0 + 1,
    });
    expect(updated).toEqual({ ...s, codeLength: 8, useCustomerLines: true, updatedAt: T0 + 1 });
    const page = await store.listVerifyServices(a.id, { limit: 10, offset: 0 });
    expect(page).toEqual({ services: [updated], total: 1 });
  });

  it('deleting a service deletes its verifications', async () => {
    const s = await store.createVerifyService(service(a));
    const v = await store.createVerification(verification(s, '123456'));
    expect(await store.deleteVerifyService(a.id, s.sid)).toBe(true);
    expect((await store.getVerification(a.id, s.sid, v.sid, T0)).value).toBeUndefined();
  });

  it('approves only a pending verification of that sender on that line whose code the message carries', async () => {
    const s = await store.createVerifyService(service(a));
    const v = await store.createVerification(verification(s, '123456'));
    const other = await store.createVerification(verification(s, '654321'));
    const approve = (from: string, line: string, content: string, accountId = a.id) =>
      store.approveVerifications({ accountId, line, from, content, now: T0 + 1000 });
    expect(await approve('+19998886666', LINE_A, '123456')).toEqual([]);
    expect(await approve(USER, LINE_B, '123456')).toEqual([]);
    expect(await approve(USER, LINE_A, '123456', b.id)).toEqual([]);
    expect(await approve(USER, LINE_A, '91234567')).toEqual([]);
    const approved = await approve(USER, LINE_A, 'my code is 123456!');
    expect(approved.map((x) => [x.sid, x.status, x.updatedAt, x.completedAt])).toEqual([
      [v.sid, 'approved', T0 + 1000, T0 + 1000],
    ]);
    expect(await approve(USER, LINE_A, '123456')).toEqual([]);
    expect((await store.getVerification(a.id, s.sid, other.sid, T0 + 1000)).value?.status).toBe('pending');
  });

  it('never approves after expires_at, and reports each expiry exactly once, dated at expires_at', async () => {
    const s = await store.createVerifyService(service(a));
    const v = await store.createVerification(verification(s, '123456'));
    const after = v.expiresAt + 1;
    expect(
      await store.approveVerifications({ accountId: a.id, line: LINE_A, from: USER, content: '123456', now: after }),
    ).toEqual([]);
    expect(await store.nextVerificationExpiry()).toBe(v.expiresAt);
    expect(await store.expireVerifications(v.expiresAt - 1, 100)).toEqual([]);
    const first = await store.getVerification(a.id, s.sid, v.sid, after);
    expect(first.expired.map((x) => x.sid)).toEqual([v.sid]);
    expect(first.value).toMatchObject({ status: 'expired', updatedAt: v.expiresAt, completedAt: v.expiresAt });
    expect((await store.getVerification(a.id, s.sid, v.sid, after)).expired).toEqual([]);
    expect(await store.expireVerifications(after, 100)).toEqual([]);
    expect(await store.nextVerificationExpiry()).toBeNull();
  });

  it('the sweep expires every account’s due verifications, in batches', async () => {
    const sa = await store.createVerifyService(service(a));
    const sb = await store.createVerifyService(service(b));
    const due = [
      await store.createVerification(verification(sa, '111111')),
      await store.createVerification(verification(sb, '222222', T0 + 1)),
      await store.createVerification(verification(sa, '333333', T0 + 2)),
    ];
    const late = await store.createVerification(verification(sa, '444444', T0 + 60_000));
    const now = T0 + 300_000 + 10;
    const first = await store.expireVerifications(now, 2);
    const second = await store.expireVerifications(now, 2);
    expect([...first, ...second].map((x) => x.sid)).toEqual(due.map((x) => x.sid));
    expect(await store.nextVerificationExpiry()).toBe(late.expiresAt);
  });

  it('lists in updated_at order; updated_at_gte keeps those changed at or after it; other accounts see none', async () => {
    const s = await store.createVerifyService(service(a));
    const v1 = await store.createVerification(verification(s, '111111', T0));
    const v2 = await store.createVerification(verification(s, '222222', T0 + 10));
    const v3 = await store.createVerification(verification(s, '333333', T0 + 20));
    await store.approveVerifications({ accountId: a.id, line: LINE_A, from: USER, content: '111111', now: T0 + 30 });
    await store.cancelVerification(a.id, s.sid, v2.sid, T0 + 40);
    const list = async (query: { updatedAtGte?: number; offset?: number; limit?: number } = {}) => {
      const { value } = await store.listVerifications(a.id, { limit: 10, offset: 0, now: T0 + 50, ...query });
      return { sids: value.verifications.map((v) => v.sid), total: value.total };
    };
    expect(await list()).toEqual({ sids: [v3.sid, v1.sid, v2.sid], total: 3 });
    expect(await list({ updatedAtGte: T0 + 30 })).toEqual({ sids: [v1.sid, v2.sid], total: 2 });
    expect(await list({ updatedAtGte: T0 + 31, limit: 1 })).toEqual({ sids: [v2.sid], total: 1 });
    expect(await list({ offset: 1, limit: 1 })).toEqual({ sids: [v1.sid], total: 3 });
    const { value } = await store.listVerifications(b.id, { limit: 10, offset: 0, now: T0 + 50 });
    expect(value).toEqual({ verifications: [], total: 0 });
  });

  it('cancels only a pending verification, once, and not another account’s', async () => {
    const s = await store.createVerifyService(service(a));
    const v = await store.createVerification(verification(s, '123456'));
    expect((await store.cancelVerification(b.id, s.sid, v.sid, T0 + 1)).value.verification).toBeUndefined();
    const first = await store.cancelVerification(a.id, s.sid, v.sid, T0 + 1);
    expect(first.value).toMatchObject({ canceled: true, verification: { status: 'canceled', updatedAt: T0 + 1 } });
    const again = await store.cancelVerification(a.id, s.sid, v.sid, T0 + 2);
    expect(again.value).toMatchObject({ canceled: false, verification: { status: 'canceled' } });
  });
});
