/** Who is calling: the authenticated account, as every use case receives it. */
export interface Caller {
  accountId: number;
  email: string;
  plan: string;
  /** The key pair used, or for a bearer token the key pair that minted it. */
  keyId: string;
  /** Set when the caller authenticated with a temporary bearer token: its id. */
  tokenId?: string;
  /**
   * Set for a bearer token: when it expires (epoch ms on the server's clock). Requests after it
   * get 401; a long-lived response (an event stream) must end by then.
   */
  tokenExpiresAt?: number;
  /**
   * Set for a token scoped to phone numbers: the only lines it may act through. Absent: the
   * whole account.
   */
  lines?: readonly string[];
}
