/**
 * What a message of a type of its own carries besides the fields every message has, stored with
 * the message as one JSON value (`type_payload`) and null for plain and group messages. Kept out
 * of the wire object: Sendblue's responses show a carousel by its first image (`media_url`).
 */
export type MessagePayload = CarouselPayload | AppCardPayload;

export interface CarouselPayload {
  kind: 'carousel';
  /** Every image, in order; the message's `mediaUrl` is the first. */
  mediaUrls: string[];
}

/** The layout's fields in the order the wire gives them. */
export const APP_CARD_LAYOUT_KEYS = [
  'caption',
  'subcaption',
  'trailingCaption',
  'trailingSubcaption',
  'imageUrl',
  'imageTitle',
  'imageSubtitle',
  'summary',
] as const satisfies readonly (keyof AppCardLayout)[];

/** Visible card fields, as Apple's MSMessageTemplateLayout has them. */
export interface AppCardLayout {
  caption?: string;
  subcaption?: string;
  trailingCaption?: string;
  trailingSubcaption?: string;
  imageUrl?: string;
  imageTitle?: string;
  imageSubtitle?: string;
  summary?: string;
}

export interface AppCardPayload {
  kind: 'app_card';
  appName: string;
  extensionBundleId: string;
  teamId: string;
  url: string;
  layout: AppCardLayout;
  fallbackText: string | null;
  interactive: boolean;
  appStoreId: number | null;
  /** The App Card session every continuation of the card shares. */
  sessionIdentifier: string;
  /** For a continuation: the handle of the card it continues (the session's first message). */
  updateMessageHandle: string | null;
}

/** An App Card as the official SDK's `MessageResponse.app_card` shows it. */
export interface WireAppCard {
  appName: string;
  extensionBundleId: string;
  teamId: string;
  url: string;
  layout: AppCardLayout;
  appStoreId?: number;
  fallbackText?: string;
  interactive: boolean;
  sessionIdentifier: string;
  updateMessageHandle?: string;
}

/** The `app_card` of a message's wire object; undefined for every other type. */
export function appCardToWire(payload: MessagePayload | null): WireAppCard | undefined {
  if (payload === null || payload.kind !== 'app_card') return undefined;
  return {
    appName: payload.appName,
    extensionBundleId: payload.extensionBundleId,
    teamId: payload.teamId,
    url: payload.url,
    layout: payload.layout,
    ...(payload.appStoreId === null ? {} : { appStoreId: payload.appStoreId }),
    ...(payload.fallbackText === null ? {} : { fallbackText: payload.fallbackText }),
    interactive: payload.interactive,
    sessionIdentifier: payload.sessionIdentifier,
    ...(payload.updateMessageHandle === null ? {} : { updateMessageHandle: payload.updateMessageHandle }),
  };
}
