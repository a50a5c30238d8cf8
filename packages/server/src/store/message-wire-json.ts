import { APP_CARD_LAYOUT_KEYS, type AppCardPayload } from '../domain/message-payload.js';
import { smsSegments } from '../domain/sms-segments.js';

/**
 * Finishes a message's wire JSON as the database rendered it (message-wire-sql.ts): most rows are
 * complete as they are; an SMS message gets its `sms_segments` (computed from its content, as
 * `toWire` does) and an App Card message its `app_card`.
 */
export function finishWireJson(wire: string, sms: string | null, card: AppCardPayload | null): string {
  if (sms === null && card === null) return wire;
  const segments = sms === null ? 'null' : String(smsSegments(sms).segments);
  const appCard = card === null ? '' : `,"app_card":${appCardJson(card)}`;
  // The SQL ends with `"sms_segments":null}` (WIRE_SQL_END): its `null}` is replaced.
  return `${wire.slice(0, wire.length - 'null}'.length)}${segments}${appCard}}`;
}

const LAYOUT_KEYS = APP_CARD_LAYOUT_KEYS;

const str = JSON.stringify;

/**
 * `appCardToWire(card)` serialised as the response schema's `app_card` does: the schema's required
 * keys in its order, then its optional ones (left out when null) in its order, as the serialiser
 * compiled from the schema writes them; a layout's keys in the schema's order (a stored layout's
 * own order differs, and PostgreSQL's jsonb reorders keys), those it does not name dropped.
 */
function appCardJson(card: AppCardPayload): string {
  const layout = LAYOUT_KEYS.flatMap((k) => {
    const v = card.layout[k];
    return v === undefined ? [] : [`${str(k)}:${str(v)}`];
  }).join(',');
  return (
    `{"appName":${str(card.appName)},"extensionBundleId":${str(card.extensionBundleId)}` +
    `,"teamId":${str(card.teamId)},"url":${str(card.url)},"layout":{${layout}}` +
    `,"interactive":${card.interactive ? 'true' : 'false'},"sessionIdentifier":${str(card.sessionIdentifier)}` +
    (card.appStoreId === null ? '' : `,"appStoreId":${String(card.appStoreId)}`) +
    (card.fallbackText === null ? '' : `,"fallbackText":${str(card.fallbackText)}`) +
    (card.updateMessageHandle === null ? '' : `,"updateMessageHandle":${str(card.updateMessageHandle)}`) +
    '}'
  );
}
