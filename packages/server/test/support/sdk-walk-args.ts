/**
 * Plausible arguments for every method of the official `sendblue` SDK, for the SDK walk test
 * (test/sdk-walk.test.ts): each entry returns the method's arguments, built from real ids the test
 * created first. The values need only reach the route (a 400 or a 404 `not_found` still proves the
 * route exists); a method missing here fails the walk test, so a new SDK method is noticed.
 */
export interface WalkContext {
  /** The account's line. */
  line: string;
  /** A contact the account has messaged. */
  contact: string;
  /** Another number, for calls that change a contact (opt-out, delete). */
  spare: string;
  /** The handle of a stored 1:1 message. */
  handle: string;
  /** The id of a group the account has messaged. */
  groupId: string;
}

export type WalkArgs = (c: WalkContext) => unknown[];

const PNG_URL = 'https://example.com/photo.png';

export const SDK_WALK_ARGS: Record<string, WalkArgs> = {
  'messages.retrieve': (c) => [c.handle],
  'messages.list': () => [{ limit: 1 }],
  'messages.getStatus': (c) => [{ handle: c.handle }],
  'messages.send': (c) => [{ number: c.contact, from_number: c.line, content: 'walk' }],
  'messages.updateAppCard': (c) => [c.handle, { fallback_text: 'walk' }],
  'messages.v2.verify.services.verifications.create': (c) => ['VA00000000000000000000000000000000', { to: c.contact }],
  'messages.v2.verify.services.verifications.retrieve': () => [
    'VE00000000000000000000000000000000',
    { service_sid: 'VA00000000000000000000000000000000' },
  ],
  'groups.modify': (c) => [{ group_id: c.groupId, modify_type: 'add_recipient', number: c.spare }],
  'groups.sendMessage': (c) => [{ from_number: c.line, group_id: c.groupId, content: 'walk' }],
  'mediaObjects.upload': () => [{ media_url: PNG_URL }],
  'lookups.lookupNumber': (c) => [{ number: c.contact }],
  'typingIndicators.send': (c) => [{ number: c.contact, from_number: c.line }],
  'contacts.create': (c) => [{ number: c.spare }],
  'contacts.retrieve': (c) => [c.contact],
  'contacts.update': (c) => [c.spare, { first_name: 'Walk' }],
  'contacts.list': () => [{}],
  'contacts.delete': (c) => [c.spare],
  'contacts.count': () => [],
  'contacts.optOut': (c) => [{ number: c.spare }],
  'contacts.verify': (c) => [{ number: c.contact }],
  'contacts.bulk.create': (c) => [{ contacts: [{ number: c.spare }] }],
  'contacts.bulk.delete': () => [{ contact_ids: ['00000000-0000-0000-0000-000000000000'] }],
  'webhooks.create': () => [{ webhooks: ['https://example.com/hook'] }],
  'webhooks.update': () => [{ webhooks: { receive: ['https://example.com/hook'] } }],
  'webhooks.list': () => [],
  'webhooks.delete': () => [{ webhooks: ['https://example.com/hook'] }],
  'sendCarousel.send': (c) => [
    { number: c.contact, from_number: c.line, media_urls: [PNG_URL, 'https://example.com/photo2.png'] },
  ],
  'v2.totp.getCode': () => ['00000000-0000-0000-0000-000000000000'],
  'v2.totp.secrets.create': () => [{ secret: 'JBSWY3DPEHPK3PXP', label: 'walk', issuer: 'Walk' }],
  'v2.totp.secrets.list': () => [],
  'v2.totp.secrets.delete': () => ['00000000-0000-0000-0000-000000000000'],
  'v2.seats.retrieve': () => ['00000000-0000-0000-0000-000000000000'],
  'v2.seats.list': () => [{}],
  'v2.seats.count': () => [{}],
  'v2.groups.retrieve': (c) => [c.groupId],
  'v2.groups.rename': (c) => [c.groupId, { group_name: 'Walk' }],
  'v2.groups.setPhoto': (c) => [c.groupId, { photo_url: PNG_URL }],
  'lines.getState': () => [],
  'lines.callForwarding.retrieve': (c) => [c.line],
  'lines.callForwarding.update': (c) => [c.line, { forwarding_number: c.spare }],
  'lines.callForwarding.delete': (c) => [c.line],
  'requestLocation.create': (c) => [{ number: c.contact, from_number: c.line }],
  'location.retrieve': (c) => [c.contact, { from_number: c.line }],
  'location.list': (c) => [{ from_number: c.line }],
  'location.watch': (c) => [c.contact, { from_number: c.line }],
  'verifiedContacts.create': (c) => [{ phone_number: c.contact }],
  'verifiedContacts.retrieve': (c) => [c.contact],
  'verifiedContacts.list': () => [],
  'auth.tokens.create': () => [{}],
  'auth.tokens.revoke': () => ['00000000-0000-0000-0000-000000000000'],
  'events.stream': () => [{}],
  'verify.verifications.create': (c) => ['VA00000000000000000000000000000000', { to: c.contact }],
  'verify.verifications.retrieve': () => [
    'VE00000000000000000000000000000000',
    { service_sid: 'VA00000000000000000000000000000000' },
  ],
  'verify.verifications.list': () => [{}],
};
