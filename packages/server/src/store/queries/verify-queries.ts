import {
  type Verification,
  type VerificationStatus,
  type VerifyService,
  carriesCode,
} from '../../domain/verification.js';
import type { AfterExpiry, VerifyServicePatch } from '../ports/verify-port.js';
import { flag, holdsNul } from './dialect-values.js';
import { type Plan, type QB, type RowOf, all, first, only, run } from './query-plan.js';

/**
 * Verify services and verifications. A verification's status moves only from `pending`, by a
 * guarded update that returns the rows it moved, so each approval, expiry or cancellation is
 * reported by exactly one caller. Reads first expire the account's verifications whose window
 * has passed, so a read never shows `pending` past `expires_at`.
 */

export function* createVerifyService(q: QB, s: VerifyService): Plan<VerifyService> {
  yield* run(
    q.insertInto('verify_services').values({
      sid: s.sid,
      account_id: s.accountId,
      friendly_name: s.friendlyName,
      code_length: s.codeLength,
      ttl_seconds: s.ttlSeconds,
      use_customer_lines: s.useCustomerLines,
      created_at: s.createdAt,
      updated_at: s.updatedAt,
    }),
  );
  return s;
}

export function* getVerifyService(q: QB, accountId: number, sid: string): Plan<VerifyService | undefined> {
  const row = yield* first(services(q).where('account_id', '=', accountId).where('sid', '=', sid));
  return row && serviceFromRow(row);
}

export function* listVerifyServices(
  q: QB,
  accountId: number,
  page: { limit: number; offset: number },
): Plan<{ services: VerifyService[]; total: number }> {
  const rows = yield* all(
    services(q).where('account_id', '=', accountId).orderBy('id').limit(page.limit).offset(page.offset),
  );
  const { n } = yield* only(
    q
      .selectFrom('verify_services')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('account_id', '=', accountId),
  );
  return { services: rows.map(serviceFromRow), total: Number(n) };
}

export function* updateVerifyService(
  q: QB,
  accountId: number,
  sid: string,
  patch: VerifyServicePatch,
): Plan<VerifyService | undefined> {
  if (holdsNul(sid)) return undefined;
  const changed = yield* run(
    q
      .updateTable('verify_services')
      .set({
        ...(patch.friendlyName === undefined ? {} : { friendly_name: patch.friendlyName }),
        ...(patch.codeLength === undefined ? {} : { code_length: patch.codeLength }),
        ...(patch.ttlSeconds === undefined ? {} : { ttl_seconds: patch.ttlSeconds }),
        ...(patch.useCustomerLines === undefined ? {} : { use_customer_lines: patch.useCustomerLines }),
        updated_at: patch.now,
      })
      .where('account_id', '=', accountId)
      .where('sid', '=', sid),
  );
  return changed === 0 ? undefined : yield* getVerifyService(q, accountId, sid);
}

/** In a transaction: a service's verifications go with it. */
export function* deleteVerifyService(q: QB, accountId: number, sid: string): Plan<boolean> {
  if (holdsNul(sid)) return false;
  const deleted = yield* run(
    q.deleteFrom('verify_services').where('account_id', '=', accountId).where('sid', '=', sid),
  );
  if (deleted === 0) return false;
  yield* run(q.deleteFrom('verify_verifications').where('account_id', '=', accountId).where('service_sid', '=', sid));
  return true;
}

export function* createVerification(q: QB, v: Verification): Plan<Verification> {
  yield* run(
    q.insertInto('verify_verifications').values({
      sid: v.sid,
      account_id: v.accountId,
      service_sid: v.serviceSid,
      to_number: v.to,
      line: v.line,
      code: v.code,
      status: v.status,
      expires_at: v.expiresAt,
      created_at: v.createdAt,
      updated_at: v.updatedAt,
      completed_at: v.completedAt,
    }),
  );
  return v;
}

/** In a transaction. */
export function* getVerification(
  q: QB,
  accountId: number,
  serviceSid: string,
  sid: string,
  now: number,
): Plan<AfterExpiry<Verification | undefined>> {
  const expired = yield* expireDue(q, now, { accountId });
  const row = yield* first(
    verifications(q).where('account_id', '=', accountId).where('service_sid', '=', serviceSid).where('sid', '=', sid),
  );
  return { value: row && verificationFromRow(row), expired };
}

/** In a transaction. */
export function* listVerifications(
  q: QB,
  accountId: number,
  query: { limit: number; offset: number; updatedAtGte?: number; now: number },
): Plan<AfterExpiry<{ verifications: Verification[]; total: number }>> {
  const expired = yield* expireDue(q, query.now, { accountId });
  const since = query.updatedAtGte;
  const rows = yield* all(
    verifications(q)
      .where('account_id', '=', accountId)
      .$if(since !== undefined, (qb) => qb.where('updated_at', '>=', since ?? 0))
      .orderBy('updated_at')
      .orderBy('id')
      .limit(query.limit)
      .offset(query.offset),
  );
  const { n } = yield* only(
    q
      .selectFrom('verify_verifications')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('account_id', '=', accountId)
      .$if(since !== undefined, (qb) => qb.where('updated_at', '>=', since ?? 0)),
  );
  return { value: { verifications: rows.map(verificationFromRow), total: Number(n) }, expired };
}

/** In a transaction. */
export function* approveVerifications(
  q: QB,
  input: { accountId: number; line: string; from: string; content: string; now: number },
): Plan<Verification[]> {
  const pending = yield* all(
    verifications(q)
      .where('line', '=', input.line)
      .where('to_number', '=', input.from)
      .where('status', '=', 'pending')
      .where('account_id', '=', input.accountId)
      .where('expires_at', '>', input.now)
      .orderBy('id'),
  );
  const approved: Verification[] = [];
  for (const row of pending) {
    if (!carriesCode(input.content, row.code)) continue;
    const moved = yield* move(q, row.id, 'approved', input.now);
    if (moved)
      approved.push({ ...verificationFromRow(row), status: 'approved', updatedAt: input.now, completedAt: input.now });
  }
  return approved;
}

/** In a transaction. */
export function* cancelVerification(
  q: QB,
  accountId: number,
  serviceSid: string,
  sid: string,
  now: number,
): Plan<AfterExpiry<{ verification: Verification | undefined; canceled: boolean }>> {
  const { value, expired } = yield* getVerification(q, accountId, serviceSid, sid, now);
  if (value === undefined || value.status !== 'pending')
    return { value: { verification: value, canceled: false }, expired };
  const row = yield* only(verifications(q).where('sid', '=', sid).where('account_id', '=', accountId));
  const canceled = yield* move(q, row.id, 'canceled', now);
  const after = canceled ? { ...value, status: 'canceled' as const, updatedAt: now, completedAt: now } : value;
  return { value: { verification: after, canceled }, expired };
}

export function* expireVerifications(q: QB, now: number, limit: number): Plan<Verification[]> {
  return yield* expireDue(q, now, { limit });
}

export function* nextVerificationExpiry(q: QB): Plan<number | null> {
  const row = yield* first(
    q
      .selectFrom('verify_verifications')
      .select('expires_at')
      .where('status', '=', 'pending')
      .orderBy('expires_at')
      .limit(1),
  );
  return row?.expires_at ?? null;
}

/**
 * Moves pending verifications whose window has passed to `expired`, dated at their `expires_at`
 * (when they expired, not when it was noticed), and returns exactly the rows this statement moved.
 */
function* expireDue(q: QB, now: number, scope: { accountId?: number; limit?: number }): Plan<Verification[]> {
  const due = q
    .selectFrom('verify_verifications')
    .select('id')
    .where('status', '=', 'pending')
    .where('expires_at', '<=', now)
    .$if(scope.accountId !== undefined, (qb) => qb.where('account_id', '=', scope.accountId ?? 0))
    .orderBy('expires_at')
    .limit(scope.limit ?? 1_000_000);
  const rows = yield* all(
    q
      .updateTable('verify_verifications')
      .set((eb) => ({ status: 'expired', updated_at: eb.ref('expires_at'), completed_at: eb.ref('expires_at') }))
      .where('id', 'in', due)
      .where('status', '=', 'pending')
      .returning(COLUMNS),
  );
  return rows.map(verificationFromRow).sort((a, b) => a.expiresAt - b.expiresAt);
}

function* move(q: QB, id: number, status: VerificationStatus, now: number): Plan<boolean> {
  const changed = yield* run(
    q
      .updateTable('verify_verifications')
      .set({ status, updated_at: now, completed_at: now })
      .where('id', '=', id)
      .where('status', '=', 'pending'),
  );
  return changed === 1;
}

function services(q: QB) {
  return q
    .selectFrom('verify_services')
    .select([
      'sid',
      'account_id',
      'friendly_name',
      'code_length',
      'ttl_seconds',
      'use_customer_lines',
      'created_at',
      'updated_at',
    ]);
}

function serviceFromRow(r: RowOf<ReturnType<typeof services>>): VerifyService {
  return {
    sid: r.sid,
    accountId: r.account_id,
    friendlyName: r.friendly_name,
    codeLength: r.code_length,
    ttlSeconds: r.ttl_seconds,
    useCustomerLines: flag(r.use_customer_lines),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const COLUMNS = [
  'id',
  'sid',
  'account_id',
  'service_sid',
  'to_number',
  'line',
  'code',
  'status',
  'expires_at',
  'created_at',
  'updated_at',
  'completed_at',
] as const;

function verifications(q: QB) {
  return q.selectFrom('verify_verifications').select(COLUMNS);
}

function verificationFromRow(r: RowOf<ReturnType<typeof verifications>>): Verification {
  return {
    sid: r.sid,
    accountId: r.account_id,
    serviceSid: r.service_sid,
    to: r.to_number,
    line: r.line,
    code: r.code,
    status: r.status as VerificationStatus,
    expiresAt: r.expires_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    completedAt: r.completed_at,
  };
}
