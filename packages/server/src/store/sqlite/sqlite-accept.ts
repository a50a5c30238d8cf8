import type { Message } from '../../domain/message.js';
import { type AcceptState, decideAccept, type StoreDecision } from '../accept-plan.js';
import type { AcceptInput, AcceptResult } from '../ports/messages-port.js';
import type { GroupCommit } from './group-commit.js';
import type { InboxProjections } from './inbox-projections.js';
import type { MessageCountDeltas } from './message-count-deltas.js';
import { INSERT_MESSAGE_SQL, MESSAGE_SELECT, type MessageRow, messageParams, rowToMessage } from './message-row.js';
import type { Stmt } from './prepared.js';

export interface SqliteAcceptDeps {
  stmt: Stmt;
  commits: GroupCommit;
  counts: MessageCountDeltas;
  projections: InboxProjections;
  /** Inside the transaction: whether the contact has opted out of the account. */
  isOptedOut: (accountId: number, number: string) => boolean;
  /** Inside the transaction: queues the webhook deliveries of a message stored already final. */
  enqueueStatusChange: (message: Message, now: number) => void;
}

/**
 * Accepting outbound messages on SQLite: each send is decided by accept-plan.ts against the
 * database as it stands inside the event-loop turn's group-commit transaction, then written at
 * once, so the next send of the same turn sees it (its idempotency key, its place in the queue).
 */
export class SqliteAccept {
  /** Per-account QUEUED counts, valid inside one group-commit transaction (`beginTransaction` clears them). */
  private readonly queuedInTransaction = new Map<number, number>();
  /** Built once, not per send: a send's state lookups are closures over the transaction's counts. */
  private readonly transactionState: AcceptState;

  constructor(private readonly deps: SqliteAcceptDeps) {
    this.transactionState = this.state(this.queuedInTransaction);
  }

  /** Group-committed with every other write of this event-loop turn (group-commit.ts). */
  acceptOutbound(input: AcceptInput): Promise<AcceptResult> {
    return this.deps.commits.run(() => this.acceptOne(input, this.transactionState));
  }

  /** Every transaction that may accept starts here, so counts of a rolled-back one are forgotten. */
  beginTransaction(): void {
    this.queuedInTransaction.clear();
  }

  /** Stores one message inside the caller's transaction; by default with counts of its own. */
  acceptOne(input: AcceptInput, state: AcceptState = this.state(new Map())): AcceptResult {
    const decision = decideAccept(input, state);
    if (decision.kind !== 'store') return decision;
    return { kind: 'accepted', message: this.write(decision, input) };
  }

  private state(queued: Map<number, number>): AcceptState {
    const { stmt, counts } = this.deps;
    return {
      priorResponse: (accountId, key) => {
        const prior = stmt(
          'SELECT request_hash, response_body, created_at FROM idempotency_keys WHERE account_id = ? AND key = ?',
        ).get(accountId, key) as { request_hash: string; response_body: string; created_at: number } | undefined;
        return (
          prior && { requestHash: prior.request_hash, responseBody: prior.response_body, createdAt: prior.created_at }
        );
      },
      queuedCount: (accountId) => {
        let n = queued.get(accountId);
        // The counter (migration 0004) plus this transaction's unwritten changes: O(1), however long the backlog.
        n ??=
          (
            stmt(
              `SELECT coalesce(max(n), 0) AS n FROM message_counts
                WHERE account_id = ? AND dimension = 'status' AND value = 'QUEUED'`,
            ).get(accountId) as { n: number }
          ).n + counts.pending(accountId, 'status', 'QUEUED');
        queued.set(accountId, n);
        return n;
      },
      isOptedOut: this.deps.isOptedOut,
      accepted: (decision) => {
        if (decision.queued) queued.set(decision.message.accountId, (queued.get(decision.message.accountId) ?? 0) + 1);
      },
    };
  }

  private write(decision: StoreDecision, input: AcceptInput): Message {
    const { stmt, counts } = this.deps;
    const m = decision.message;
    const id = Number(stmt(INSERT_MESSAGE_SQL).run(messageParams({ ...m, statusSeq: 0 })).lastInsertRowid);
    counts.inserted(m);
    this.deps.projections.inserted({ ...m, id });
    if (decision.queued) {
      stmt(`INSERT INTO jobs (kind, message_id, run_at) VALUES ('send', ?, ?)`).run(id, m.createdAt);
    } else {
      // Stored already final (e.g. DECLINED): its callbacks are part of this transaction too.
      const row = stmt(`${MESSAGE_SELECT} WHERE m.id = ?`).get(id) as MessageRow;
      this.deps.enqueueStatusChange(rowToMessage(row), m.createdAt);
    }
    const key = input.idempotency;
    if (key !== undefined) {
      // A request digest keeps only its latest first attempt: an identical send overwrites it.
      stmt(key.retryMatch === undefined ? INSERT_KEY_SQL : UPSERT_DIGEST_SQL).run(
        m.accountId,
        key.key,
        key.requestHash,
        decision.responseBody,
        m.createdAt,
      );
    }
    return { ...m, id, statusSeq: 0 };
  }
}

const INSERT_KEY_SQL =
  'INSERT INTO idempotency_keys (account_id, key, request_hash, response_body, created_at) VALUES (?, ?, ?, ?, ?)';
const UPSERT_DIGEST_SQL = `${INSERT_KEY_SQL}
  ON CONFLICT (account_id, key) DO UPDATE SET
    request_hash = excluded.request_hash, response_body = excluded.response_body, created_at = excluded.created_at`;
