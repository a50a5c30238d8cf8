import type { Message, MessageStatus, MessageType, Service } from '../domain/message.js';
import type { DeliveryKind, DeliveryStatus, WebhookType } from '../domain/webhook.js';
import type { Group } from '../domain/group.js';
import type { ComplianceKeyword } from '../domain/opt-out.js';

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
  /** Long-running processes (the server) call this once; background upkeep the backend needs. */
  startBackgroundWork?(): void;

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

  // Two-way messaging: inbound messages, contacts' opt-out state, account settings, groups.
  /**
   * Stores an inbound message in one transaction with everything it causes: a compliance
   * keyword's effect on the contact's opt-out state (the message's `optedOut` is the state after
   * it), the account's `receive` webhook deliveries, and the HELP reply (QUEUED with its send job,
   * or DECLINED if the contact has opted out). A message whose handle is already stored is not
   * stored again (`duplicate`), so a retried inbound job never delivers twice.
   */
  acceptInbound(input: InboundInput): Promise<InboundResult>;
  /** The contact's opt-out state for the account; a contact never seen is not opted out. */
  getContact(accountId: number, number: string): Promise<Contact>;
  /** Opts a contact out of (or back into) the account's messages, as the opt-out API does. */
  setContactOptOut(input: { accountId: number; number: string; optedOut: boolean; now: number }): Promise<Contact>;
  getAccountSettings(accountId: number): Promise<AccountSettings>;
  /** `helpReply: null` returns to the default reply. */
  updateAccountSettings(accountId: number, update: { helpReply: string | null; now: number }): Promise<AccountSettings>;
  /**
   * The newest group of the account's `line` whose members are exactly `members` (in any order),
   * or a new one with `groupId` when there is none.
   */
  findOrCreateGroup(input: {
    accountId: number;
    line: string;
    members: string[];
    groupId: string;
    now: number;
  }): Promise<Group>;
  getGroup(accountId: number, groupId: string): Promise<Group | undefined>;
  /** Replaces the members of the account's group; undefined if it has no such group. */
  setGroupMembers(input: {
    accountId: number;
    groupId: string;
    members: string[];
    now: number;
  }): Promise<Group | undefined>;

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
  /**
   * Backends shared by several processes (`capabilities.multiProcess`) call `listener` whenever
   * any process commits new jobs, so idle workers wake at once instead of at their next poll.
   * Returns the unsubscribe function. Single-process backends leave it out.
   */
  onJobsAvailable?(listener: () => void): () => void;

  // Webhooks: account entries, secrets and the delivery outbox. `finishJobs` (and any other
  // status change) inserts the deliveries it causes in its own transaction.
  /** The account's entries and secrets; the signing secret is created on first use. */
  getWebhookConfig(accountId: number): Promise<WebhookConfig>;
  /** Appends (upserting by type and url) or replaces every entry; removed entries' pending deliveries are disabled. */
  updateWebhookConfig(accountId: number, update: WebhookConfigUpdate): Promise<WebhookConfig>;
  /** Removes entries by url (of one type, or of every type); returns how many. */
  removeWebhookEndpoints(accountId: number, input: { urls: string[]; type?: WebhookType }): Promise<number>;
  /** Adds deliveries to the outbox, due at `now` (events that are not message status changes). */
  enqueueWebhooks(deliveries: NewWebhookDelivery[], now: number): Promise<void>;
  /**
   * Leases up to `limit` due deliveries, at most `perDestination` in flight per destination
   * (counting `inFlight`), and never one whose earlier event for the same message and url is
   * still pending, so a consumer sees a message's statuses in order.
   */
  claimWebhookDeliveries(input: WebhookClaimInput): Promise<ClaimedDelivery[]>;
  /** Records one attempt and its outcome; a `gone` outcome disables the endpoint. */
  recordWebhookAttempt(result: WebhookAttemptResult): Promise<void>;
  /** The earliest time a pending delivery may be claimed (lease expiries included); null when none. */
  nextWebhookDeliveryAt(now: number): Promise<number | null>;
  listWebhookDeliveries(
    accountId: number,
    query: DeliveryQuery,
  ): Promise<{ deliveries: WebhookDeliveryLog[]; total: number }>;
  /** Queues a copy of a delivery (same webhook-id and payload) due now; undefined if not the account's. */
  replayWebhookDelivery(accountId: number, id: number, now: number): Promise<WebhookDelivery | undefined>;
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
  accountPlan: string;
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

/** A message to store; `accountEmail` and `plan` are the account's (not stored per message). */
export type NewMessage = Omit<Message, 'id' | 'statusSeq'>;

export interface AcceptInput {
  message: NewMessage;
  /** When set, the first response under this key is replayed instead of storing again. */
  idempotency?: { key: string; requestHash: string; responseBody: string };
  /** Sends are refused (nothing stored) when this many of the account's messages are QUEUED. */
  queueLimit: number;
  /**
   * Stored instead of `message` (its `responseBody` under the idempotency key) when the contact
   * has opted out of the account, as decided inside the accepting transaction: a DECLINED copy
   * that gets no send job, only its status callbacks.
   */
  whenOptedOut?: { message: NewMessage; responseBody: string };
}

export interface InboundInput {
  /** RECEIVED and inbound; `optedOut` is set by the store from the contact's state. */
  message: NewMessage;
  /** The compliance keyword the message consists of (1:1 messages only). */
  keyword: ComplianceKeyword | null;
  /** For HELP: the QUEUED reply to send back (the store declines it if the contact opted out). */
  helpReply?: NewMessage;
}

export interface InboundResult {
  message: Message;
  /** The HELP reply as stored. */
  reply: Message | null;
  /** The handle was already stored: nothing was stored or queued now. */
  duplicate: boolean;
}

export interface Contact {
  accountId: number;
  number: string;
  optedOut: boolean;
  /** When the opt-out state last changed; null for a contact never opted out or in. */
  updatedAt: number | null;
}

export interface AccountSettings {
  /** The account's HELP/INFO reply; null means the default. */
  helpReply: string | null;
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
  /** For `status` jobs: the changes that follow this one, scheduled only once it is applied. */
  then: FollowUp[];
  /** For `status` jobs: the contact's reply to receive when due (instead of, or with, `patch`). */
  reply: ContactReply | null;
}

/**
 * A status change due `afterMs` after the one before it, or (sandbox contacts) a reply the
 * recipient sends then: a link of the chain that carries `reply` and no `patch`.
 */
export interface FollowUp {
  afterMs: number;
  patch: StatusPatch | null;
  reply?: ContactReply;
}

/**
 * An inbound message a simulated contact sends back (the sandbox echo contact). Its handle is
 * chosen when it is scheduled, so running its job twice stores it once.
 */
export interface ContactReply {
  handle: string;
  content: string;
}

export interface ClaimedJob {
  job: Job;
  message: Message;
  /** The provider of the message's line, e.g. `sandbox`. */
  provider: string;
}

/**
 * What became of a claimed job. `attempt` names the claim it answers (the job's `attempts` when
 * claimed); when given, the outcome is recorded only while that claim still holds the job. A
 * worker whose lease expired before its outcome was recorded may see the job claimed again (by
 * itself or another process) and run twice: only one run's outcome is recorded, so its follow-ups
 * (and the contact replies they carry) are scheduled once.
 */
export type JobOutcome =
  | {
      kind: 'done';
      jobId: number;
      attempt?: number;
      messageId: number;
      /** Applied now, in order; patches that would move status backwards are skipped. */
      patches: StatusPatch[];
      /**
       * Follow-up status changes, each a durable job due at `runAt`. A chain (SENT, then
       * DELIVERED) is one job carrying the rest in `then`, so a later change can never become due
       * before an earlier one is applied, even when the earlier one's worker dies holding it.
       */
      schedule: { runAt: number; patch: StatusPatch | null; then: FollowUp[]; reply?: ContactReply }[];
    }
  | { kind: 'retry'; jobId: number; attempt?: number; runAt: number; error: string };

export interface StatusChange {
  previous: MessageStatus;
  message: Message;
}

export interface WebhookEndpoint {
  id: number;
  accountId: number;
  type: WebhookType;
  url: string;
  /** Sent as `sb-signing-secret`; falls back to the account's global secret. */
  secret: string | null;
  /** `receive` only: deliver just the events of these lines. */
  sendblueNumbers: string[] | null;
  disabledAt: number | null;
  disabledReason: string | null;
  createdAt: number;
}

export type WebhookEndpointInput = Pick<WebhookEndpoint, 'type' | 'url' | 'secret' | 'sendblueNumbers'>;

export interface WebhookConfig {
  /** Standard Webhooks key (`whsec_...`) that signs every delivery of the account. */
  signingSecret: string;
  globalSecret: string | null;
  endpoints: WebhookEndpoint[];
}

export interface WebhookConfigUpdate {
  mode: 'append' | 'replace';
  endpoints: WebhookEndpointInput[];
  /** Undefined leaves it unchanged; null clears it. */
  globalSecret?: string | null;
}

export interface NewWebhookDelivery {
  accountId: number;
  kind: DeliveryKind;
  endpointId: number | null;
  url: string;
  messageId: number | null;
  messageHandle: string | null;
  statusSeq: number | null;
  /** The exact JSON body, fixed when the event happened (retries resend the same bytes). */
  payload: string;
}

export interface WebhookDelivery {
  id: number;
  webhookId: string;
  accountId: number;
  kind: DeliveryKind;
  endpointId: number | null;
  url: string;
  destination: string;
  messageHandle: string | null;
  statusSeq: number | null;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number | null;
  lastError: string | null;
  lastHttpStatus: number | null;
  replayOf: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface WebhookAttempt {
  attempt: number;
  startedAt: number;
  durationMs: number;
  httpStatus: number | null;
  error: string | null;
}

export interface WebhookDeliveryLog extends WebhookDelivery {
  attemptLog: WebhookAttempt[];
}

export interface WebhookClaimInput {
  now: number;
  leaseUntil: number;
  workerId: string;
  limit: number;
  perDestination: number;
  /** Deliveries this dispatcher has in flight, by destination. */
  inFlight: ReadonlyMap<string, number>;
}

export interface ClaimedDelivery {
  delivery: WebhookDelivery;
  payload: string;
  signingSecret: string;
  /** The entry's secret or the account's global secret, for `sb-signing-secret`. */
  sharedSecret: string | null;
}

export type WebhookOutcome =
  | { kind: 'succeeded' }
  | { kind: 'retry'; at: number }
  | { kind: 'failed' }
  /** 410 Gone: the endpoint is disabled and its pending deliveries with it. */
  | { kind: 'gone' };

export interface WebhookAttemptResult {
  deliveryId: number;
  attempt: Omit<WebhookAttempt, 'attempt'>;
  outcome: WebhookOutcome;
  now: number;
}

export interface DeliveryQuery {
  limit: number;
  offset: number;
  messageHandle?: string;
  status?: DeliveryStatus;
  url?: string;
}
