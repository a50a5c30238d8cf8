import { describe, expect, it } from 'vitest';
import { tableProgress } from './progress.js';

/** A stand-in for stderr: what was written, and whether it is a terminal. */
function stream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const s = { isTTY, text: '', write: (chunk: string) => ((s.text += chunk), true) };
  return s as unknown as NodeJS.WriteStream & { text: string };
}

describe('migrate-db progress', () => {
  it('rewrites one line per table in place on a terminal', () => {
    const err = stream(true);
    const p = tableProgress(true, err);
    p.update('accounts', 2);
    p.update('messages', 1000);
    p.update('messages', 1500);
    p.done();
    expect(err.text).toBe(
      '\r  accounts: 2 rows copied\n\r  messages: 1000 rows copied\r  messages: 1500 rows copied\n',
    );
  });

  it('prints a line per table, and every 10,000 rows, elsewhere when asked for', () => {
    const err = stream(false);
    const p = tableProgress(true, err);
    p.update('accounts', 2);
    for (let n = 1000; n <= 21_000; n += 1000) p.update('messages', n);
    p.done();
    expect(err.text).toBe(
      '  accounts: 2 rows copied\n  messages: 10000 rows copied\n  messages: 20000 rows copied\n  messages: 21000 rows copied\n',
    );
  });

  it('prints nothing when off (not a terminal, no --progress)', () => {
    const err = stream(false);
    const p = tableProgress(false, err);
    p.update('accounts', 2);
    p.done();
    expect(err.text).toBe('');
  });
});
