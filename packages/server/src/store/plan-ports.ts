import type { SecretCipher } from '../lib/secret-cipher.js';
import type { AccountsPort } from './ports/accounts-port.js';
import type { ContactsPort } from './ports/contacts-port.js';
import type { LinesPort } from './ports/lines-port.js';
import type { WebhooksPort } from './ports/webhooks-port.js';
import {
  createAccount,
  createApiKey,
  findAccountByEmail,
  listAccounts,
  listApiKeys,
  revokeApiKey,
} from './queries/account-queries.js';
import { getAccountSettings, updateAccountSettings } from './queries/account-settings-queries.js';
import { getContact, setContactOptOut } from './queries/contact-queries.js';
import { findOrCreateGroup, getGroup, setGroupMembers } from './queries/group-queries.js';
import { addLine, listLines } from './queries/line-queries.js';
import type { PlanOf } from './queries/query-plan.js';
import { getWebhookConfig, removeWebhookEndpoints, updateWebhookConfig } from './queries/webhook-config-queries.js';
import { listWebhookDeliveries, replayWebhookDelivery } from './queries/webhook-log-queries.js';

/** How a backend runs plans for the ports: alone, or in a transaction of their own. */
export interface PlanRunner {
  run<A extends unknown[], T>(plan: PlanOf<A, T>, ...args: A): Promise<T>;
  transaction<A extends unknown[], T>(plan: PlanOf<A, T>, ...args: A): Promise<T>;
}

/** Everything the plans serve; the per-request lookups (`findApiKey`, `findLine`) each backend keeps fast its own way. */
export type PlanPorts = Omit<AccountsPort, 'findApiKey'> &
  Omit<LinesPort, 'findLine'> &
  ContactsPort &
  Pick<
    WebhooksPort,
    | 'getWebhookConfig'
    | 'updateWebhookConfig'
    | 'removeWebhookEndpoints'
    | 'listWebhookDeliveries'
    | 'replayWebhookDelivery'
  >;

/**
 * The ports that are off the hot path, for any backend: each method is one plan (queries/), run by
 * the backend's runner. `afterLookupWrite` runs after every write to accounts, keys or lines, for a
 * backend that caches its lookups of them.
 */
export function planPorts(
  plans: PlanRunner,
  /** Seals and opens the secrets the plans store (webhook signing secrets). */
  cipher: SecretCipher,
  afterLookupWrite: () => void = () => undefined,
): PlanPorts {
  const write = async <T>(done: Promise<T>): Promise<T> => {
    const value = await done;
    afterLookupWrite();
    return value;
  };
  return {
    createAccount: (input) => write(plans.run(createAccount, input)),
    findAccountByEmail: (email) => plans.run(findAccountByEmail, email),
    listAccounts: () => plans.run(listAccounts),
    createApiKey: (input) => write(plans.run(createApiKey, input)),
    listApiKeys: (accountId) => plans.run(listApiKeys, accountId),
    revokeApiKey: (keyId, now) => write(plans.run(revokeApiKey, keyId, now)),
    addLine: (input) => write(plans.run(addLine, input)),
    listLines: (accountId) => plans.run(listLines, accountId),
    getContact: (accountId, number) => plans.run(getContact, accountId, number),
    setContactOptOut: (input) => plans.run(setContactOptOut, input),
    getAccountSettings: (accountId) => plans.run(getAccountSettings, accountId),
    updateAccountSettings: (accountId, update) => plans.run(updateAccountSettings, accountId, update),
    findOrCreateGroup: (input) => plans.transaction(findOrCreateGroup, input),
    getGroup: (accountId, groupId) => plans.run(getGroup, accountId, groupId),
    setGroupMembers: (input) => plans.run(setGroupMembers, input),
    getWebhookConfig: (accountId, now) => plans.transaction(getWebhookConfig, cipher, accountId, now),
    updateWebhookConfig: (accountId, update, now) =>
      plans.transaction(updateWebhookConfig, cipher, accountId, update, now),
    removeWebhookEndpoints: (accountId, input) => plans.transaction(removeWebhookEndpoints, accountId, input),
    listWebhookDeliveries: (accountId, query) => plans.run(listWebhookDeliveries, accountId, query),
    replayWebhookDelivery: (accountId, id, now) => plans.run(replayWebhookDelivery, accountId, id, now),
  };
}
