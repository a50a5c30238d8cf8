import type { Line } from '../../domain/account.js';
import type { LineConfig, LineHealth } from '../../domain/line.js';

/** The numbers accounts send from, each with the provider that carries it and that provider's health. */
export interface LinesPort {
  /** `settings` are stored sealed with the server's secret key. */
  addLine(input: {
    accountId: number;
    number: string;
    provider: string;
    settings?: Record<string, unknown> | null;
    now: number;
  }): Promise<Line>;
  findLine(number: string): Promise<Line | undefined>;
  listLines(accountId?: number): Promise<Line[]>;
  /** Changes a line's provider or settings; undefined when there is no such line. */
  updateLine(input: {
    number: string;
    provider: string;
    settings: Record<string, unknown> | null;
    now: number;
  }): Promise<Line | undefined>;
  /**
   * Sets the line's SMS fallback line and fallback window (null clears each); undefined when there
   * is no such line. Callers check the fallback line (same account, carries SMS) first.
   */
  setLineRoute(input: {
    number: string;
    fallbackLine: string | null;
    fallbackAfterMs: number | null;
    now: number;
  }): Promise<Line | undefined>;
  /** Removes a line, refusing while messages from it wait to be sent. */
  removeLine(number: string): Promise<'removed' | 'not_found' | 'has_queued'>;
  /** Every line's provider and (opened) settings, for the servers that run the providers. */
  listLineConfigs(): Promise<LineConfig[]>;
  /** Keeps the latest health transition of a line (ignored for a line that no longer exists). */
  recordLineHealth(health: LineHealth): Promise<void>;
  /** The latest health of the account's lines (every line's, without an account). */
  listLineHealth(accountId?: number): Promise<LineHealth[]>;
}
