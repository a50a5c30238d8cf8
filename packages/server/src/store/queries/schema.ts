import type { ColumnType, Generated } from 'kysely';

/**
 * The tables as the query plans see them, one description for both dialects (the migrations under
 * sqlite/migrations and postgres/migrations are the truth; keep this in step with them). Times are
 * epoch milliseconds, read as numbers on both: PostgreSQL's bigint is parsed to a number by the
 * pool (postgres-pool.ts). Only the columns some plan uses are listed.
 */
export interface TapbackSchema {
  inbox_sessions: {
    session_id: string;
    session_digest: string;
    account_id: number;
    key_id: string;
    token_id: string | null;
    created_at: number;
    expires_at: number;
  };
  sign_in_codes: {
    code_digest: string;
    account_id: number;
    key_id: string;
    created_at: number;
    expires_at: number;
  };
  auth_tokens: {
    token_id: string;
    account_id: number;
    key_id: string;
    token_digest: string;
    phone_numbers: Json<string[]>;
    created_at: number;
    expires_at: number;
    revoked_at: number | null;
  };
  seats: {
    seat_id: string;
    account_id: number;
    auth_subject: string;
    email: string;
    first_name: string | null;
    last_name: string | null;
    forwarding_number: string | null;
    created_at: number;
  };
  location_shares: {
    line_id: number;
    number: string;
    account_id: number;
    request_handle: string;
    requested_at: number;
    accepts_at: number | null;
  };
  call_forwarding: {
    line_id: number;
    account_id: number;
    forwarding_number: string;
    updated_at: number;
  };
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
    /** The provider's settings as sealed JSON (lib/secret-cipher.ts); NULL when it has none. */
    settings: string | null;
    updated_at: number | null;
    /** Another line of the account that carries this one's SMS (migration 0014); NULL: none named. */
    fallback_line: string | null;
    /** How long an iMessage send waits for a delivery before going by SMS; NULL: the default. */
    fallback_after_ms: number | null;
  };
  line_health: {
    number: string;
    status: string;
    changed_at: number;
    degraded_since: number | null;
    last_error: string | null;
    last_error_at: number | null;
    worker_id: string;
  };
  contacts: {
    account_id: number;
    number: string;
    opted_out: Flag;
    updated_at: number;
    /** Migration 0010: the Contacts API's record (contact-record-queries.ts). */
    contact_id: ColumnType<string | null, string | null | undefined, string | null>;
    first_name: ColumnType<string, string | undefined, string>;
    last_name: ColumnType<string, string | undefined, string>;
    company_name: ColumnType<string, string | undefined, string>;
    assigned_to_email: ColumnType<string, string | undefined, string>;
    sendblue_number: ColumnType<string, string | undefined, string>;
    tags: ColumnType<string[] | string, string | undefined, string>;
    custom_variables: ColumnType<Record<string, string> | string, string | undefined, string>;
    created_at: ColumnType<number | null, number | null | undefined, number | null>;
    verification_requested_at: ColumnType<number | null, number | null | undefined, number | null>;
    service: ColumnType<string | null, string | null | undefined, string | null>;
  };
  account_settings: {
    account_id: number;
    help_reply: string | null;
    updated_at: number;
  };
  network_chats: {
    line: string;
    chat_id: string;
    account_id: number;
    group_id: string;
    created_at: number;
  };
  line_event_sources: {
    line: string;
    mode: string;
    detail: string | null;
    changed_at: number;
    last_webhook_at: number | null;
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
    photo_media_id: string | null;
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
    sendblue_number: string;
    /** The contact, and the direction: a contact's first inbound message verifies it (contact-record-queries.ts). */
    number: string;
    is_outbound: Flag;
    status_callback: string | null;
    created_at: number;
    /** Read by the retention pruner (retention-queries.ts) with the columns the message counts key on. */
    status: string;
    /** Searched by word (conversation-queries.ts). */
    content: string;
  };
  /**
   * A conversation per account, line and peer (group_id '' with the contact's number, or the
   * group's id with number ''), pointing at its newest message; kept by triggers (migration 0021).
   */
  conversations: {
    id: Generated<number>;
    account_id: number;
    line: string;
    group_id: string;
    number: string;
    last_message_id: number;
    last_message_at: number;
    service: string;
  };
  /** The account's read mark of a conversation, by the conversation's key (migration 0021). */
  conversation_reads: {
    account_id: number;
    line: string;
    group_id: string;
    number: string;
    read_at: number;
  };
  /** Every status a message took, in order (id); kept by triggers (migration 0022). */
  message_status_history: {
    id: Generated<number>;
    message_id: number;
    status: string;
    at: number;
    error_code: number | null;
    error_message: string | null;
  };
  /** A message's network receipts, deleted with it by the retention pruner. */
  network_segments: {
    message_id: number;
  };
  /** Read only to see whether a line still has sends waiting; the queue has its own code. */
  jobs: {
    id: Generated<number>;
    kind: string;
    message_id: number;
    /** Read only for queue depth (queue-stats-queries.ts). */
    run_at: number;
    leased_by: string | null;
  };
  /** Only deleted from by plans (retention, sandbox reset); the accept paths have their own code. */
  idempotency_keys: {
    account_id: number;
    key: string;
    /** The retention pruner deletes by age (retention-queries.ts). */
    created_at: number;
  };
  /** Per-account message totals (message-count-deltas.ts); plans that delete messages adjust or clear them. */
  message_counts: {
    account_id: number;
    dimension: string;
    value: string;
    n: number;
  };
  /** Only cleared by a sandbox reset (account-reset-queries.ts); the receipt paths keep them. */
  early_receipts: {
    id: Generated<number>;
    line: string;
  };
  /** Files Tapback serves back at `/media/<id>/<filename>` (BLOB on SQLite, bytea on PostgreSQL). */
  media_objects: {
    media_id: string;
    account_id: number;
    filename: string;
    content_type: string;
    size: number;
    source_url: string | null;
    bytes: Buffer;
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
    /** JSON object: the headers the attempt was signed with (a shared secret redacted). */
    request_headers: string | null;
    /** At most the first 1,024 bytes of the answer's body, as UTF-8; null when none came. */
    response_excerpt: string | null;
    response_content_type: string | null;
  };
  verify_services: {
    id: Generated<number>;
    sid: string;
    account_id: number;
    friendly_name: string;
    code_length: number;
    ttl_seconds: number;
    use_customer_lines: Flag;
    created_at: number;
    updated_at: number;
  };
  verify_verifications: {
    id: Generated<number>;
    sid: string;
    account_id: number;
    service_sid: string;
    to_number: string;
    line: string;
    code: string;
    status: string;
    expires_at: number;
    created_at: number;
    updated_at: number;
    completed_at: number | null;
  };
  /** `secret` is sealed (lib/secret-cipher.ts); only totp-queries.ts reads or writes it. */
  totp_secrets: {
    id: string;
    account_id: number;
    label: string;
    issuer: string | null;
    algorithm: string;
    digits: number;
    period: number;
    secret: string;
    created_at: number;
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
