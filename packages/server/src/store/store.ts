import type { AccountsPort } from './ports/accounts-port.js';
import type { AccountResetPort } from './ports/account-reset-port.js';
import type { AccountDeletionPort } from './ports/account-deletion-port.js';
import type { ContactsPort } from './ports/contacts-port.js';
import type { ContactRecordsPort } from './ports/contact-records-port.js';
import type { EventsPort } from './ports/events-port.js';
import type { JobsPort } from './ports/jobs-port.js';
import type { ReceiptsPort } from './ports/receipts-port.js';
import type { LinesPort } from './ports/lines-port.js';
import type { MediaPort } from './ports/media-port.js';
import type { MessagesPort } from './ports/messages-port.js';
import type { WebhooksPort } from './ports/webhooks-port.js';
import type { WebhookDeliveryDetailPort } from './ports/webhook-delivery-detail-port.js';
import type { CallForwardingPort } from './ports/call-forwarding-port.js';
import type { NetworkChatsPort } from './ports/network-chats-port.js';
import type { LocationSharesPort } from './ports/location-shares-port.js';
import type { SeatsPort } from './ports/seats-port.js';
import type { TokensPort } from './ports/tokens-port.js';
import type { SessionsPort } from './ports/sessions-port.js';
import type { TotpPort } from './ports/totp-port.js';
import type { VerifyPort } from './ports/verify-port.js';
import type { RetentionPort } from './ports/retention-port.js';
import type { ConversationsPort } from './ports/conversations-port.js';
import type { QueueStatsPort } from './ports/queue-stats-port.js';

/**
 * A whole storage backend: every port (ports/, one file per concern) plus its lifecycle. Only the
 * composition root and the CLI hold a `Store`; everything else asks for the ports it uses.
 *
 * Every backend (SQLite, PostgreSQL) implements exactly this, and the `*.contract.test.ts` suites
 * run against each, so no behaviour may differ between them except speed. Methods are async even
 * where SQLite is synchronous, because PostgreSQL is not.
 */
export interface Store
  extends
    AccountsPort,
    AccountResetPort,
    AccountDeletionPort,
    LinesPort,
    MessagesPort,
    JobsPort,
    ReceiptsPort,
    ContactsPort,
    ContactRecordsPort,
    WebhooksPort,
    WebhookDeliveryDetailPort,
    MediaPort,
    EventsPort,
    TokensPort,
    SessionsPort,
    SeatsPort,
    LocationSharesPort,
    CallForwardingPort,
    NetworkChatsPort,
    VerifyPort,
    TotpPort,
    QueueStatsPort,
    RetentionPort,
    ConversationsPort {
  /** What differs between backends, as data rather than `if (dialect)` checks. */
  readonly capabilities: StoreCapabilities;
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Long-running processes (the server) call this once; background upkeep the backend needs. */
  startBackgroundWork?(): void;
  /** The newest migration applied, e.g. `0006_provider_message_id`; both dialects share the list. */
  migrationLevel(): Promise<string>;
  /** SQLite only: the durability settings its connection runs with (sqlite-connection.ts). */
  durability?(): { journalMode: string; synchronous: number };
  /** PostgreSQL only: the connection pool's connections, for metrics. */
  poolStats?(): { total: number; idle: number; waiting: number };
  /** The database server's version (PostgreSQL's `server_version`, SQLite's library version). */
  databaseVersion?(): Promise<string>;
}

export interface StoreCapabilities {
  readonly dialect: 'sqlite' | 'postgres';
  /** Whether several processes may run workers against this store at once. */
  readonly multiProcess: boolean;
}
