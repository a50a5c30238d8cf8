import { afterAll, describe, expect, it } from 'vitest';
import { killAllChildren, startServerProcess } from './support/cli-process.js';
import { tempDir } from './support/temp-dir.js';
import { TEST_KEY_ID, TEST_SECRET } from './support/test-server.js';
import { eventually } from './support/webhook-receiver.js';

/** `tapback serve`'s log lines on standard output: JSON when it is not a terminal, pretty when asked. */
describe('tapback serve log output', () => {
  const dirs: ReturnType<typeof tempDir>[] = [];
  afterAll(async () => {
    await killAllChildren();
    for (const d of dirs) d.cleanup();
  });

  const serve = (env: Record<string, string>) => {
    const dir = tempDir('tapback-logs-');
    dirs.push(dir);
    return startServerProcess({
      DATABASE_URL: `sqlite:${dir.path}/tapback.db`,
      TAPBACK_LOG_LEVEL: 'info',
      TAPBACK_BOOTSTRAP_API_KEY_ID: TEST_KEY_ID,
      TAPBACK_BOOTSTRAP_API_SECRET: TEST_SECRET,
      ...env,
    });
  };

  it('writes JSON lines to a pipe, one per request, with no secret in them', async () => {
    const server = await serve({});
    const res = await fetch(`${server.url}/api/v2/messages`, {
      headers: { 'sb-api-key-id': TEST_KEY_ID, 'sb-api-secret-key': TEST_SECRET },
    });
    expect(res.status).toBe(200);
    const lines = await eventually(() => {
      const logged = server
        .output()
        .stdout.split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      return logged.some((l) => l.msg === 'request') ? logged : undefined;
    });
    expect(lines.find((l) => l.msg === 'request')).toMatchObject({
      level: 30,
      method: 'GET',
      route: '/api/v2/messages',
      status: 200,
      account: expect.any(Number),
      reqId: expect.any(String),
    });
    // Besides the banner, nothing on standard output is anything but a JSON line.
    expect(server.output().stdout).not.toMatch(/^\[\d\d:\d\d:\d\d/m);
    expect(server.output().stdout).not.toContain(TEST_SECRET);
    server.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
  });

  it('writes pretty lines when TAPBACK_LOG_FORMAT=pretty', async () => {
    const server = await serve({ TAPBACK_LOG_FORMAT: 'pretty' });
    await fetch(`${server.url}/api/v2/messages`);
    const out = await eventually(() => {
      const stdout = server.output().stdout;
      return /INFO.*request/.test(stdout) ? stdout : undefined;
    });
    expect(out).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO.*request/m);
    expect(out).toContain('route: "/api/v2/messages"');
    expect(out.split('\n').some((l) => l.startsWith('{'))).toBe(false);
    server.kill('SIGTERM');
    await server.exited;
  });
});
