import type { Line } from '../domain/account.js';
import type { Clock } from '../domain/clock.js';
import { errors } from '../domain/errors.js';
import { newHandle } from '../domain/ids.js';
import {
  LOCATION_ACCEPT_MS,
  LOCATION_FIX_MS,
  type LocationShare,
  type LocationState,
  SANDBOX_FIX,
  locationState,
  nextLocationChange,
} from '../domain/location-share.js';
import type { Service } from '../domain/message.js';
import { parsePhone } from '../domain/phone.js';
import type { LinesPort } from '../store/ports/lines-port.js';
import type { LocationSharesPort } from '../store/ports/location-shares-port.js';
import type { Caller } from './caller.js';

export interface WireLocation {
  latitude: number;
  longitude: number;
  altitude: number;
  accuracy: number;
  address: string | null;
  locationType: 'live';
  timestamp: string;
}

export interface ContactLocation {
  number: string;
  state: LocationState;
  location?: WireLocation;
}

/** One event of a watch stream: its SSE name and JSON data. */
export interface WatchEvent {
  event: 'ready' | 'location' | 'complete';
  data: Record<string, unknown>;
}

export interface LocationDeps {
  store: LocationSharesPort & Pick<LinesPort, 'findLine'>;
  clock: Clock;
  /** Which network reaches a contact: only iMessage contacts can share a Find My location. */
  serviceOf: (number: string) => Service;
}

/**
 * Find My location sharing. In the sandbox, a contact iMessage reaches accepts a request
 * `LOCATION_ACCEPT_MS` after it and has a fix `LOCATION_FIX_MS` later, always at `SANDBOX_FIX`;
 * other contacts never accept. Both moments are computed from the stored request time on the
 * server's clock, so nothing has to run for them to happen: a read after them sees them.
 */
export class LocationService {
  constructor(private readonly deps: LocationDeps) {}

  async request(caller: Caller, input: { from_number: string; number: string }) {
    const line = await this.ownLine(caller, input.from_number);
    const number = parsePhone(input.number, 'number');
    const now = this.deps.clock.now();
    const share = await this.deps.store.requestLocationShare({
      lineId: line.id,
      accountId: caller.accountId,
      number,
      requestHandle: newHandle(),
      now,
      acceptsAt: this.deps.serviceOf(number) === 'iMessage' ? now + LOCATION_ACCEPT_MS : null,
    });
    return {
      status: 'QUEUED' as const,
      message: 'Location request accepted for dispatch',
      message_handle: share.requestHandle,
      uuid: share.requestHandle,
      number,
    };
  }

  /** A contact who was never asked, or has not accepted yet, is `not_shared` (200, no location). */
  async retrieve(caller: Caller, rawNumber: string, fromNumber: string) {
    const line = await this.ownLine(caller, fromNumber);
    const number = parsePhone(rawNumber, 'number');
    const share = await this.deps.store.getLocationShare(caller.accountId, line.id, number);
    return { status: 'OK' as const, from_number: line.number, ...this.view(share, number) };
  }

  /** The contacts sharing with the line (accepted, with or without a fix yet), by number. */
  async list(caller: Caller, fromNumber: string) {
    const line = await this.ownLine(caller, fromNumber);
    const shares = await this.deps.store.listLocationShares(caller.accountId, line.id);
    const locations = shares.map((s) => this.view(s, s.number)).filter((v) => v.state !== 'not_shared');
    return { status: 'OK' as const, from_number: line.number, locations };
  }

  /**
   * Validates a watch (errors here are ordinary HTTP errors), then returns its events: `ready`
   * and the current `location`, another `location` at each change, until `signal` aborts, or a
   * bearer token's expiry ends it (`complete`, `authorization_revoked`). A contact neither
   * sharing nor asked gets one `complete` (`not_shared`).
   */
  async watch(
    caller: Caller,
    rawNumber: string,
    fromNumber: string,
    signal: AbortSignal,
  ): Promise<AsyncGenerator<WatchEvent>> {
    const line = await this.ownLine(caller, fromNumber);
    const number = parsePhone(rawNumber, 'number');
    const share = await this.deps.store.getLocationShare(caller.accountId, line.id, number);
    return this.events(caller, line, number, share, signal);
  }

  private async *events(
    caller: Caller,
    line: Line,
    number: string,
    share: LocationShare | undefined,
    signal: AbortSignal,
  ): AsyncGenerator<WatchEvent> {
    const base = { status: 'OK', from_number: line.number, number };
    if (share === undefined || share.acceptsAt === null) {
      yield { event: 'complete', data: { ...base, state: 'not_shared', reason: 'not_shared' } };
      return;
    }
    yield { event: 'ready', data: base };
    let shown = this.view(share, number);
    yield { event: 'location', data: { ...base, ...shown } };
    const { clock } = this.deps;
    for (;;) {
      const now = clock.now();
      const expiresAt = caller.tokenExpiresAt ?? null;
      if (expiresAt !== null && now >= expiresAt) {
        yield { event: 'complete', data: { ...base, reason: 'authorization_revoked' } };
        return;
      }
      // Compared with what was last sent, not waited for: time may have moved on while the client read.
      const current = this.view(share, number);
      if (current.state !== shown.state) {
        shown = current;
        yield { event: 'location', data: { ...base, ...shown } };
        continue;
      }
      const change = nextLocationChange(share, now);
      const wake = change === null ? expiresAt : expiresAt === null ? change : Math.min(change, expiresAt);
      if (wake === null) await untilAborted(signal);
      else await clock.sleep(wake - now, signal);
      if (signal.aborted) return;
    }
  }

  private view(share: LocationShare | undefined, number: string): ContactLocation {
    const state = locationState(share, this.deps.clock.now());
    if (state !== 'shared_with_fix' || share?.acceptsAt == null) return { number, state };
    const fixAt = share.acceptsAt + LOCATION_FIX_MS;
    return {
      number,
      state,
      location: { ...SANDBOX_FIX, locationType: 'live', timestamp: new Date(fixAt).toISOString() },
    };
  }

  private async ownLine(caller: Caller, raw: string): Promise<Line> {
    // As messaging/validation.ts's ownLine: another account's line is as unknown as none.
    const number = parsePhone(raw, 'from_number');
    const line = await this.deps.store.findLine(number);
    if (line === undefined || line.accountId !== caller.accountId) throw errors.unknownLine('from_number', number);
    return line;
  }
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
