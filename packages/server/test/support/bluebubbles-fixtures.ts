/**
 * BlueBubbles Server payloads, built field by field as its serializers and responses produce
 * them (paths in the BlueBubbles Server repository, under `packages/server/src/server/`). The
 * stand-in answers with these and tests compare against them.
 */
import type {
  BbAttachment,
  BbChat,
  BbEnvelope,
  BbHandle,
  BbMessage,
  BbServerInfo,
} from '../../src/delivery/providers/bluebubbles/bluebubbles-wire.js';
import { BB_CHAT_STYLE } from '../../src/delivery/providers/bluebubbles/bluebubbles-wire.js';

/** `api/serializers/HandleSerializer.ts` (not for a notification: with `uncanonicalizedId` and `country`). */
export function bbHandle(rowId: number, address: string, service = 'iMessage'): BbHandle {
  return { originalROWID: rowId, address, service, uncanonicalizedId: null, country: 'us' };
}

/**
 * `api/serializers/ChatSerializer.ts`: participants only when asked (`includeParticipants`, the
 * default for chat routes; a message's chats never carry them), then the non-notification fields.
 */
export function bbChat(
  chat: { rowId: number; guid: string; displayName?: string; participants: BbHandle[] },
  withParticipants: boolean,
): BbChat {
  const group = chat.guid.includes(';+;');
  const out: BbChat = {
    originalROWID: chat.rowId,
    guid: chat.guid,
    style: group ? BB_CHAT_STYLE.group : BB_CHAT_STYLE.direct,
    chatIdentifier: chat.guid.split(';').pop() ?? chat.guid,
    isArchived: false,
    displayName: chat.displayName ?? '',
  };
  if (withParticipants) out.participants = chat.participants;
  return {
    ...out,
    isFiltered: false,
    groupId: group ? chat.guid.split(';').pop()! : '',
    lastAddressedHandle: null,
  };
}

/** `api/serializers/AttachmentSerializer.ts` with `DEFAULT_ATTACHMENT_CONFIG` (metadata loaded: height/width). */
export function bbAttachment(a: {
  rowId: number;
  guid: string;
  mimeType: string;
  transferName: string;
  totalBytes: number;
  isOutgoing: boolean;
}): BbAttachment {
  return {
    originalROWID: a.rowId,
    guid: a.guid,
    uti: utiOf(a.mimeType),
    mimeType: a.mimeType,
    transferName: a.transferName,
    totalBytes: a.totalBytes,
    transferState: 5,
    isOutgoing: a.isOutgoing,
    hideAttachment: false,
    isSticker: false,
    height: 0,
    width: 0,
  };
}

function utiOf(mimeType: string): string {
  if (mimeType === 'image/jpeg') return 'public.jpeg';
  if (mimeType === 'image/png') return 'public.png';
  return 'public.data';
}

/** The fields the stand-in keeps per message; `bbMessage` serializes them. */
export interface StandinMessageRow {
  rowId: number;
  guid: string;
  text: string | null;
  handle: BbHandle | null;
  chat: { rowId: number; guid: string; displayName?: string; participants: BbHandle[] };
  attachments: BbAttachment[];
  error: number;
  dateCreated: number;
  dateDelivered: number | null;
  dateRead: number | null;
  isFromMe: boolean;
  itemType: number;
  groupTitle: string | null;
  groupActionType: number;
  expressiveSendStyleId: string | null;
}

/**
 * `api/serializers/MessageSerializer.ts` `convert`: the base fields, the non-notification fields
 * when `forNotification` is false (events are serialized with `isForNotification: true`), and
 * `chats` (`DEFAULT_MESSAGE_CONFIG.includeChats`) without participants.
 */
export function bbMessage(row: StandinMessageRow, forNotification: boolean): BbMessage {
  const base: BbMessage = {
    originalROWID: row.rowId,
    guid: row.guid,
    text: row.text,
    handle: row.handle,
    handleId: row.handle?.originalROWID ?? 0,
    otherHandle: 0,
    attachments: row.attachments,
    subject: null,
    error: row.error,
    dateCreated: row.dateCreated,
    dateRead: row.dateRead,
    dateDelivered: row.dateDelivered,
    isDelivered: row.dateDelivered !== null,
    isFromMe: row.isFromMe,
    isArchived: false,
    itemType: row.itemType,
    groupTitle: row.groupTitle,
    groupActionType: row.groupActionType,
    balloonBundleId: null,
    associatedMessageGuid: null,
    associatedMessageType: null,
    expressiveSendStyleId: row.expressiveSendStyleId,
    threadOriginatorGuid: null,
    hasPayloadData: false,
  };
  const extra = forNotification
    ? {}
    : { isAudioMessage: false, threadOriginatorPart: null, isSpam: false, isCorrupt: false, isExpired: false };
  return { ...base, ...extra, chats: [bbChat(row.chat, false)], dateEdited: null, dateRetracted: null, partCount: 1 };
}

/** `api/interfaces/generalInterface.ts` `getServerMetadata`. */
export function bbServerInfo(privateApi: boolean, helperConnected: boolean, account: string): BbServerInfo {
  return {
    computer_id: 'standin-mac',
    os_version: '14.6.1',
    server_version: '1.9.9',
    private_api: privateApi,
    helper_connected: helperConnected,
    proxy_service: 'lan-url',
    detected_icloud: account,
    detected_imessage: account,
    macos_time_sync: 0,
    local_ipv4s: ['127.0.0.1'],
    local_ipv6s: [],
  };
}

/** `responses/success.ts` `Success`: `{ status: 200, message, data?, metadata? }`. */
export function bbSuccess<T>(
  data: T | undefined,
  message = 'Success',
  metadata?: Record<string, unknown>,
): BbEnvelope<T> {
  const out: BbEnvelope<T> = { status: 200, message };
  if (data !== undefined) out.data = data;
  if (metadata !== undefined) out.metadata = metadata;
  return out;
}

/** The error classes of `responses/errors.ts`: default messages and error types as they are there. */
export const BB_ERRORS = {
  unauthorized: (error = 'Unauthorized') => ({
    status: 401,
    message: 'You are not authorized to access this resource',
    error: { type: 'Authentication Error', message: error },
  }),
  badRequest: (error = 'Bad Request') => ({
    status: 400,
    message: "You've made a bad request! Please check your request params & body",
    error: { type: 'Validation Error', message: error },
  }),
  notFound: (error = 'Not Found') => ({
    status: 404,
    message: 'The requested resource was not found',
    error: { type: 'Database Error', message: error },
  }),
  serverError: (error = 'Server Error') => ({
    status: 500,
    message: 'The server has encountered an error',
    error: { type: 'Server Error', message: error },
  }),
  imessage: (message: string, error: string, data?: unknown) => ({
    status: 500,
    message,
    error: { type: 'iMessage Error', message: error },
    ...(data === undefined ? {} : { data }),
  }),
} as const;

/**
 * `middleware/privateApiMiddleware.ts` with `helpers/utils.ts` `checkPrivateApiStatus`: a Private
 * API route while it is disabled or its helper is not connected.
 */
export function bbPrivateApiRequired(enabled: boolean): ReturnType<typeof BB_ERRORS.imessage> {
  return BB_ERRORS.imessage(
    'Please make sure you have completed the setup for the Private API, and your helper is connected!',
    enabled ? 'iMessage Private API Helper is not connected!' : 'iMessage Private API is not enabled!',
  );
}
