import { closeSync, openSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { createLogger, usesPrettyLogs } from './logger.js';

/** Writes one line through a logger made for `format` on a file standing in for standard output. */
async function logOnce(format: 'auto' | 'json' | 'pretty', isTTY: boolean): Promise<string> {
  const dir = tempDir('tapback-logger-');
  try {
    const path = `${dir.path}/out.log`;
    const fd = openSync(path, 'w');
    try {
      const logger = await createLogger({ logLevel: 'info', logFormat: format }, { isTTY, fd });
      logger.info({ route: '/healthz' }, 'request');
      // JSON lines are written asynchronously: the line is out within a few turns, before the fd closes.
      for (const deadline = Date.now() + 5_000; !readFileSync(path, 'utf8').includes('\n') && Date.now() < deadline;) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } finally {
      closeSync(fd);
    }
    return readFileSync(path, 'utf8');
  } finally {
    dir.cleanup();
  }
}

describe('log output', () => {
  it('is JSON lines when standard output is not a terminal, or when asked', async () => {
    for (const [format, tty] of [
      ['auto', false],
      ['json', true],
    ] as const) {
      const line = JSON.parse((await logOnce(format, tty)).trim()) as Record<string, unknown>;
      expect(line).toMatchObject({ level: 30, msg: 'request', route: '/healthz' });
    }
  });

  it('is pretty on a terminal, or when forced', async () => {
    for (const [format, tty] of [
      ['auto', true],
      ['pretty', false],
    ] as const) {
      // eslint-disable-next-line no-control-regex
      const out = (await logOnce(format, tty)).replace(/\u001b\[[0-9;]*m/g, '');
      expect(() => JSON.parse(out.trim())).toThrow();
      expect(out).toMatch(/INFO.*request/);
      expect(out).toContain('route: "/healthz"');
      expect(usesPrettyLogs(format, { isTTY: tty })).toBe(true);
    }
    // Colours only for a terminal: a forced pretty log piped to a file stays plain text.
    expect(await logOnce('pretty', false)).not.toContain('\u001b[');
  });
});
