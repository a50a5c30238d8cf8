import type { Seat } from '../../domain/seat.js';
import type { SeatFilter } from '../queries/seat-queries.js';

/** The seats (people) of an account; every account has its owner's seat. `now` stamps one made on first read. */
export interface SeatsPort {
  listSeats(accountId: number, filter: SeatFilter, now: number): Promise<Seat[]>;
  countSeats(accountId: number, filter: Pick<SeatFilter, 'email'>, now: number): Promise<number>;
  /** By seat_id or auth subject, within the account only. */
  findSeat(accountId: number, id: string, now: number): Promise<Seat | undefined>;
}
