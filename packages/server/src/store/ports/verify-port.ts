import type { Verification, VerifyService } from '../../domain/verification.js';

export interface VerifyServicePatch {
  friendlyName?: string;
  codeLength?: number;
  ttlSeconds?: number;
  useCustomerLines?: boolean;
  now: number;
}

/** A read that first expired the account's verifications whose window had passed. */
export interface AfterExpiry<T> {
  value: T;
  /** The verifications this call moved to `expired` (each is moved by exactly one call). */
  expired: Verification[];
}

/**
 * Sendblue Verify: services and their verifications. Every status change is a guarded write
 * (`WHERE status = 'pending'`) that returns what it changed, so each change is reported once
 * whichever process or request makes it.
 */
export interface VerifyPort {
  createVerifyService(service: VerifyService): Promise<VerifyService>;
  getVerifyService(accountId: number, sid: string): Promise<VerifyService | undefined>;
  /** Oldest first. */
  listVerifyServices(
    accountId: number,
    page: { limit: number; offset: number },
  ): Promise<{ services: VerifyService[]; total: number }>;
  updateVerifyService(accountId: number, sid: string, patch: VerifyServicePatch): Promise<VerifyService | undefined>;
  /** Deletes the service and its verifications; false if the account has no such service. */
  deleteVerifyService(accountId: number, sid: string): Promise<boolean>;
  createVerification(verification: Verification): Promise<Verification>;
  getVerification(
    accountId: number,
    serviceSid: string,
    sid: string,
    now: number,
  ): Promise<AfterExpiry<Verification | undefined>>;
  /** In `updated_at` order, then creation order; `updatedAtGte` keeps those changed at or after it. */
  listVerifications(
    accountId: number,
    query: { limit: number; offset: number; updatedAtGte?: number; now: number },
  ): Promise<AfterExpiry<{ verifications: Verification[]; total: number }>>;
  /**
   * Approves the account's pending, unexpired verifications of `from` on `line` whose code the
   * message carries; returns those it approved.
   */
  approveVerifications(input: {
    accountId: number;
    line: string;
    from: string;
    content: string;
    now: number;
  }): Promise<Verification[]>;
  /** Cancels a pending verification; `canceled` says whether this call did. */
  cancelVerification(
    accountId: number,
    serviceSid: string,
    sid: string,
    now: number,
  ): Promise<AfterExpiry<{ verification: Verification | undefined; canceled: boolean }>>;
  /** Expires up to `limit` verifications of any account whose window passed by `now`. */
  expireVerifications(now: number, limit: number): Promise<Verification[]>;
  /** The earliest `expires_at` of a pending verification, or null. */
  nextVerificationExpiry(): Promise<number | null>;
}
