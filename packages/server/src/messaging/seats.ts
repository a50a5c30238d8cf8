import type { Clock } from '../domain/clock.js';
import { errors } from '../domain/errors.js';
import type { Seat } from '../domain/seat.js';
import type { SeatsPort } from '../store/ports/seats-port.js';
import type { Caller } from './caller.js';

/** A seat as GET /api/v2/seats shows it. */
export interface WireSeat {
  seat_id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  forwarding_number: string | null;
  account: string;
  created_at: string;
}

/** The seats (people) of the caller's account, read-only as on Sendblue. */
export class SeatService {
  constructor(private readonly deps: { store: SeatsPort; clock: Clock }) {}

  async list(caller: Caller, query: { email?: string; limit?: number; offset?: number }): Promise<WireSeat[]> {
    const seats = await this.deps.store.listSeats(caller.accountId, query, this.deps.clock.now());
    return seats.map(wireSeat);
  }

  async count(caller: Caller, query: { email?: string }): Promise<{ count: number }> {
    return { count: await this.deps.store.countSeats(caller.accountId, query, this.deps.clock.now()) };
  }

  /** By seat_id or auth subject; another account's seat is a 404 like a missing one. */
  async retrieve(caller: Caller, seatId: string): Promise<{ status: 'OK'; seat: WireSeat }> {
    const seat = await this.deps.store.findSeat(caller.accountId, seatId, this.deps.clock.now());
    if (seat === undefined) throw errors.notFound('Seat');
    return { status: 'OK', seat: wireSeat(seat) };
  }
}

function wireSeat(seat: Seat): WireSeat {
  return {
    seat_id: seat.seatId,
    email: seat.email,
    first_name: seat.firstName,
    last_name: seat.lastName,
    forwarding_number: seat.forwardingNumber,
    account: seat.accountName,
    created_at: new Date(seat.createdAt).toISOString(),
  };
}
