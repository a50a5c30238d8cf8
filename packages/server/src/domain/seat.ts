/** A seat: one person (user) of an account, whom sends can name by `seat_id` for attribution. */
export interface Seat {
  seatId: string;
  accountId: number;
  /** The account's name as seats show it (`account`): its email. */
  accountName: string;
  /** The seat's second identifier (Sendblue's Firebase Auth subject); retrieve accepts either. */
  authSubject: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  /** Where calls are forwarded for this seat; it takes priority over the line's forwarding. */
  forwardingNumber: string | null;
  createdAt: number;
}
