/**
 * BlueBubbles Server's wire format, as Tapback reads and writes it. Paths below are in the
 * BlueBubbles Server repository (`packages/server/src/server/...`); every field name and type
 * follows the serializer or router named on the type. Fields Tapback never reads are left out or
 * optional: the server sends more than these types list.
 */

/**
 * A handle (a phone number or email on a service). `api/serializers/HandleSerializer.ts`,
 * `types.ts` `HandleResponse`. `address` is the handle's id as Messages stores it: E.164 for
 * phone numbers (`+15551234567`), lowercase for emails.
 */
export interface BbHandle {
  originalROWID: number;
  address: string;
  /** `iMessage` or `SMS` (also `RCS` on recent macOS). */
  service: string;
  country?: string;
  uncanonicalizedId?: string | null;
}

/** Chat styles in `chat.style` (`MessageSerializer.ts` comments them: 43 = group, 45 = one-to-one). */
export const BB_CHAT_STYLE = { group: 43, direct: 45 } as const;

/**
 * A chat. `api/serializers/ChatSerializer.ts`, `types.ts` `ChatResponse`. Its guid is
 * `<service>;-;<address>` for a one-to-one chat and `<service>;+;chat<digits>` for a group.
 */
export interface BbChat {
  originalROWID: number;
  guid: string;
  style: number;
  chatIdentifier: string;
  isArchived: boolean;
  /** The group's name; an empty string when it has none. */
  displayName: string | null;
  /** Present when the serializer was asked for them (the default for chat queries). */
  participants?: BbHandle[];
  isFiltered?: boolean;
  groupId?: string;
  lastAddressedHandle?: string | null;
}

/**
 * An attachment's metadata. `api/serializers/AttachmentSerializer.ts`, `types.ts`
 * `AttachmentResponse`. Its bytes come from `GET /api/v1/attachment/:guid/download`.
 */
export interface BbAttachment {
  originalROWID: number;
  guid: string;
  uti: string | null;
  mimeType: string | null;
  transferName: string | null;
  totalBytes: number;
  transferState?: number;
  isOutgoing?: boolean;
  hideAttachment?: boolean;
  isSticker?: boolean;
  height?: number;
  width?: number;
}

/**
 * `message.item_type` values (`types.ts` comments on `MessageResponse`): 0 text, 1 participant
 * added or removed (`groupActionType` 0 = added, 1 = removed), 2 group renamed, 3 participant left.
 */
export const BB_ITEM_TYPE = { text: 0, participantChange: 1, groupRename: 2, participantLeft: 3 } as const;

/**
 * A message. `api/serializers/MessageSerializer.ts`, `types.ts` `MessageResponse`. Dates are
 * epoch milliseconds or null. `tempGuid` is present only on the answer to a send and on the
 * `new-message` / `message-send-error` events the server matched to a send
 * (`server/index.ts` `emitMessageMatch`, `emitMessageError`).
 */
export interface BbMessage {
  originalROWID: number;
  guid: string;
  tempGuid?: string;
  /** Null for messages without text (an attachment alone, a group event). */
  text: string | null;
  subject?: string | null;
  /** The other party of a message the Mac received; null on most messages the Mac sent. */
  handle: BbHandle | null;
  handleId: number;
  otherHandle?: number;
  /** Present by default (`DEFAULT_MESSAGE_CONFIG.includeChats`). */
  chats?: BbChat[];
  attachments?: BbAttachment[];
  /**
   * Messages' own error code (`message.error` in chat.db): 0 = none. Seen: 4 = timed out
   * (`server/index.ts` `emitMessageError`), 22 = the recipient is not registered with iMessage.
   */
  error: number;
  dateCreated: number | null;
  dateRead: number | null;
  dateDelivered: number | null;
  isDelivered?: boolean;
  isFromMe: boolean;
  isArchived?: boolean;
  itemType: number;
  groupTitle: string | null;
  groupActionType: number;
  balloonBundleId: string | null;
  associatedMessageGuid: string | null;
  associatedMessageType: string | null;
  expressiveSendStyleId: string | null;
  threadOriginatorGuid?: string | null;
  hasPayloadData?: boolean;
  isAudioMessage?: boolean;
  dateEdited?: number | null;
  dateRetracted?: number | null;
  partCount?: number | null;
}

/**
 * `GET /api/v1/server/info`: `api/interfaces/generalInterface.ts` `getServerMetadata`,
 * `types.ts` `ServerMetadataResponse`.
 */
export interface BbServerInfo {
  computer_id: string;
  os_version: string;
  server_version: string;
  /** The Private API is enabled in the server's settings. */
  private_api: boolean;
  /** The Private API helper bundle is injected into Messages and connected. */
  helper_connected: boolean;
  proxy_service: string;
  detected_icloud: string;
  detected_imessage: string;
  macos_time_sync?: number | null;
  local_ipv4s?: string[];
  local_ipv6s?: string[];
}

/**
 * A registered webhook: `databases/server/entity/Webhook.ts`, with `events` parsed back into
 * a list by `routers/webhookRouter.ts`. `created` is the entity's date, serialized as ISO text.
 */
export interface BbWebhook {
  id: number;
  url: string;
  events: string[];
  created: string;
}

/** `POST /api/v1/message/query` and `POST /api/v1/chat/query`: the `metadata` of a page. */
export interface BbPageMetadata {
  offset: number;
  limit: number;
  total: number;
  count: number;
}

/** The error kinds in `api/http/api/v1/responses/types.ts` `ErrorTypes`. */
export type BbErrorType =
  | 'Server Error'
  | 'Database Error'
  | 'iMessage Error'
  | 'Socket Error'
  | 'Validation Error'
  | 'Authentication Error'
  | 'Gateway Timeout';

/**
 * Every JSON answer of the REST API (`api/http/api/v1/responses/success.ts` and `errors.ts`,
 * `types.ts` `ResponseJson`): `status` repeats the HTTP status; errors carry `error` and may carry
 * `data` (a failed send carries the message with its `error` code).
 */
export interface BbEnvelope<T> {
  status: number;
  message: string;
  data?: T;
  metadata?: Record<string, unknown>;
  error?: { type: BbErrorType | string; message: string };
  encrypted?: boolean;
}

/**
 * The event names Tapback subscribes to: `server/events.ts`, and the values a webhook may name
 * (`api/http/constants.ts` `webhookEventOptions`; `*` = all).
 */
export const BB_EVENTS = {
  newMessage: 'new-message',
  updatedMessage: 'updated-message',
  messageSendError: 'message-send-error',
  typingIndicator: 'typing-indicator',
  groupNameChange: 'group-name-change',
  participantAdded: 'participant-added',
  participantRemoved: 'participant-removed',
  participantLeft: 'participant-left',
  chatReadStatusChanged: 'chat-read-status-changed',
} as const;
export type BbEventName = (typeof BB_EVENTS)[keyof typeof BB_EVENTS];

/** The events Tapback registers its webhook for. */
export const BB_SUBSCRIBED_EVENTS: readonly BbEventName[] = Object.values(BB_EVENTS);

/**
 * `typing-indicator` data: `{ display, guid }` where `guid` is the one-to-one chat's guid; the
 * server drops group chats' typing (`api/privateApi/eventHandlers/PrivateApiTypingEventHandler.ts`).
 * Needs the Private API.
 */
export interface BbTypingData {
  display: boolean;
  guid: string;
}

/**
 * `chat-read-status-changed` data (`server/index.ts`, `api/interfaces/chatInterface.ts`
 * `markRead`): the chat and whether it is now read. The Mac reports its own reading of a chat
 * this way; a contact reading the Mac's message arrives as `updated-message` with `dateRead`.
 */
export interface BbChatReadData {
  chatGuid: string;
  read: boolean;
}

/**
 * One webhook POST (`services/webhookService/index.ts`): JSON `{ type, data }` with
 * `Content-Type: application/json`, no signature, sent once and never retried. Message events
 * carry a `BbMessage`; group events (`group-name-change`, `participant-*`) carry the group-event
 * message (its `itemType`/`groupTitle`/`groupActionType` and `chats`).
 */
export type BbWebhookEvent =
  | { type: 'new-message' | 'updated-message' | 'message-send-error'; data: BbMessage }
  | {
      type: 'group-name-change' | 'participant-added' | 'participant-removed' | 'participant-left';
      data: BbMessage;
    }
  | { type: 'typing-indicator'; data: BbTypingData }
  | { type: 'chat-read-status-changed'; data: BbChatReadData }
  | { type: string; data: unknown };

/** How the Mac sends (`validators/messageValidator.ts`): `apple-script` unless the Private API is used. */
export type BbSendMethod = 'apple-script' | 'private-api';
export const BB_SEND_METHODS: readonly BbSendMethod[] = ['apple-script', 'private-api'];

/** `POST /api/v1/message/text` body (`validators/messageValidator.ts` `sendTextRules`). */
export interface BbSendTextBody {
  chatGuid: string;
  /** Required with `apple-script`; the server echoes it on the answer and on matching events. */
  tempGuid: string;
  message: string;
  method?: BbSendMethod;
  /** An expressive-send effect id; the server then sends through the Private API. */
  effectId?: string;
  subject?: string;
  selectedMessageGuid?: string;
  partIndex?: number;
}

/** `POST /api/v1/message/query` body (`validators/messageValidator.ts` `queryBodyRules`). */
export interface BbMessageQuery {
  chatGuid?: string;
  /** e.g. `['chat', 'chat.participants', 'attachment', 'handle']`. */
  with?: string[];
  /** Epoch ms: messages created after it (`after` is on date_created). */
  after?: number;
  before?: number;
  sort?: 'ASC' | 'DESC';
  offset?: number;
  /** 1 to 1000; the server's default is 100. */
  limit?: number;
  where?: { statement: string; args: Record<string, unknown> }[];
}
