/** Rows removed by an account's deletion, per table (tables with none are left out). */
export type AccountDeletionCounts = Record<string, number>;

export type AccountDeletionResult =
  | { kind: 'deleted'; removed: AccountDeletionCounts }
  /** No account has this id (it may have been deleted meanwhile). */
  | { kind: 'not_found' }
  /** The account has messages still QUEUED and `force` was not given; nothing was removed. */
  | { kind: 'refused'; queued: number };

/** Removing an account for good (`tapback accounts delete`). */
export interface AccountDeletionPort {
  /**
   * In one transaction: the account and everything it owns (API keys and auth tokens, seats,
   * lines with their settings, health, routes, call forwarding, location shares, network chats
   * and early receipts, messages with their jobs, network segments and counters, idempotency keys,
   * webhook settings, entries, deliveries and attempts, contacts and opt-outs, groups, media
   * objects, Verify services and verifications, TOTP secrets and account settings). Refuses,
   * removing nothing, while any of its messages is QUEUED, unless `force`. Other accounts' rows
   * are never touched.
   */
  deleteAccount(accountId: number, options: { force: boolean }): Promise<AccountDeletionResult>;
}
