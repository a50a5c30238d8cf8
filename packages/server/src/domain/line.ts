/**
 * A line's provider as configured and as it is doing: its settings (credentials included, so never
 * shown as they are) and the latest health transition a server reported for it.
 */
export interface LineConfig {
  number: string;
  accountId: number;
  /** The provider kind: `sandbox`, `smpp`. */
  provider: string;
  settings: Record<string, unknown>;
  /** Moves on every change of provider or settings. */
  updatedAt: number;
  /** The line that carries this line's SMS (routing); null or absent: none named. */
  fallbackLine?: string | null;
  /** How long an iMessage send waits for a delivery before going by SMS; null or absent: 60 s. */
  fallbackAfterMs?: number | null;
}

/** The official SDK's line status enum (`lines.getState`). */
export type LineStatus = 'ONLINE' | 'OFFLINE' | 'DEGRADED' | 'UNKNOWN';

export interface LineHealth {
  number: string;
  status: LineStatus;
  changedAt: number;
  /** While DEGRADED or OFFLINE: since when it has not been ONLINE. */
  degradedSince: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
  /** The server process that reported it. */
  workerId: string;
}
