import type { AccountsPort } from './ports/accounts-port.js';
import type { ContactsPort } from './ports/contacts-port.js';
import type { JobsPort } from './ports/jobs-port.js';
import type { LinesPort } from './ports/lines-port.js';
import type { MessagesPort } from './ports/messages-port.js';
import type { WebhooksPort } from './ports/webhooks-port.js';
import type { Store } from './store.js';

/** Every method of a port, named once: `satisfies` fails the build when a port gains one not listed. */
type AllMethods<P> = readonly (keyof P)[];
function methods<P>() {
  return <const M extends AllMethods<P>>(names: M & (Exclude<keyof P, M[number]> extends never ? unknown : never)) =>
    names;
}

const PORT_METHODS = {
  accounts: methods<AccountsPort>()([
    'createAccount',
    'findAccountByEmail',
    'listAccounts',
    'createApiKey',
    'listApiKeys',
    'revokeApiKey',
    'findApiKey',
  ]),
  lines: methods<LinesPort>()(['addLine', 'findLine', 'listLines']),
  messages: methods<Required<MessagesPort>>()([
    'acceptOutbound',
    'acceptInbound',
    'getMessage',
    'listMessages',
    'onMessagesStored',
  ]),
  jobs: methods<Required<JobsPort>>()(['claimJobs', 'finishJobs', 'nextJobAt', 'countJobs', 'onJobsAvailable']),
  contacts: methods<ContactsPort>()([
    'getContact',
    'setContactOptOut',
    'getAccountSettings',
    'updateAccountSettings',
    'findOrCreateGroup',
    'getGroup',
    'setGroupMembers',
  ]),
  webhooks: methods<WebhooksPort>()([
    'getWebhookConfig',
    'updateWebhookConfig',
    'removeWebhookEndpoints',
    'enqueueWebhooks',
    'claimWebhookDeliveries',
    'recordWebhookAttempt',
    'nextWebhookDeliveryAt',
    'listWebhookDeliveries',
    'replayWebhookDelivery',
  ]),
};

type Lifecycle = Pick<Store, 'capabilities' | 'migrate' | 'close' | 'migrationLevel' | 'startBackgroundWork'>;

const LIFECYCLE_METHODS = ['migrate', 'close', 'migrationLevel', 'startBackgroundWork'] as const;
/** Methods a backend may leave out. */
const OPTIONAL = new Set<string>(['onJobsAvailable', 'onMessagesStored', 'startBackgroundWork']);

/**
 * A whole `Store` from the backend's parts, so a backend writes each concern once, in the file
 * named for it, and never a method that only forwards a call. Every method of every port must be
 * implemented by exactly one part (checked here, when the store is built, as the port lists above
 * are checked against the ports when it compiles); an optional one may be missing.
 */
export function composeStore<E extends object>(parts: readonly object[], lifecycle: Lifecycle, extra: E): Store & E {
  const store: Record<string, unknown> = { ...extra, capabilities: lifecycle.capabilities };
  const names: readonly string[] = [...Object.values(PORT_METHODS).flat(), ...LIFECYCLE_METHODS];
  for (const name of names) {
    const owners = [...parts, lifecycle].filter((p) => typeof (p as Record<string, unknown>)[name] === 'function');
    if (owners.length > 1) throw new Error(`store method ${name} is implemented by ${owners.length} parts`);
    const owner = owners[0] as Record<string, (...args: unknown[]) => unknown> | undefined;
    if (owner === undefined) {
      if (OPTIONAL.has(name)) continue;
      throw new Error(`store method ${name} is implemented by no part`);
    }
    store[name] = owner[name]!.bind(owner);
  }
  return store as unknown as Store & E;
}
