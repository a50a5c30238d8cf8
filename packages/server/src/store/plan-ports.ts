import type { SecretCipher } from '../lib/secret-cipher.js';
import type { AccountsPort } from './ports/accounts-port.js';
import type { AccountResetPort } from './ports/account-reset-port.js';
import type { AccountDeletionPort } from './ports/account-deletion-port.js';
import { deleteAccount } from './queries/account-deletion-queries.js';
import { resetAccountData } from './queries/account-reset-queries.js';
import type { ContactsPort } from './ports/contacts-port.js';
import type { ContactRecordsPort } from './ports/contact-records-port.js';
import type { LinesPort } from './ports/lines-port.js';
import type { MediaPort } from './ports/media-port.js';
import type { WebhooksPort } from './ports/webhooks-port.js';
import type { WebhookDeliveryDetailPort } from './ports/webhook-delivery-detail-port.js';
import type { CallForwardingPort } from './ports/call-forwarding-port.js';
import type { NetworkChatsPort } from './ports/network-chats-port.js';
import type { LocationSharesPort } from './ports/location-shares-port.js';
import type { SeatsPort } from './ports/seats-port.js';
import type { TokensPort } from './ports/tokens-port.js';
import type { SessionsPort } from './ports/sessions-port.js';
import {
  createSession,
  createSignInCode,
  deleteSession,
  exchangeSignInCode,
  findSession,
} from './queries/session-queries.js';
import type { TotpPort } from './ports/totp-port.js';
import type { VerifyPort } from './ports/verify-port.js';
import type { RetentionPort } from './ports/retention-port.js';
import type { ConversationsPort } from './ports/conversations-port.js';
import {
  listConversations,
  markConversationRead,
  messageTimeline,
  searchMessages,
} from './queries/conversation-queries.js';
import { pruneIdempotencyKeys, pruneMessages, pruneWebhookLog } from './queries/retention-queries.js';
import { createTotpSecret, deleteTotpSecret, getTotpSecret, listTotpSecrets } from './queries/totp-queries.js';
import {
  approveVerifications,
  cancelVerification,
  createVerification,
  createVerifyService,
  deleteVerifyService,
  expireVerifications,
  getVerification,
  getVerifyService,
  listVerifications,
  listVerifyServices,
  nextVerificationExpiry,
  updateVerifyService,
} from './queries/verify-queries.js';
import { clearCallForwarding, getCallForwarding, setCallForwarding } from './queries/call-forwarding-queries.js';
import {
  findNetworkChat,
  findNetworkChatOfGroup,
  linkNetworkChat,
  listLineEventSources,
  noteLineWebhook,
  setLineEventMode,
} from './queries/network-chat-queries.js';
import { getLocationShare, listLocationShares, requestLocationShare } from './queries/location-queries.js';
import { countSeats, findSeat, listSeats } from './queries/seat-queries.js';
import { createAuthToken, revokeAuthToken } from './queries/token-queries.js';
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
import {
  countContactRecords,
  deleteContactRecords,
  getContactRecord,
  listContactRecords,
  saveContactRecords,
  setContactService,
  updateContactRecord,
} from './queries/contact-record-queries.js';
import {
  getVerifiedContact,
  listVerifiedContacts,
  requestContactVerification,
} from './queries/verified-contact-queries.js';
import { findOrCreateGroup, getGroup, renameGroup, setGroupMembers, setGroupPhoto } from './queries/group-queries.js';
import { getMedia, saveMedia } from './queries/media-queries.js';
import type { QueueStatsPort } from './ports/queue-stats-port.js';
import { queueStats } from './queries/queue-stats-queries.js';
import {
  addLine,
  listLineConfigs,
  listLineHealth,
  listLines,
  recordLineHealth,
  removeLine,
  setLineRoute,
  updateLine,
} from './queries/line-queries.js';
import type { PlanOf } from './queries/query-plan.js';
import { getWebhookConfig, removeWebhookEndpoints, updateWebhookConfig } from './queries/webhook-config-queries.js';
import { getWebhookDelivery, listWebhookDeliveries, replayWebhookDelivery } from './queries/webhook-log-queries.js';

/** How a backend runs plans for the ports: alone, or in a transaction of their own. */
export interface PlanRunner {
  run<A extends unknown[], T>(plan: PlanOf<A, T>, ...args: A): Promise<T>;
  transaction<A extends unknown[], T>(plan: PlanOf<A, T>, ...args: A): Promise<T>;
}

/** Everything the plans serve; the per-request lookups (`findApiKey`, `findLine`) each backend keeps fast its own way. */
export type PlanPorts = Omit<AccountsPort, 'findApiKey'> &
  AccountResetPort &
  AccountDeletionPort &
  VerifyPort &
  TotpPort &
  Omit<TokensPort, 'findAuthToken'> &
  SessionsPort &
  SeatsPort &
  LocationSharesPort &
  CallForwardingPort &
  NetworkChatsPort &
  Omit<LinesPort, 'findLine'> &
  ContactsPort &
  ContactRecordsPort &
  MediaPort &
  RetentionPort &
  ConversationsPort &
  QueueStatsPort &
  WebhookDeliveryDetailPort &
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
    listConversations: (accountId, query) => plans.run(listConversations, accountId, query),
    markConversationRead: (accountId, key, at) => plans.transaction(markConversationRead, accountId, key, at),
    searchMessages: (accountId, query) => plans.run(searchMessages, accountId, query),
    messageTimeline: (accountId, handle) => plans.run(messageTimeline, accountId, handle),
    resetAccountData: (accountId) => plans.transaction(resetAccountData, accountId),
    deleteAccount: (accountId, options) => write(plans.transaction(deleteAccount, accountId, options)),
    createApiKey: (input) => write(plans.run(createApiKey, input)),
    listApiKeys: (accountId) => plans.run(listApiKeys, accountId),
    revokeApiKey: (keyId, now) => write(plans.run(revokeApiKey, keyId, now)),
    createAuthToken: (input) => write(plans.run(createAuthToken, input)),
    revokeAuthToken: (accountId, tokenId, now) => write(plans.run(revokeAuthToken, accountId, tokenId, now)),
    createSession: (input) => plans.run(createSession, input),
    findSession: (digest) => plans.run(findSession, digest),
    deleteSession: (digest) => plans.run(deleteSession, digest),
    createSignInCode: (input) => plans.run(createSignInCode, input),
    exchangeSignInCode: (codeDigest, session) => plans.transaction(exchangeSignInCode, codeDigest, session),
    listSeats: (accountId, filter, now) => plans.run(listSeats, accountId, filter, now),
    countSeats: (accountId, filter, now) => plans.run(countSeats, accountId, filter, now),
    findSeat: (accountId, id, now) => plans.run(findSeat, accountId, id, now),
    requestLocationShare: (input) => plans.run(requestLocationShare, input),
    getLocationShare: (accountId, lineId, number) => plans.run(getLocationShare, accountId, lineId, number),
    listLocationShares: (accountId, lineId) => plans.run(listLocationShares, accountId, lineId),
    getCallForwarding: (accountId, lineId) => plans.run(getCallForwarding, accountId, lineId),
    setCallForwarding: (input) => plans.run(setCallForwarding, input),
    clearCallForwarding: (accountId, lineId) => plans.run(clearCallForwarding, accountId, lineId),
    findNetworkChat: (line, chatId) => plans.run(findNetworkChat, line, chatId),
    findNetworkChatOfGroup: (line, groupId) => plans.run(findNetworkChatOfGroup, line, groupId),
    linkNetworkChat: (input) => plans.run(linkNetworkChat, input),
    setLineEventMode: (input) => plans.run(setLineEventMode, input),
    noteLineWebhook: (line, now) => plans.run(noteLineWebhook, line, now),
    listLineEventSources: (lines) => plans.run(listLineEventSources, lines),
    addLine: (input) => write(plans.run(addLine, cipher, input)),
    listLines: (accountId) => plans.run(listLines, accountId),
    updateLine: (input) => write(plans.run(updateLine, cipher, input)),
    setLineRoute: (input) => write(plans.run(setLineRoute, input)),
    removeLine: (number) => write(plans.transaction(removeLine, number)),
    listLineConfigs: () => plans.run(listLineConfigs, cipher),
    recordLineHealth: (health) => plans.run(recordLineHealth, health),
    listLineHealth: (accountId) => plans.run(listLineHealth, accountId),
    getContact: (accountId, number) => plans.run(getContact, accountId, number),
    setContactOptOut: (input) => plans.run(setContactOptOut, input),
    saveContactRecords: (input) => plans.transaction(saveContactRecords, input),
    getContactRecord: (accountId, number) => plans.run(getContactRecord, accountId, number),
    updateContactRecord: (input) => plans.transaction(updateContactRecord, input),
    listContactRecords: (accountId, query) => plans.transaction(listContactRecords, accountId, query),
    countContactRecords: (accountId) => plans.run(countContactRecords, accountId),
    deleteContactRecords: (input) => plans.transaction(deleteContactRecords, input),
    setContactService: (input) => plans.run(setContactService, input),
    requestContactVerification: (input) => plans.run(requestContactVerification, input),
    getVerifiedContact: (accountId, number) => plans.run(getVerifiedContact, accountId, number),
    listVerifiedContacts: (accountId) => plans.run(listVerifiedContacts, accountId),
    getAccountSettings: (accountId) => plans.run(getAccountSettings, accountId),
    updateAccountSettings: (accountId, update) => plans.run(updateAccountSettings, accountId, update),
    findOrCreateGroup: (input) => plans.transaction(findOrCreateGroup, input),
    getGroup: (accountId, groupId) => plans.run(getGroup, accountId, groupId),
    setGroupMembers: (input) => plans.run(setGroupMembers, input),
    saveMedia: (media) => plans.run(saveMedia, media),
    queueStats: (now) => plans.run(queueStats, now),
    getMedia: (id) => plans.run(getMedia, id),
    renameGroup: (input) => plans.run(renameGroup, input),
    setGroupPhoto: (input) => plans.transaction(setGroupPhoto, input),
    getWebhookConfig: (accountId, now) => plans.transaction(getWebhookConfig, cipher, accountId, now),
    updateWebhookConfig: (accountId, update, now) =>
      plans.transaction(updateWebhookConfig, cipher, accountId, update, now),
    removeWebhookEndpoints: (accountId, input) => plans.transaction(removeWebhookEndpoints, accountId, input),
    listWebhookDeliveries: (accountId, query) => plans.run(listWebhookDeliveries, accountId, query),
    replayWebhookDelivery: (accountId, id, now) => plans.run(replayWebhookDelivery, accountId, id, now),
    getWebhookDelivery: (accountId, id) => plans.run(getWebhookDelivery, accountId, id),
    createVerifyService: (service) => plans.run(createVerifyService, service),
    getVerifyService: (accountId, sid) => plans.run(getVerifyService, accountId, sid),
    listVerifyServices: (accountId, page) => plans.run(listVerifyServices, accountId, page),
    updateVerifyService: (accountId, sid, patch) => plans.run(updateVerifyService, accountId, sid, patch),
    deleteVerifyService: (accountId, sid) => plans.transaction(deleteVerifyService, accountId, sid),
    createVerification: (verification) => plans.run(createVerification, verification),
    getVerification: (accountId, serviceSid, sid, now) =>
      plans.transaction(getVerification, accountId, serviceSid, sid, now),
    listVerifications: (accountId, query) => plans.transaction(listVerifications, accountId, query),
    approveVerifications: (input) => plans.transaction(approveVerifications, input),
    cancelVerification: (accountId, serviceSid, sid, now) =>
      plans.transaction(cancelVerification, accountId, serviceSid, sid, now),
    expireVerifications: (now, limit) => plans.run(expireVerifications, now, limit),
    nextVerificationExpiry: () => plans.run(nextVerificationExpiry),
    createTotpSecret: (secret) => plans.run(createTotpSecret, cipher, secret),
    listTotpSecrets: (accountId) => plans.run(listTotpSecrets, accountId),
    getTotpSecret: (accountId, id) => plans.run(getTotpSecret, cipher, accountId, id),
    deleteTotpSecret: (accountId, id) => plans.run(deleteTotpSecret, accountId, id),
    pruneWebhookLog: (before, limit) => plans.transaction(pruneWebhookLog, before, limit),
    pruneIdempotencyKeys: (cutoffs, limit) => plans.transaction(pruneIdempotencyKeys, cutoffs, limit),
    pruneMessages: (before, limit) => plans.transaction(pruneMessages, before, limit),
  };
}
