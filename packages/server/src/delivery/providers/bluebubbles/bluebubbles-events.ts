import type { Logger } from 'pino';
import { DELIVERY_ERRORS } from '../../../domain/delivery-errors.js';
import type { StatusPatch } from '../../../domain/job.js';
import type { Service } from '../../../domain/message.js';
import type {
  NetworkGroup,
  NetworkGroupRename,
  NetworkInbound,
  NetworkReceipt,
  NetworkTyping,
} from '../../../domain/network-event.js';
import type { ProviderEvents } from '../provider.js';
import type { BlueBubblesClient } from './bluebubbles-client.js';
import { describeMessageError, isNotOnIMessage } from './bluebubbles-status.js';
import {
  BB_CHAT_STYLE,
  BB_EVENTS,
  BB_ITEM_TYPE,
  type BbAttachment,
  type BbChat,
  type BbMessage,
  type BbTypingData,
} from './bluebubbles-wire.js';

/**
 * BlueBubbles' events (a webhook's `{type, data}`, or a message found by polling) as what Tapback
 * does with them. `map*` are pure; `applyBlueBubblesEffects` carries the effects out through
 * `ProviderEvents`, fetching what an event leaves out (a group's participants, attachments' bytes).
 *
 * Facts relied on (BlueBubbles Server, `packages/server/src/server/`): `index.ts` emits
 * `new-message` for every new row of chat.db, with `tempGuid` when it matched one of our sends
 * (`emitMessageMatch`), `updated-message` when a row's delivered/read dates change (serialized
 * without chats), `message-send-error` with the row's `error` code, `group-name-change` with the
 * rename's message (`itemType` 2, `groupTitle`), `participant-added` / `-removed` / `-left` with
 * the change's message (`itemType` 1 or 3); `api/privateApi/eventHandlers/
 * PrivateApiTypingEventHandler.ts` emits `typing-indicator` `{display, guid}` for 1:1 chats only.
 */

/** Which lines an event is for: the line it arrived for, and every line on the same server. */
export interface EventScope {
  /** Lines served by the BlueBubbles server, sorted; the first takes messages no line is named on. */
  lines: readonly string[];
}

export type BlueBubblesEffect =
  | { kind: 'receipt'; receipt: NetworkReceipt }
  | {
      kind: 'inbound';
      inbound: NetworkInbound;
      /** Files to store and link (the first on the message itself, each further one on a message of its own). */
      attachments: BbAttachment[];
      /** A group chat whose participants the event left out: fetched before storing. */
      needsParticipants: boolean;
    }
  | { kind: 'typing'; typing: NetworkTyping }
  | { kind: 'rename'; rename: NetworkGroupRename }
  /** A group chat's members changed: its participants are read from the server, then set. */
  | { kind: 'members'; line: string; chatId: string };

/** What an event means for `scope`'s lines; unknown or uninteresting events mean nothing. */
export function mapBlueBubblesEvent(event: { type: string; data: unknown }, scope: EventScope): BlueBubblesEffect[] {
  if (scope.lines.length === 0 || event.data === null || typeof event.data !== 'object') return [];
  switch (event.type) {
    case BB_EVENTS.newMessage:
    case BB_EVENTS.updatedMessage:
    case BB_EVENTS.messageSendError:
    case BB_EVENTS.groupNameChange:
    case BB_EVENTS.participantAdded:
    case BB_EVENTS.participantRemoved:
    case BB_EVENTS.participantLeft:
      return mapBlueBubblesMessage(event.data as BbMessage, scope);
    case BB_EVENTS.typingIndicator:
      return mapTyping(event.data as BbTypingData, scope);
    default:
      return [];
  }
}

/** A message row (from an event or a poll), whatever the event that carried it. */
export function mapBlueBubblesMessage(message: BbMessage, scope: EventScope): BlueBubblesEffect[] {
  if (typeof message.guid !== 'string' || message.guid === '') return [];
  const chat = message.chats?.[0];
  if (message.itemType === BB_ITEM_TYPE.groupRename) {
    const name = message.groupTitle ?? '';
    if (chat === undefined || !isGroupChat(chat) || name === '') return [];
    return [{ kind: 'rename', rename: { line: lineOf(chat, scope), chatId: chat.guid, name } }];
  }
  if (message.itemType === BB_ITEM_TYPE.participantChange || message.itemType === BB_ITEM_TYPE.participantLeft) {
    if (chat === undefined || !isGroupChat(chat)) return [];
    return [{ kind: 'members', line: lineOf(chat, scope), chatId: chat.guid }];
  }
  if (message.itemType !== BB_ITEM_TYPE.text) return [];
  return message.isFromMe ? receipts(message, scope) : inbound(message, chat, scope);
}

/**
 * Receipts for a message the Mac sent, under each id Tapback may have recorded for it (the
 * `tempGuid` it sent with, the guid Messages gave it), for every line of the server: only the line
 * that sent it recorded the id, and the receipts store matches on (line, id). A message typed on
 * the Mac itself looks the same; no send recorded its ids, so its receipts are dropped (and
 * logged) once `TAPBACK_EARLY_RECEIPT_TTL_MS` has passed.
 */
function receipts(message: BbMessage, scope: EventScope): BlueBubblesEffect[] {
  const patch = statusPatchOf(message);
  const ids = [message.tempGuid, message.guid].filter((id): id is string => typeof id === 'string' && id !== '');
  const notOnService = message.error !== 0 && isNotOnIMessage(message.error);
  const read = readAtOf(message);
  const out: BlueBubblesEffect[] = [];
  for (const line of scope.lines) {
    for (const networkMessageId of ids) {
      out.push({
        kind: 'receipt',
        receipt: {
          line,
          networkMessageId,
          patch,
          ...(notOnService ? { notOnService: true } : {}),
          ...(read === undefined ? {} : { readAt: read }),
        },
      });
    }
  }
  return out;
}

/**
 * When the recipient read a sent message (the row's `dateRead`, epoch ms, set once they read it
 * and share read receipts), if they did; a failed message has no read.
 */
export function readAtOf(message: Pick<BbMessage, 'error' | 'dateRead'>): number | undefined {
  if (message.error !== 0 || message.dateRead === null || message.dateRead <= 0) return undefined;
  return message.dateRead;
}

/**
 * The status a sent message's row shows: an error code is ERROR, a delivery date DELIVERED,
 * otherwise SENT. A read date does not change it (Sendblue's current API has no READ status): it
 * travels beside the patch as the receipt's `readAt`.
 */
export function statusPatchOf(message: Pick<BbMessage, 'error' | 'dateDelivered'>): StatusPatch {
  if (message.error !== 0) {
    return {
      status: 'ERROR',
      service: 'iMessage',
      errorCode: DELIVERY_ERRORS.sendFailed,
      errorMessage: 'Message failed to send',
      errorReason: isNotOnIMessage(message.error)
        ? 'the recipient is not registered with iMessage'
        : 'Messages reported an error',
      errorDetail: describeMessageError(message.error),
    };
  }
  if (message.dateDelivered !== null && message.dateDelivered > 0) return { status: 'DELIVERED', service: 'iMessage' };
  return { status: 'SENT', service: 'iMessage' };
}

function inbound(message: BbMessage, chat: BbChat | undefined, scope: EventScope): BlueBubblesEffect[] {
  // Tapbacks (reactions) and other associated messages are not messages of their own.
  if (message.associatedMessageGuid !== null && message.associatedMessageGuid !== undefined) return [];
  if (message.associatedMessageType !== null && message.associatedMessageType !== undefined) return [];
  const from = message.handle?.address;
  if (from === undefined || !from.startsWith('+')) return [];
  const attachments = (message.attachments ?? []).filter((a) => a.hideAttachment !== true);
  // Messages puts U+FFFC where each attachment sits in the text.
  const content = (message.text ?? '').replaceAll('\uFFFC', '').trim();
  if (content === '' && attachments.length === 0) return [];
  const line = chat === undefined ? scope.lines[0]! : lineOf(chat, scope);
  const group: NetworkGroup | undefined =
    chat !== undefined && isGroupChat(chat)
      ? {
          chatId: chat.guid,
          participants: (chat.participants ?? []).map((p) => p.address),
          name: chat.displayName === '' ? null : chat.displayName,
        }
      : undefined;
  return [
    {
      kind: 'inbound',
      inbound: {
        line,
        from,
        content,
        service: serviceOf(message.handle?.service),
        networkMessageId: message.guid,
        ...(group === undefined ? {} : { group }),
      },
      attachments,
      needsParticipants: group !== undefined && group.participants.length === 0,
    },
  ];
}

function mapTyping(data: BbTypingData, scope: EventScope): BlueBubblesEffect[] {
  if (typeof data.guid !== 'string' || typeof data.display !== 'boolean') return [];
  const [, kind, address] = data.guid.split(';');
  if (kind !== '-' || address === undefined || !address.startsWith('+')) return [];
  return [{ kind: 'typing', typing: { line: scope.lines[0]!, from: address, isTyping: data.display } }];
}

function isGroupChat(chat: BbChat): boolean {
  return chat.style === BB_CHAT_STYLE.group || chat.guid.includes(';+;');
}

/** The line a chat belongs to: the line the Mac used in it, when it is one of the server's. */
function lineOf(chat: BbChat, scope: EventScope): string {
  const used = chat.lastAddressedHandle;
  return typeof used === 'string' && scope.lines.includes(used) ? used : scope.lines[0]!;
}

function serviceOf(service: string | undefined): Service {
  return service === 'SMS' || service === 'RCS' ? service : 'iMessage';
}

/** What carrying out effects needs: where they go, the server to fetch from, the media store. */
export interface ApplyDeps {
  events: ProviderEvents;
  client: Pick<BlueBubblesClient, 'getChat' | 'downloadAttachment'>;
  /** Stores a file a contact sent in the line's account's media store; returns its Tapback URL. */
  saveMedia: (
    line: string,
    file: { filename: string; contentType: string; bytes: Buffer },
  ) => Promise<string | undefined>;
  logger: Logger;
  signal: AbortSignal;
}

/**
 * Carries out effects in order. A failure to fetch an attachment or a chat throws before the
 * message is stored, so a later poll stores it whole rather than without its file.
 */
export async function applyBlueBubblesEffects(effects: readonly BlueBubblesEffect[], deps: ApplyDeps): Promise<void> {
  for (const effect of effects) {
    switch (effect.kind) {
      case 'receipt':
        await deps.events.onStatus(effect.receipt);
        break;
      case 'typing':
        await deps.events.onTyping?.(effect.typing);
        break;
      case 'rename':
        await deps.events.onGroupRenamed?.(effect.rename);
        break;
      case 'members': {
        if (deps.events.onGroupMembers === undefined) break;
        const chat = await deps.client.getChat(effect.chatId, deps.signal);
        const participants = (chat.participants ?? []).map((p) => p.address);
        await deps.events.onGroupMembers({ line: effect.line, chatId: effect.chatId, participants });
        break;
      }
      case 'inbound':
        await applyInbound(effect, deps);
        break;
    }
  }
}

async function applyInbound(effect: BlueBubblesEffect & { kind: 'inbound' }, deps: ApplyDeps): Promise<void> {
  let inbound = effect.inbound;
  if (effect.needsParticipants && inbound.group !== undefined) {
    const chat = await deps.client.getChat(inbound.group.chatId, deps.signal);
    inbound = {
      ...inbound,
      group: {
        ...inbound.group,
        participants: (chat.participants ?? []).map((p) => p.address),
        name: inbound.group.name ?? (chat.displayName === '' ? null : chat.displayName),
      },
    };
  }
  const urls: string[] = [];
  for (const attachment of effect.attachments) {
    const url = await saveAttachment(attachment, inbound.line, deps);
    if (url !== undefined) urls.push(url);
  }
  const [firstUrl, ...rest] = urls;
  if (inbound.content !== '' || firstUrl !== undefined) {
    await deps.events.onInbound({ ...inbound, ...(firstUrl === undefined ? {} : { mediaUrl: firstUrl }) });
  }
  // Sendblue's messages carry one media_url: each further file is a message of its own.
  for (const [i, mediaUrl] of rest.entries()) {
    await deps.events.onInbound({
      ...inbound,
      content: '',
      mediaUrl,
      networkMessageId: `${inbound.networkMessageId}/${i + 1}`,
    });
  }
}

async function saveAttachment(attachment: BbAttachment, line: string, deps: ApplyDeps): Promise<string | undefined> {
  const file = await deps.client.downloadAttachment(attachment.guid, deps.signal);
  const contentType = attachment.mimeType ?? file.mimeType;
  const url = await deps.saveMedia(line, {
    filename: attachment.transferName ?? attachment.guid,
    contentType,
    bytes: Buffer.from(file.bytes),
  });
  if (url === undefined) {
    deps.logger.warn(
      { line, attachment: attachment.guid, contentType },
      'an attachment of a type Tapback does not keep was left out',
    );
  }
  return url;
}
