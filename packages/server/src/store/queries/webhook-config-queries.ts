import { sql } from 'kysely';
import { type WebhookType, newSigningSecret } from '../../domain/webhook.js';
import type { WebhookConfig, WebhookConfigUpdate, WebhookEndpoint } from '../../domain/webhook-delivery.js';
import { fromJson } from './dialect-values.js';
import { type SecretCipher, SecretKeyMismatch } from '../../lib/secret-cipher.js';
import { type Plan, type QB, type RowOf, all, first, lock, only, run, template } from './query-plan.js';

/**
 * Account webhook entries and secrets: what `/api/account/webhooks` manages, and what the outbox
 * reads, inside the transaction of each status change, to know where the change goes.
 */

/** The account's entries, of one type or of every type. */
export function* webhookEndpoints(q: QB, accountId: number, type?: WebhookType): Plan<WebhookEndpoint[]> {
  const rows = yield* all(
    type === undefined
      ? endpoints(q).where('account_id', '=', accountId).orderBy('type').orderBy('position').orderBy('id')
      : endpointsOfType(q, accountId, type),
  );
  return rows.map(endpointFromRow);
}

/** Read inside every status change's transaction (where it goes): compiled once (query-plan.ts). */
const endpointsOfType = template((q: QB, accountId: number, type: string) =>
  endpoints(q).where('account_id', '=', accountId).where('type', '=', type).orderBy('position').orderBy('id'),
);

/** The entries of one type of several accounts, in one query (a batch of status changes). */
export function* webhookEndpointsOf(q: QB, accountIds: readonly number[], type: WebhookType): Plan<WebhookEndpoint[]> {
  if (accountIds.length === 0) return [];
  const rows = yield* all(
    endpoints(q)
      .where((eb) => q.dialectValues.idIn(eb.ref('account_id'), accountIds))
      .where('type', '=', type)
      .orderBy('position')
      .orderBy('id'),
  );
  return rows.map(endpointFromRow);
}

/**
 * The account's settings row, created (with a fresh signing secret) on first use. The signing
 * secret is stored sealed (lib/secret-cipher.ts) and returned open: this and `openSigningSecret`
 * are the only readers of the column.
 */
export function* webhookSettingsRow(
  q: QB,
  cipher: SecretCipher,
  accountId: number,
  now: number,
): Plan<{ signing_secret: string; global_secret: string | null }> {
  yield* run(
    q
      .insertInto('webhook_settings')
      .values({
        account_id: accountId,
        signing_secret: cipher.seal(newSigningSecret()),
        global_secret: null,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('account_id').doNothing()),
  );
  const row = yield* only(
    q.selectFrom('webhook_settings').select(['signing_secret', 'global_secret']).where('account_id', '=', accountId),
  );
  return { ...row, signing_secret: openSigningSecret(cipher, row.signing_secret) };
}

/** A signing secret as the column holds it, opened; for the outbox, which reads the column in its claim's join. */
export function openSigningSecret(cipher: SecretCipher, stored: string): string {
  try {
    return cipher.open(stored);
  } catch (error) {
    if (error instanceof SecretKeyMismatch) throw new Error(`TAPBACK_SECRET_KEY: ${error.message}`, { cause: error });
    throw error;
  }
}

/**
 * At start-up, in a transaction: seals the signing secrets stored before they were sealed, and
 * proves the key opens the sealed ones, so a wrong key stops the start instead of every delivery.
 * Each row is rewritten only if it still holds the plaintext read, so processes starting together
 * never seal one secret twice.
 */
export function* sealSigningSecrets(q: QB, cipher: SecretCipher): Plan<number> {
  const sealed = yield* first(
    q.selectFrom('webhook_settings').select('signing_secret').where('signing_secret', 'like', 'tbx%').limit(1),
  );
  if (sealed !== undefined) openSigningSecret(cipher, sealed.signing_secret);
  const plain = yield* all(
    q
      .selectFrom('webhook_settings')
      .select(['account_id', 'signing_secret'])
      .where('signing_secret', 'not like', 'tbx%'),
  );
  let n = 0;
  for (const r of plain) {
    n += yield* run(
      q
        .updateTable('webhook_settings')
        .set({ signing_secret: cipher.seal(r.signing_secret) })
        .where('account_id', '=', r.account_id)
        .where('signing_secret', '=', r.signing_secret),
    );
  }
  return n;
}

/** In a transaction: the secret's creation and the entries are read together. */
export function* getWebhookConfig(q: QB, cipher: SecretCipher, accountId: number, now: number): Plan<WebhookConfig> {
  const s = yield* webhookSettingsRow(q, cipher, accountId, now);
  return {
    signingSecret: s.signing_secret,
    globalSecret: s.global_secret,
    endpoints: yield* webhookEndpoints(q, accountId),
  };
}

/** In a transaction. */
export function* updateWebhookConfig(
  q: QB,
  cipher: SecretCipher,
  accountId: number,
  update: WebhookConfigUpdate,
  now: number,
): Plan<WebhookConfig> {
  // Serialises concurrent updates of one account: positions are computed from the rows.
  yield* lock(`webhooks:${accountId}`);
  yield* webhookSettingsRow(q, cipher, accountId, now);
  if (update.globalSecret !== undefined) {
    yield* run(
      q
        .updateTable('webhook_settings')
        .set({ global_secret: update.globalSecret, updated_at: now })
        .where('account_id', '=', accountId),
    );
  }
  const replace = update.mode === 'replace';
  let position = 0;
  if (replace) {
    const keep = new Set(update.endpoints.map((e) => `${e.type} ${e.url}`));
    const gone = (yield* webhookEndpoints(q, accountId)).filter((e) => !keep.has(`${e.type} ${e.url}`));
    yield* deleteEndpoints(
      q,
      gone.map((e) => e.id),
      now,
    );
  } else {
    const last = yield* only(
      q
        .selectFrom('webhook_endpoints')
        .select((eb) => eb.fn.coalesce(eb.fn.max('position'), eb.lit(-1)).as('p'))
        .where('account_id', '=', accountId),
    );
    position = last.p + 1;
  }
  for (const e of update.endpoints) {
    yield* run(
      q
        .insertInto('webhook_endpoints')
        .values({
          account_id: accountId,
          type: e.type,
          url: e.url,
          secret: e.secret,
          sendblue_numbers: e.sendblueNumbers === null ? null : JSON.stringify(e.sendblueNumbers),
          position: position++,
          created_at: now,
        })
        .onConflict((oc) =>
          oc.columns(['account_id', 'type', 'url']).doUpdateSet((eb) => ({
            secret: eb.ref('excluded.secret'),
            sendblue_numbers: eb.ref('excluded.sendblue_numbers'),
            disabled_at: null,
            disabled_reason: null,
            // Appending keeps an existing entry where it is; replacing puts it in its new place.
            ...(replace ? { position: eb.ref('excluded.position') } : {}),
          })),
        ),
    );
  }
  return yield* getWebhookConfig(q, cipher, accountId, now);
}

/** In a transaction: removes entries by url (of one type, or of every type); returns how many. */
export function* removeWebhookEndpoints(
  q: QB,
  accountId: number,
  input: { urls: string[]; type?: WebhookType; now: number },
): Plan<number> {
  const urls = new Set(input.urls);
  const gone = (yield* webhookEndpoints(q, accountId, input.type)).filter((e) => urls.has(e.url));
  yield* deleteEndpoints(
    q,
    gone.map((e) => e.id),
    input.now,
  );
  return gone.length;
}

/** A removed entry's undelivered events are disabled, not sent. */
function* deleteEndpoints(q: QB, ids: readonly number[], now: number): Plan<void> {
  if (ids.length === 0) return;
  yield* run(
    q
      .updateTable('webhook_deliveries')
      .set({
        status: 'disabled',
        next_attempt_at: null,
        ...q.dialectValues.releasedLease,
        last_error: 'webhook entry removed',
        updated_at: now,
      })
      // A literal, not a parameter: a planner that cannot see the value cannot pick the partial
      // (pending-only) index on endpoint_id.
      .where('status', '=', sql.lit('pending'))
      .where((eb) => q.dialectValues.idIn(eb.ref('endpoint_id'), ids)),
  );
  yield* run(q.deleteFrom('webhook_endpoints').where((eb) => q.dialectValues.idIn(eb.ref('id'), ids)));
}

function endpoints(q: QB) {
  return q
    .selectFrom('webhook_endpoints')
    .select([
      'id',
      'account_id',
      'type',
      'url',
      'secret',
      'sendblue_numbers',
      'disabled_at',
      'disabled_reason',
      'created_at',
    ]);
}

function endpointFromRow(r: RowOf<ReturnType<typeof endpoints>>): WebhookEndpoint {
  return {
    id: r.id,
    accountId: r.account_id,
    type: r.type as WebhookType,
    url: r.url,
    secret: r.secret,
    sendblueNumbers: r.sendblue_numbers === null ? null : fromJson(r.sendblue_numbers),
    disabledAt: r.disabled_at,
    disabledReason: r.disabled_reason,
    createdAt: r.created_at,
  };
}
