/** Where inbound calls to a line are forwarded; each method is scoped to the line's account. */
export interface CallForwardingPort {
  getCallForwarding(accountId: number, lineId: number): Promise<string | null>;
  setCallForwarding(input: {
    accountId: number;
    lineId: number;
    forwardingNumber: string;
    now: number;
  }): Promise<string>;
  clearCallForwarding(accountId: number, lineId: number): Promise<void>;
}
