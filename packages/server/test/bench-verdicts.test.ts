import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTACT, send } from './support/api-helpers.js';
import { REPO_ROOT } from './support/cli-process.js';
import { type TestServer, startTestServer } from './support/test-server.js';

/**
 * The benchmark's labels: what makes a row "met", and that the bare node:http baseline answers
 * with Tapback's own send response (fields and bytes). The bench files are plain .mjs outside the
 * type-checked packages, so they are imported by a computed path (typed here by hand).
 */
interface Verdicts {
  sameShape(ours: string, theirs: string): { same: boolean; why: string };
  soakMet(
    memory: { peakMiB: number | null; growthMiB?: number },
    held: { flatBacklog: boolean; droppedByClient: number; acceptedPerSec: number },
    rate: number,
  ): boolean;
}
const benchLib = (file: string) => `${REPO_ROOT}bench/lib/${file}`;
const { sameShape, soakMet } = (await import(benchLib('verdicts.mjs'))) as Verdicts;

describe('the soak row', () => {
  const memory = { peakMiB: 120, growthMiB: 2 };
  const held = { flatBacklog: true, droppedByClient: 0, acceptedPerSec: 5000 };

  it('is met when memory stays flat and the whole offered load is accepted with a flat backlog', () => {
    expect(soakMet(memory, held, 5000)).toBe(true);
  });

  it.each([
    ['the backlog grew', { ...held, flatBacklog: false }],
    ['the client dropped load it could not send', { ...held, droppedByClient: 1 }],
    ['most of the offered load was not accepted', { ...held, acceptedPerSec: 1200 }],
  ])('is missed when %s, however flat memory stayed', (_why, run) => {
    expect(soakMet(memory, run, 5000)).toBe(false);
  });

  it('is missed when memory grew or was not sampled', () => {
    expect(soakMet({ peakMiB: 120, growthMiB: 15 }, held, 5000)).toBe(false);
    expect(soakMet({ peakMiB: null }, held, 5000)).toBe(false);
  });
});

describe('the bare node:http baseline of the send row', () => {
  let t: TestServer;
  let ours: string;

  beforeAll(async () => {
    t = await startTestServer();
    const res = await send(t, t.auth, { number: CONTACT, from_number: t.line, content: 'Benchmark message' });
    expect(res.statusCode).toBe(200);
    ours = res.body;
  });
  afterAll(() => t.close());

  it("answers with Tapback's send response: the same fields, in order, and the same bytes", async () => {
    const child = spawn(process.execPath, [benchLib('bare-http-server.mjs')], {
      env: { ...process.env, TAPBACK_BENCH_SEND_RESPONSE: ours },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the baseline printed no URL within 10 s')), 10_000);
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m?.[1] !== undefined) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
        child.once('exit', (code) => reject(new Error(`the baseline exited with ${code}`)));
      });
      const res = await fetch(`${url}/api/send-message`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ number: CONTACT, from_number: t.line, content: 'Benchmark message' }),
      });
      const theirs = await res.text();
      expect(Object.keys(JSON.parse(ours))).toContain('sms_segments');
      expect(Object.keys(JSON.parse(ours))).toContain('status_sequence');
      expect(sameShape(ours, theirs)).toEqual({ same: true, why: '' });
      expect(JSON.parse(theirs).message_handle).not.toBe(JSON.parse(ours).message_handle);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('tells a 13-field answer from the full one', () => {
    const full = JSON.parse(ours) as Record<string, unknown>;
    const thirteen = Object.fromEntries(Object.entries(full).slice(0, 13));
    expect(Object.keys(full).length).toBeGreaterThan(13);
    expect(sameShape(ours, JSON.stringify(thirteen)).same).toBe(false);
  });
});
