import type { Message, MessageStatus, MessageType, Service } from '../domain/message.js';

/**
 * The storage contract. Every backend (SQLite now, PostgreSQL next) implements exactly this, and
 * `store.contract.test.ts` runs one suite against each, so no behaviour may differ between them
 * except speed. Methods are async even where SQLite is synchronous, because PostgreSQL is not.
 */
export interface Store {
  /** What differs between backends, as data rather than `if (dialect)` checks. */
  readonly capabilities: StoreCapabilities;

  migrate(): Promise<void>;
  close(): Promise<void>;

  // Accounts, keys and lines.
  createAccount(input: { email: string; plan?: string }): Promise<Account>;
  findAccountByEmail(email: string): Promise<Account | undefined>;
  listAccounts(): Promise<Account[]>;
  createApiKey(input: { accountId: number; keyId: string; secretDigest: string; label?: string }): Promise<ApiKey>;
  listApiKeys(accountId?: number): Promise<ApiKey[]>;
  revokeApiKey(keyId: string): Promise<boolean>;
  /** The key with its account, for authentication; revoked keys are returned too (callers check). */
  findApiKey(keyId: string): Promise<(ApiKey & { secretDigest: string }) | undefined>;
  addLine(input: { accountId: number; number: string; provider: string }): Promise<Line>;
  findLine(number: string): Promise<Line | undefined>;
  listLines(accountId?: number): Promise<Line[]>;

  // Messages.
  /**
   * Stores an outbound message and its first delivery job in one transaction, or replays the
   * response stored under the same idempotency key. Backends batch concurrent calls into one
   * transaction (group commit); each caller still gets its own result.
   */
  acceptOutbound(input: AcceptInput): Promise<AcceptResult>;
  getMessage(accountId: number, handle: string): Promise<Message | undefined>;
  listMessages(accountId: number, query: MessageQuery): Promise<{ messages: Message[]; total: number }>;

  // The delivery job queue.
  /**
   * Claims up to `limit` jobs due at `now`. A claimed job's `runAt` moves to `leaseUntil`, so a
   * job whose worker died simply becomes due again when its lease expires.
   */
  claimJobs(input: { now: number; limit: number; leaseUntil: number; workerId: string }): Promise<ClaimedJob[]>;
  /** Records job outcomes (status changes, follow-up jobs, retries) in one transaction. */
  finishJobs(outcomes: JobOutcome[], now: number): Promise<StatusChange[]>;
  /** The earliest `runAt` of any job, leased or not; null when the queue is empty. */
  nextJobAt(): Promise<number | null>;
  countJobs(): Promise<number>;
}

export interface StoreCapabilities {
  readonly dialect: 'sqlite' | 'postgres';
  /** Whether several processes may run workers against this store at once. */
  readonly multiProcess: boolean;
}

export interface Account {
  id: number;
  email: string;
  plan: string;
  createdAt: number;
}

export interface ApiKey {
  keyId: string;
  accountId: number;
  accountEmail: string;
  label: string | null;
  createdAt: number;
  revokedAt: number | null;
}

export interface Line {
  id: number;
  accountId: number;
  accountEmail: string;
  number: string;
  provider: string;
  createdAt: number;
}

export type NewMessage = Omit<Message, 'id' | 'statusSeq' | 'accountEmail' | 'plan'>;

export interface AcceptInput {
  message: NewMessage;
  /** When set, the first response under this key is replayed instead of storing again. */
  idempotency?: { key: string; requestHash: string; responseBody: string };
  /** Sends are refused (nothing stored) when this many of the account's messages are QUEUED. */
  queueLimit: number;
}

export type AcceptResult =
  | { kind: 'accepted'; message: Message }
  | { kind: 'replay'; requestHash: string; responseBody: string }
  | { kind: 'queue_full' };

export type OrderBy = 'createdAt' | 'updatedAt' | 'sentAt';

export interface MessageQuery {
  limit: number;
  offset: number;
  orderBy: OrderBy;
  orderDirection: 'asc' | 'desc';
  status?: MessageStatus;
  service?: Service;
  isOutbound?: boolean;
  messageType?: MessageType;
  /** Either party: the contact or the line. */
  number?: string;
  fromNumber?: string;
  toNumber?: string;
  sendblueNumber?: string;
  groupId?: string;
  createdAtGte?: number;
  createdAtLte?: number;
  sentAtGte?: number;
  sentAtLte?: number;
  updatedAtGte?: number;
  updatedAtLte?: number;
}

/** A change to a message's status and the fields that travel with it. */
export interface StatusPatch {
  status: MessageStatus;
  service?: Service;
  wasDowngraded?: boolean | null;
  errorCode?: number | null;
  errorMessage?: string | null;
  errorReason?: string | null;
  errorDetail?: string | null;
}

export type JobKind = 'send' | 'status';

export interface Job {
  id: number;
  kind: JobKind;
  messageId: number;
  runAt: number;
  /** Claims so far, including the current one. */
  attempts: number;
  lastError: string | null;
  /** For `status` jobs: the patch to apply when due. */
  patch: StatusPatch | null;
}

export interface ClaimedJob {
  job: Job;
  message: Message;
  /** The provider of the message's line, e.g. `sandbox`. */
  provider: string;
}

export type JobOutcome =
  | {
      kind: 'done';
      jobId: number;
      messageId: number;
      /** Applied now, in order; patches that would move status backwards are skipped. */
      patches: StatusPatch[];
      /** Follow-up status changes, each a durable job due at `runAt`. */
      schedule: { runAt: number; patch: StatusPatch }[];
    }
  | { kind: 'retry'; jobId: number; runAt: number; error: string };

export interface StatusChange {
  previous: MessageStatus;
  message: Message;
}
