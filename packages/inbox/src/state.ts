import { signal } from '@preact/signals';
import { api } from './api.js';

export interface LineState {
  sendblue_number: string;
  provider: string;
  status: string;
}

/** The account's lines (from the line state route), for the line picker; `isSandboxLine` (views/lines.tsx) tells sandbox threads. */
export const lines = signal<LineState[]>([]);

/** The line whose conversations the list shows. */
export const selectedLine = signal<string | null>(null);

export async function loadLines(): Promise<void> {
  const res = await api<{ data: LineState[] }>('/api/v2/lines/state');
  lines.value = res.data;
  if (selectedLine.value === null || !res.data.some((l) => l.sendblue_number === selectedLine.value)) {
    selectedLine.value = res.data[0]?.sendblue_number ?? null;
  }
}
