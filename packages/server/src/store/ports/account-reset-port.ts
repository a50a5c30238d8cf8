/** How many rows of each kind a reset removed. */
export interface AccountResetCounts {
  messages: number;
  /** Contact records and opt-outs alike: one row per number. */
  contacts: number;
  groups: number;
  jobs: number;
  webhookDeliveries: number;
  webhookAttempts: number;
  idempotencyKeys: number;
  media: number;
  verifications: number;
  locationShares: number;
}

export type AccountResetResult =
  | { kind: 'reset'; removed: AccountResetCounts }
  /** The account owns a line a real network carries (the first such line, by number); nothing was removed. */
  | { kind: 'refused'; line: { number: string; provider: string } };

/**
 * Clearing the data an account's traffic created, for test suites that start each test afresh
 * (`POST /sandbox/reset`), keeping what the account configured.
 */
export interface AccountResetPort {
  /**
   * In one transaction: removes the account's messages (their jobs, network segments and counters),
   * contacts, groups, webhook deliveries and their attempts, idempotency keys, media objects,
   * verifications and location shares. Keeps the account, its API keys, auth tokens, seats, lines
   * (call forwarding and health included), webhook entries and signing secrets, settings, Verify
   * services and TOTP secrets. Refuses, removing nothing, when a line of the account is not a
   * `sandbox` line. Other accounts' rows are never touched.
   */
  resetAccountData(accountId: number): Promise<AccountResetResult>;
}
