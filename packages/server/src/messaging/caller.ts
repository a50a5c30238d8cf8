/** Who is calling: the authenticated account, as every use case receives it. */
export interface Caller {
  accountId: number;
  email: string;
  plan: string;
  keyId: string;
}
