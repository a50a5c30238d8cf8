import type { LocationShare } from '../../domain/location-share.js';
import type { NewLocationRequest } from '../queries/location-queries.js';

/** Contacts asked to share their Find My location with a line, and when they accept. */
export interface LocationSharesPort {
  requestLocationShare(input: NewLocationRequest): Promise<LocationShare>;
  getLocationShare(accountId: number, lineId: number, number: string): Promise<LocationShare | undefined>;
  listLocationShares(accountId: number, lineId: number): Promise<LocationShare[]>;
}
