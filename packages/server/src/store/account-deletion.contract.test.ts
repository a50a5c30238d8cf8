import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { twoAccounts } from '../../test/support/backends.js';
import { accountTraffic } from '../../test/support/account-traffic.js';
import { RAW_STORE_BACKENDS, type RawStoreInstance } from '../../test/support/raw-store-backends.js';
import type { Account } from '../domain/account.js';
import type { Message } from '../domain/message.js';
import type { Store } from './store.js';

/**
 * The account deletion contract (`tapback accounts delete`): every row of every table that belongs
 * to the account goes, in one transaction, and every other account's rows stay. The tables are
 * read from the migrated database itself, so a table added later fails here until it says how its
 * rows belong to an account (OWNERSHIP) and the deletion removes them. Runs on every backend.
 */

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const LINE_A = '+15550001000';
const LINE_B = '+15550002000';
const CONTACT = '+19998887777';
const CB = 'http://127.0.0.1:9/cb';

/** What identifies an account's rows, read before the deletion (its lines and messages go with it). */
interface Owned {
  accountId: number;
  lineNumbers: string[];
  lineIds: number[];
  messageIds: number[];
  deliveryIds: number[];
}

const list = (values: readonly (string | number)[]): string =>
  values.length === 0 ? 'NULL' : values.map((v) => (typeof v === 'number' ? String(v) : `'${v}'`)).join(', ');

/** For each table: the condition that selects one account's rows. */
const OWNERSHIP: Record<string, (o: Owned) => string> = {
  accounts: (o) => `id = ${o.accountId}`,
  account_settings: (o) => `account_id = ${o.accountId}`,
  api_keys: (o) => `account_id = ${o.accountId}`,
  auth_tokens: (o) => `account_id = ${o.accountId}`,
  call_forwarding: (o) => `account_id = ${o.accountId} OR line_id IN (${list(o.lineIds)})`,
  chat_groups: (o) => `account_id = ${o.accountId}`,
  contacts: (o) => `account_id = ${o.accountId}`,
  conversation_reads: (o) => `account_id = ${o.accountId}`,
  conversations: (o) => `account_id = ${o.accountId}`,
  early_receipts: (o) => `line IN (${list(o.lineNumbers)})`,
  idempotency_keys: (o) => `account_id = ${o.accountId}`,
  inbox_sessions: (o) => `account_id = ${o.accountId}`,
  jobs: (o) => `message_id IN (${list(o.messageIds)})`,
  line_event_sources: (o) => `line IN (${list(o.lineNumbers)})`,
  line_health: (o) => `number IN (${list(o.lineNumbers)})`,
  lines: (o) => `account_id = ${o.accountId}`,
  location_shares: (o) => `account_id = ${o.accountId} OR line_id IN (${list(o.lineIds)})`,
  media_objects: (o) => `account_id = ${o.accountId}`,
  message_counts: (o) => `account_id = ${o.accountId}`,
  message_status_history: (o) => `message_id IN (${list(o.messageIds)})`,
  messages: (o) => `account_id = ${o.accountId}`,
  network_chats: (o) => `account_id = ${o.accountId}`,
  network_segments: (o) => `message_id IN (${list(o.messageIds)})`,
  seats: (o) => `account_id = ${o.accountId}`,
  sign_in_codes: (o) => `account_id = ${o.accountId}`,
  totp_secrets: (o) => `account_id = ${o.accountId}`,
  verify_services: (o) => `account_id = ${o.accountId}`,
  verify_verifications: (o) => `account_id = ${o.accountId}`,
  webhook_attempts: (o) => `delivery_id IN (${list(o.deliveryIds)})`,
  webhook_deliveries: (o) => `account_id = ${o.accountId}`,
  webhook_endpoints: (o) => `account_id = ${o.accountId}`,
  webhook_settings: (o) => `account_id = ${o.accountId}`,
};

describe.each(RAW_STORE_BACKENDS)('Store account deletion contract ($name)', (backend) => {
  let raw: RawStoreInstance;
  let store: Store;
  let a: Account;
  let b: Account;

  beforeEach(async () => {
    raw = await backend.create();
    store = raw.store;
    ({ a, b } = await twoAccounts(store, { a: [LINE_A], b: [LINE_B] }));
  });
  afterEach(async () => {
    await raw.dispose();
  });

  const TRAFFIC = { t0: T0, contact: CONTACT, statusCallback: CB };
  /** A sent message with a logged callback attempt and a queued one (and more), through the ports. */
  async function traffic(account: Account, line: string): Promise<Message> {
    const sent = await accountTraffic(store, account, line, TRAFFIC);
    await store.updateWebhookConfig(
      account.id,
      {
        mode: 'append',
        endpoints: [
          { type: 'receive', url: `http://127.0.0.1:9/in/${account.id}`, secret: null, sendblueNumbers: null },
        ],
      },
      T0,
    );
    await store.createApiKey({ accountId: account.id, keyId: `kid-${account.id}`, secretDigest: 'd', now: T0 });
    return sent;
  }

  /** The rows no port used above makes, written as the migrations define them. */
  async function everythingElse(account: Account, line: string, sent: Message): Promise<void> {
    const n = account.id;
    const [{ id: lineId }] = (await raw.query<{ id: number }>(`SELECT id FROM lines WHERE number = $1`, [line])) as [
      { id: number },
    ];
    const rows = [
      `INSERT INTO auth_tokens (token_id, account_id, key_id, token_digest, phone_numbers, created_at, expires_at)
         VALUES ('tok-${n}', ${n}, 'kid-${n}', 'digest-${n}', '[]', ${T0}, ${T0 + 60_000})`,
      `INSERT INTO inbox_sessions (session_id, session_digest, account_id, key_id, token_id, created_at, expires_at)
         VALUES ('session-${n}', 'session-digest-${n}', ${n}, 'kid-${n}', 'tok-${n}', ${T0}, ${T0 + 60_000})`,
      `INSERT INTO sign_in_codes (code_digest, account_id, key_id, created_at, expires_at)
         VALUES ('code-digest-${n}', ${n}, 'kid-${n}', ${T0}, ${T0 + 60_000})`,
      `INSERT INTO seats (seat_id, account_id, auth_subject, email, created_at)
         VALUES ('seat-${n}', ${n}, 'subject-${n}', 'seat${n}@example.com', ${T0})`,
      `INSERT INTO call_forwarding (line_id, account_id, forwarding_number, updated_at)
         VALUES (${lineId}, ${n}, '+19998880000', ${T0})`,
      `INSERT INTO location_shares (line_id, number, account_id, request_handle, requested_at)
         VALUES (${lineId}, '${CONTACT}', ${n}, 'share-${n}', ${T0})`,
      `INSERT INTO early_receipts (line, network_id, patch, received_at) VALUES ('${line}', 'net-${n}', '{}', ${T0})`,
      `INSERT INTO line_event_sources (line, mode, changed_at) VALUES ('${line}', 'polling', ${T0})`,
      `INSERT INTO conversation_reads (account_id, line, group_id, number, read_at)
         VALUES (${n}, '${line}', '', '${CONTACT}', ${T0})`,
      `INSERT INTO line_health (number, status, changed_at, worker_id) VALUES ('${line}', 'CONNECTED', ${T0}, 'w')`,
      `INSERT INTO network_chats (line, chat_id, account_id, group_id, created_at)
         VALUES ('${line}', 'chat-${n}', ${n}, 'group-${n}', ${T0})`,
      `INSERT INTO network_segments (line, network_id, message_id, position, status, updated_at)
         VALUES ('${line}', 'seg-${n}', ${sent.id}, 0, 'SENT', ${T0})`,
      `INSERT INTO totp_secrets (id, account_id, label, algorithm, digits, period, secret, created_at)
         VALUES ('totp-${n}', ${n}, 'label', 'SHA1', 6, 30, 'sealed', ${T0})`,
      `INSERT INTO verify_services (sid, account_id, friendly_name, code_length, ttl_seconds, use_customer_lines, created_at, updated_at)
         VALUES ('SV${n}', ${n}, 'svc', 6, 600, FALSE, ${T0}, ${T0})`,
      `INSERT INTO verify_verifications (sid, account_id, service_sid, to_number, line, code, status, expires_at, created_at, updated_at)
         VALUES ('VE${n}', ${n}, 'SV${n}', '${CONTACT}', '${line}', '123456', 'pending', ${T0 + 600_000}, ${T0}, ${T0})`,
    ];
    for (const sql of rows) await raw.query(sql);
    const settings = await raw.query(`SELECT 1 FROM account_settings WHERE account_id = ${n}`);
    if (settings.length === 0) {
      await raw.query(`INSERT INTO account_settings (account_id, updated_at) VALUES (${n}, ${T0})`);
    }
  }

  async function owned(account: Account): Promise<Owned> {
    const ids = async (sql: string): Promise<number[]> =>
      (await raw.query<{ id: number | string }>(sql)).map((r) => Number(r.id));
    return {
      accountId: account.id,
      lineNumbers: (
        await raw.query<{ n: string }>(`SELECT number AS n FROM lines WHERE account_id = ${account.id}`)
      ).map((r) => r.n),
      lineIds: await ids(`SELECT id FROM lines WHERE account_id = ${account.id}`),
      messageIds: await ids(`SELECT id FROM messages WHERE account_id = ${account.id}`),
      deliveryIds: await ids(`SELECT id FROM webhook_deliveries WHERE account_id = ${account.id}`),
    };
  }

  /** Rows per table for one account, and in all. */
  async function census(o: Owned): Promise<{ mine: Record<string, number>; total: Record<string, number> }> {
    const mine: Record<string, number> = {};
    const total: Record<string, number> = {};
    for (const table of Object.keys(OWNERSHIP)) {
      const [row] = await raw.query<{ n: number | string }>(
        `SELECT count(*) AS n FROM ${table} WHERE ${OWNERSHIP[table]!(o)}`,
      );
      mine[table] = Number(row?.n);
      const [all] = await raw.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${table}`);
      total[table] = Number(all?.n);
    }
    return { mine, total };
  }

  async function populated(): Promise<{ ownedA: Owned; ownedB: Owned }> {
    const sentA = await traffic(a, LINE_A);
    const sentB = await traffic(b, LINE_B);
    await everythingElse(a, LINE_A, sentA);
    await everythingElse(b, LINE_B, sentB);
    return { ownedA: await owned(a), ownedB: await owned(b) };
  }

  it('knows how every table of the schema belongs to an account', async () => {
    expect(await raw.tables()).toEqual(Object.keys(OWNERSHIP).sort());
  });

  it("removes every row of the account, in every table, and none of the other account's", async () => {
    const { ownedA, ownedB } = await populated();
    const before = await census(ownedA);
    const beforeB = await census(ownedB);
    // Every table holds rows of both accounts, so each delete below is exercised.
    expect(Object.entries(before.mine).filter(([, n]) => n === 0)).toEqual([]);
    expect(Object.entries(beforeB.mine).filter(([, n]) => n === 0)).toEqual([]);

    const result = await store.deleteAccount(a.id, { force: true });

    expect(result.kind).toBe('deleted');
    const after = await census(ownedA);
    expect(after.mine).toEqual(Object.fromEntries(Object.keys(OWNERSHIP).map((t) => [t, 0])));
    expect((await census(ownedB)).mine).toEqual(beforeB.mine);
    // Nothing but the account's rows went: the totals dropped by exactly its rows.
    for (const table of Object.keys(OWNERSHIP)) {
      expect([table, after.total[table]]).toEqual([table, before.total[table]! - before.mine[table]!]);
    }
    if (result.kind === 'deleted') {
      expect(result.removed).toMatchObject({ accounts: 1, messages: 2, jobs: 1, api_keys: 1, lines: 1 });
    }
    expect(await store.findAccountByEmail(a.email)).toBeUndefined();
    expect((await store.listAccounts()).map((x) => x.email)).toEqual([b.email]);
    // The other account carries on: its queued send is still due, and its lines and keys work.
    expect(await store.countJobs()).toBe(1);
    expect((await store.listLines(b.id)).map((l) => l.number)).toEqual([LINE_B]);
  });

  it('refuses while a message is QUEUED unless forced, removing nothing', async () => {
    const { ownedA } = await populated();
    const before = await census(ownedA);

    expect(await store.deleteAccount(a.id, { force: false })).toEqual({ kind: 'refused', queued: 1 });

    expect(await census(ownedA)).toEqual(before);
  });

  it('deletes without force once nothing is queued, and says so for an unknown account', async () => {
    await store.createApiKey({ accountId: a.id, keyId: 'kid-quiet', secretDigest: 'd', now: T0 });

    const result = await store.deleteAccount(a.id, { force: false });

    expect(result).toEqual({
      kind: 'deleted',
      removed: expect.objectContaining({ accounts: 1, api_keys: 1, lines: 1 }),
    });
    expect(await store.deleteAccount(a.id, { force: true })).toEqual({ kind: 'not_found' });
    expect(await store.findApiKey('kid-quiet')).toBeUndefined();
  });
});
