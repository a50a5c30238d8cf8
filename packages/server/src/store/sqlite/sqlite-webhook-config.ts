import type Database from 'better-sqlite3';
import { type WebhookType, newSigningSecret } from '../../domain/webhook.js';
import type { WebhookConfig, WebhookConfigUpdate, WebhookEndpoint } from '../../domain/webhook-delivery.js';
import type { Stmt } from './sqlite-statements.js';

interface EndpointRow {
  id: number;
  account_id: number;
  type: string;
  url: string;
  secret: string | null;
  sendblue_numbers: string | null;
  disabled_at: number | null;
  disabled_reason: string | null;
  created_at: number;
}

/**
 * Account webhook entries and secrets in SQLite: what `/api/account/webhooks` manages, and what
 * the outbox (sqlite-webhooks.ts) reads to know where a status change goes.
 */
export class SqliteWebhookConfig {
  constructor(
    private readonly db: Database.Database,
    private readonly stmt: Stmt,
  ) {}

  endpoints(accountId: number, type?: WebhookType): WebhookEndpoint[] {
    const rows = (
      type === undefined
        ? this.stmt('SELECT * FROM webhook_endpoints WHERE account_id = ? ORDER BY type, position, id').all(accountId)
        : this.stmt('SELECT * FROM webhook_endpoints WHERE account_id = ? AND type = ? ORDER BY position, id').all(
            accountId,
            type,
          )
    ) as EndpointRow[];
    return rows.map(endpointFromRow);
  }

  /** The account's settings row, created (with a fresh signing secret) on first use. */
  settings(accountId: number, now: number): { signing_secret: string; global_secret: string | null } {
    this.stmt(
      'INSERT OR IGNORE INTO webhook_settings (account_id, signing_secret, global_secret, updated_at) VALUES (?, ?, NULL, ?)',
    ).run(accountId, newSigningSecret(), now);
    return this.stmt('SELECT signing_secret, global_secret FROM webhook_settings WHERE account_id = ?').get(
      accountId,
    ) as { signing_secret: string; global_secret: string | null };
  }

  get(accountId: number, now: number): WebhookConfig {
    return this.db
      .transaction((): WebhookConfig => {
        const s = this.settings(accountId, now);
        return { signingSecret: s.signing_secret, globalSecret: s.global_secret, endpoints: this.endpoints(accountId) };
      })
      .immediate();
  }

  update(accountId: number, update: WebhookConfigUpdate, now: number): WebhookConfig {
    this.db
      .transaction(() => {
        this.settings(accountId, now);
        if (update.globalSecret !== undefined) {
          this.stmt('UPDATE webhook_settings SET global_secret = ?, updated_at = ? WHERE account_id = ?').run(
            update.globalSecret,
            now,
            accountId,
          );
        }
        if (update.mode === 'replace') {
          const keep = new Set(update.endpoints.map((e) => `${e.type} ${e.url}`));
          const gone = this.endpoints(accountId).filter((e) => !keep.has(`${e.type} ${e.url}`));
          this.deleteEndpoints(
            gone.map((e) => e.id),
            now,
          );
        }
        const max = this.stmt('SELECT coalesce(max(position), -1) AS p FROM webhook_endpoints WHERE account_id = ?');
        let position = update.mode === 'replace' ? 0 : (max.get(accountId) as { p: number }).p + 1;
        const upsert = this.stmt(
          `INSERT INTO webhook_endpoints (account_id, type, url, secret, sendblue_numbers, position, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (account_id, type, url) DO UPDATE SET secret = excluded.secret,
             sendblue_numbers = excluded.sendblue_numbers, disabled_at = NULL, disabled_reason = NULL,
             position = CASE WHEN ? THEN excluded.position ELSE position END`,
        );
        for (const e of update.endpoints) {
          const numbers = e.sendblueNumbers === null ? null : JSON.stringify(e.sendblueNumbers);
          upsert.run(accountId, e.type, e.url, e.secret, numbers, position++, now, update.mode === 'replace' ? 1 : 0);
        }
      })
      .immediate();
    return this.get(accountId, now);
  }

  removeEndpoints(accountId: number, input: { urls: string[]; type?: WebhookType; now: number }): number {
    const urls = new Set(input.urls);
    return this.db
      .transaction(() => {
        const gone = this.endpoints(accountId, input.type).filter((e) => urls.has(e.url));
        this.deleteEndpoints(
          gone.map((e) => e.id),
          input.now,
        );
        return gone.length;
      })
      .immediate();
  }

  /** Inside a transaction: a removed entry's undelivered events are disabled, not sent. */
  private deleteEndpoints(ids: number[], now: number): void {
    if (ids.length === 0) return;
    const list = JSON.stringify(ids);
    this.stmt(
      `UPDATE webhook_deliveries SET status = 'disabled', next_attempt_at = NULL,
         last_error = 'webhook entry removed', updated_at = ?
       WHERE status = 'pending' AND endpoint_id IN (SELECT value FROM json_each(?))`,
    ).run(now, list);
    this.stmt('DELETE FROM webhook_endpoints WHERE id IN (SELECT value FROM json_each(?))').run(list);
  }
}

function endpointFromRow(r: EndpointRow): WebhookEndpoint {
  return {
    id: r.id,
    accountId: r.account_id,
    type: r.type as WebhookType,
    url: r.url,
    secret: r.secret,
    sendblueNumbers: r.sendblue_numbers === null ? null : (JSON.parse(r.sendblue_numbers) as string[]),
    disabledAt: r.disabled_at,
    disabledReason: r.disabled_reason,
    createdAt: r.created_at,
  };
}
