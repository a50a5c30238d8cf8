import { signal } from '@preact/signals';
import { api } from '../api.js';

/** One line as `GET /api/v2/lines/state` reports it (the fields the inbox shows). */
export interface LineState {
  sendblue_number: string | null;
  provider: string;
  status: 'ONLINE' | 'OFFLINE' | 'DEGRADED' | 'UNKNOWN';
  status_changed_at?: string | null;
  degraded_since?: string | null;
  last_error: string | null;
  last_error_at: string | null;
}

interface LineStateResponse {
  snapshot_at: string;
  data: LineState[];
}

/** The account's lines; null until the first answer. Shared by the lines view and `isSandboxLine`. */
export const lineStates = signal<LineState[] | null>(null);
export const lineStatesError = signal<string | null>(null);

let inFlight: Promise<void> | null = null;

/** (Re)reads every line's state; concurrent callers share one request. */
export function loadLineStates(): Promise<void> {
  inFlight ??= api<LineStateResponse>('/api/v2/lines/state')
    .then((r) => {
      lineStates.value = r.data;
      lineStatesError.value = null;
    })
    .catch((error: unknown) => {
      lineStatesError.value = error instanceof Error ? error.message : String(error);
    })
    .finally(() => {
      inFlight = null;
    });
  return inFlight;
}

/**
 * Whether `line` is carried by the sandbox provider (so the sandbox controls apply to its threads).
 * Reads the `lineStates` signal, so a component calling it re-renders once the states arrive: the
 * first call starts loading them and answers false until then.
 */
export function isSandboxLine(line: string): boolean {
  const states = lineStates.value;
  if (states === null) {
    void loadLineStates();
    return false;
  }
  return states.some((s) => s.sendblue_number === line && s.provider === 'sandbox');
}
