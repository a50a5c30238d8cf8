import type { Line } from '../../domain/account.js';

/** The numbers accounts send from, each with the provider that carries it. */
export interface LinesPort {
  addLine(input: { accountId: number; number: string; provider: string; now: number }): Promise<Line>;
  findLine(number: string): Promise<Line | undefined>;
  listLines(accountId?: number): Promise<Line[]>;
}
