import type { TotpAlgorithm, TotpSecret, TotpSecretInfo } from '../../domain/totp-secret.js';
import { type SecretCipher, SecretKeyMismatch } from '../../lib/secret-cipher.js';
import { holdsNul } from './dialect-values.js';
import { type Plan, type QB, type RowOf, all, first, run } from './query-plan.js';

/**
 * Stored TOTP secrets. The secret column holds only sealed text (lib/secret-cipher.ts): it is
 * sealed here on the way in and opened here, for one secret at a time, on the way out to compute
 * a code; lists never select it.
 */

export function* createTotpSecret(q: QB, cipher: SecretCipher, s: TotpSecret): Plan<TotpSecretInfo> {
  yield* run(
    q.insertInto('totp_secrets').values({
      id: s.id,
      account_id: s.accountId,
      label: s.label,
      issuer: s.issuer,
      algorithm: s.algorithm,
      digits: s.digits,
      period: s.period,
      secret: cipher.seal(s.secret),
      created_at: s.createdAt,
    }),
  );
  const { secret: _secret, ...info } = s;
  return info;
}

export function* listTotpSecrets(q: QB, accountId: number): Plan<TotpSecretInfo[]> {
  const rows = yield* all(infos(q).where('account_id', '=', accountId).orderBy('created_at').orderBy('id'));
  return rows.map(infoFromRow);
}

export function* getTotpSecret(
  q: QB,
  cipher: SecretCipher,
  accountId: number,
  id: string,
): Plan<TotpSecret | undefined> {
  const row = yield* first(infos(q).select('secret').where('account_id', '=', accountId).where('id', '=', id));
  if (row === undefined) return undefined;
  return { ...infoFromRow(row), secret: openTotpSecret(cipher, row.secret) };
}

export function* deleteTotpSecret(q: QB, accountId: number, id: string): Plan<boolean> {
  if (holdsNul(id)) return false;
  return (yield* run(q.deleteFrom('totp_secrets').where('account_id', '=', accountId).where('id', '=', id))) > 0;
}

function openTotpSecret(cipher: SecretCipher, stored: string): string {
  try {
    return cipher.open(stored);
  } catch (error) {
    if (error instanceof SecretKeyMismatch) throw new Error(`TAPBACK_SECRET_KEY: ${error.message}`, { cause: error });
    throw error;
  }
}

function infos(q: QB) {
  return q
    .selectFrom('totp_secrets')
    .select(['id', 'account_id', 'label', 'issuer', 'algorithm', 'digits', 'period', 'created_at']);
}

function infoFromRow(r: RowOf<ReturnType<typeof infos>>): TotpSecretInfo {
  return {
    id: r.id,
    accountId: r.account_id,
    label: r.label,
    issuer: r.issuer,
    algorithm: r.algorithm as TotpAlgorithm,
    digits: r.digits,
    period: r.period,
    createdAt: r.created_at,
  };
}
