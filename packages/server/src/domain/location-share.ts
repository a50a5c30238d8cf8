/**
 * A contact's Find My location share with a line. In the sandbox a contact accepts a request
 * `LOCATION_ACCEPT_MS` after it was made, and their first fix arrives `LOCATION_FIX_MS` after that;
 * both are read from the stored times against the server's clock, so they survive restarts and
 * follow a manual clock.
 */
export interface LocationShare {
  lineId: number;
  line: string;
  number: string;
  accountId: number;
  requestHandle: string;
  requestedAt: number;
  /** When the contact accepts; null: never (a contact iMessage does not reach). */
  acceptsAt: number | null;
}

export type LocationState = 'not_shared' | 'shared_no_fix_yet' | 'shared_with_fix';

export const LOCATION_ACCEPT_MS = 1_000;
export const LOCATION_FIX_MS = 1_000;

/** The fixed place every sandbox contact shares: Apple Park, Cupertino. */
export const SANDBOX_FIX = {
  latitude: 37.33482,
  longitude: -122.00893,
  altitude: 20,
  accuracy: 35,
  address: 'One Apple Park Way, Cupertino, CA 95014, United States',
} as const;

/** Where a share stands at `now`. */
export function locationState(share: LocationShare | undefined, now: number): LocationState {
  if (share === undefined || share.acceptsAt === null || now < share.acceptsAt) return 'not_shared';
  return now < share.acceptsAt + LOCATION_FIX_MS ? 'shared_no_fix_yet' : 'shared_with_fix';
}

/** When the share's state next changes after `now`, if it will. */
export function nextLocationChange(share: LocationShare, now: number): number | null {
  if (share.acceptsAt === null) return null;
  if (now < share.acceptsAt) return share.acceptsAt;
  const fixAt = share.acceptsAt + LOCATION_FIX_MS;
  return now < fixAt ? fixAt : null;
}
