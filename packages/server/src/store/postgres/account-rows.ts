import type { Account, ApiKey, Line } from '../../domain/account.js';

/** Rows of the account tables as PostgreSQL returns them, and their domain shapes. */

export interface AccountRow {
  id: number;
  email: string;
  plan: string;
  created_at: number;
}

export function accountFromRow(r: AccountRow): Account {
  return { id: r.id, email: r.email, plan: r.plan, createdAt: r.created_at };
}

export interface KeyRow {
  key_id: string;
  account_id: number;
  account_email: string;
  account_plan: string;
  label: string | null;
  created_at: number;
  revoked_at: number | null;
  secret_digest: string;
}

export function keyFromRow(r: KeyRow): ApiKey & { secretDigest: string } {
  return {
    keyId: r.key_id,
    accountId: r.account_id,
    accountEmail: r.account_email,
    accountPlan: r.account_plan,
    label: r.label,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    secretDigest: r.secret_digest,
  };
}

export interface LineRow {
  id: number;
  account_id: number;
  account_email: string;
  number: string;
  provider: string;
  created_at: number;
}

export function lineFromRow(r: LineRow): Line {
  return {
    id: r.id,
    accountId: r.account_id,
    accountEmail: r.account_email,
    number: r.number,
    provider: r.provider,
    createdAt: r.created_at,
  };
}
