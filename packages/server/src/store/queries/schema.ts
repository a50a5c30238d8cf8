import type { ColumnType, Generated } from 'kysely';

/**
 * The tables as the query plans see them, one description for both dialects (the migrations under
 * sqlite/migrations and postgres/migrations are the truth; keep this in step with them). Times are
 * epoch milliseconds, read as numbers on both: PostgreSQL's bigint is parsed to a number by the
 * pool (postgres-pool.ts). Only the columns some plan uses are listed.
 */
export interface TapbackSchema {
  accounts: {
    id: Generated<number>;
    email: string;
    plan: string;
    created_at: number;
  };
  api_keys: {
    key_id: string;
    account_id: number;
    secret_digest: string;
    label: string | null;
    created_at: number;
    revoked_at: number | null;
  };
  lines: {
    id: Generated<number>;
    account_id: number;
    number: string;
    provider: string;
    created_at: number;
  };
  contacts: {
    account_id: number;
    number: string;
    opted_out: Flag;
    updated_at: number;
  };
  account_settings: {
    account_id: number;
    help_reply: string | null;
    updated_at: number;
  };
  chat_groups: {
    id: Generated<number>;
    group_id: string;
    account_id: number;
    line: string;
    name: string;
    members: Json<string[]>;
    member_key: string;
    created_at: number;
    updated_at: number;
  };
  /**
   * Read for a group's latest message, and its callback dropped after a 410; the hot message paths
   * have their own row code (message-row.ts).
   */
  messages: {
    id: Generated<number>;
    handle: string;
    account_id: number;
    group_id: string;
    status_callback: string | null;
    created_at: number;
  };
  webhook_settings: {
    account_id: number;
    signing_secret: string;
    global_secret: string | null;
    updated_at: number;
  };
  webhook_endpoints: {
    id: Generated<number>;
    account_id: number;
    type: string;
    url: string;
    secret: string | null;
    sendblue_numbers: Json<string[]> | null;
    position: number;
    disabled_at: number | null;
    disabled_reason: string | null;
    created_at: number;
  };
  webhook_deliveries: {
    id: Generated<number>;
    webhook_id: string;
    account_id: number;
    kind: string;
    endpoint_id: number | null;
    url: string;
    destination: string;
    message_id: number | null;
    message_handle: string | null;
    status_seq: number | null;
    payload: string;
    status: string;
    attempts: Generated<number>;
    next_attempt_at: number | null;
    /**
     * PostgreSQL only: there a lease is a row's (several processes dispatch), on SQLite it lives
     * in memory. Plans touch it only through `DialectValues.releasedLease`.
     */
    leased_by: string | null;
    last_error: string | null;
    last_http_status: number | null;
    replay_of: number | null;
    created_at: number;
    updated_at: number;
  };
  webhook_attempts: {
    id: Generated<number>;
    delivery_id: number;
    attempt: number;
    started_at: number;
    duration_ms: number;
    http_status: number | null;
    error: string | null;
  };
}

/**
 * A boolean column: INTEGER 0/1 on SQLite, boolean on PostgreSQL. Written as a boolean (the SQLite
 * runner binds it as 0/1); read back with `flag()` (dialect-values.ts).
 */
export type Flag = ColumnType<boolean | 0 | 1, boolean, boolean>;

/**
 * A JSON column: TEXT on SQLite, jsonb on PostgreSQL. Written as JSON text (PostgreSQL takes a text
 * parameter for a jsonb column), read back with `fromJson()`: PostgreSQL hands over the parsed value,
 * SQLite the text.
 */
export type Json<T> = ColumnType<T | string, string, string>;
