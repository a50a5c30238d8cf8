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
import type { Store } from './store.js';

/** Every method of a port, named once: `satisfies` fails the build when a port gains one not listed. */
type AllMethods<P> = readonly (keyof P)[];
function methods<P>() {
  return <const M extends AllMethods<P>>(names: M & (Exclude<keyof P, M[number]> extends never ? unknown : never)) =>
    names;
}

export const PORT_METHODS = {
  accountReset: methods<AccountResetPort>()(['resetAccountData']),
  accountDeletion: methods<AccountDeletionPort>()(['deleteAccount']),
  verify: methods<VerifyPort>()([
    'createVerifyService',
    'getVerifyService',
    'listVerifyServices',
    'updateVerifyService',
    'deleteVerifyService',
    'createVerification',
    'getVerification',
    'listVerifications',
    'approveVerifications',
    'cancelVerification',
    'expireVerifications',
    'nextVerificationExpiry',
  ]),
  retention: methods<RetentionPort>()(['pruneWebhookLog', 'pruneIdempotencyKeys', 'pruneMessages']),
  conversations: methods<ConversationsPort>()([
    'listConversations',
    'markConversationRead',
    'searchMessages',
    'messageTimeline',
  ]),
  totp: methods<TotpPort>()(['createTotpSecret', 'listTotpSecrets', 'getTotpSecret', 'deleteTotpSecret']),
  tokens: methods<TokensPort>()(['createAuthToken', 'revokeAuthToken', 'findAuthToken']),
  sessions: methods<SessionsPort>()([
    'createSession',
    'findSession',
    'deleteSession',
    'createSignInCode',
    'exchangeSignInCode',
  ]),
  seats: methods<SeatsPort>()(['listSeats', 'countSeats', 'findSeat']),
  locationShares: methods<LocationSharesPort>()(['requestLocationShare', 'getLocationShare', 'listLocationShares']),
  callForwarding: methods<CallForwardingPort>()(['getCallForwarding', 'setCallForwarding', 'clearCallForwarding']),
  networkChats: methods<NetworkChatsPort>()([
    'findNetworkChat',
    'findNetworkChatOfGroup',
    'linkNetworkChat',
    'setLineEventMode',
    'noteLineWebhook',
    'listLineEventSources',
  ]),
  accounts: methods<AccountsPort>()([
    'createAccount',
    'findAccountByEmail',
    'listAccounts',
    'createApiKey',
    'listApiKeys',
    'revokeApiKey',
    'findApiKey',
  ]),
  lines: methods<LinesPort>()([
    'addLine',
    'findLine',
    'listLines',
    'updateLine',
    'setLineRoute',
    'removeLine',
    'listLineConfigs',
    'recordLineHealth',
    'listLineHealth',
  ]),
  messages: methods<Required<MessagesPort>>()([
    'acceptOutbound',
    'acceptInbound',
    'getMessage',
    'listMessages',
    'listMessagesWire',
    'onMessagesStored',
  ]),
  jobs: methods<Required<JobsPort>>()(['claimJobs', 'finishJobs', 'nextJobAt', 'countJobs', 'onJobsAvailable']),
  receipts: methods<ReceiptsPort>()(['applyNetworkReceipts', 'expireEarlyReceipts']),
  contactRecords: methods<ContactRecordsPort>()([
    'saveContactRecords',
    'getContactRecord',
    'updateContactRecord',
    'listContactRecords',
    'countContactRecords',
    'deleteContactRecords',
    'setContactService',
    'requestContactVerification',
    'getVerifiedContact',
    'listVerifiedContacts',
  ]),
  contacts: methods<ContactsPort>()([
    'getContact',
    'setContactOptOut',
    'getAccountSettings',
    'updateAccountSettings',
    'findOrCreateGroup',
    'getGroup',
    'setGroupMembers',
  ]),
  events: methods<EventsPort>()(['publishEvents', 'onEvents', 'watchAccountEvents', 'isAccountWatched']),
  media: methods<MediaPort>()(['saveMedia', 'getMedia', 'renameGroup', 'setGroupPhoto']),
  queueStats: methods<QueueStatsPort>()(['queueStats']),
  webhookDeliveryDetail: methods<WebhookDeliveryDetailPort>()(['getWebhookDelivery']),
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
