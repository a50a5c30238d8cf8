/** A contact's opt-out state for one account; a contact never seen is not opted out. */
export interface Contact {
  accountId: number;
  number: string;
  optedOut: boolean;
  /** When the opt-out state last changed; null for a contact never opted out or in. */
  updatedAt: number | null;
}

export interface AccountSettings {
  /** The account's HELP/INFO reply; null means the default. */
  helpReply: string | null;
}
