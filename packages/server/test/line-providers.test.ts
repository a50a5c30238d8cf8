import SendblueAPI, { BadRequestError, NotFoundError } from 'sendblue';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../src/version.js';
import { SERVER_BACKENDS } from './support/backends.js';
import {
  TEST_KEY_ID,
  TEST_SECRET,
  type TestServer,
  startBackendServer,
  startTestServer,
} from './support/test-server.js';

/**
 * Lines and their providers as a running server sees them: health in `lines.getState`, lines
 * added elsewhere (the CLI writes the database) picked up without a restart, and the sandbox's
 * routes only where the sandbox runs and only for sandbox lines.
 */
const SMPP_LINE = '+15550009000';

describe.each(SERVER_BACKENDS)('line providers ($name)', (backend) => {
  let server: TestServer;
  let client: SendblueAPI;

  beforeAll(async () => {
    server = await startBackendServer(backend, { TAPBACK_LINES_RELOAD_MS: '100' });
    client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: server.url });
  });
  afterAll(() => server.close());

  /** Polls `lines.getState` until `number` satisfies `ok` (the host reloads every 100 ms). */
  async function stateOf(number: string, ok: (s: { status: string } | undefined) => boolean) {
    for (let i = 0; i < 100; i++) {
      const state = (await client.lines.getState()).data.find((l) => l.sendblue_number === number);
      if (ok(state)) return state;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`line ${number} never reached the expected state`);
  }

  it('reports the sandbox line ONLINE through the official SDK, with the reporting process and provider', async () => {
    const response = await client.lines.getState();
    expect(response.status).toBe('OK');
    expect(Date.parse(response.snapshot_at)).not.toBeNaN();
    const line = await stateOf(server.line, (s) => s?.status === 'ONLINE');
    expect(line).toMatchObject({
      assignment: 'assigned',
      sendblue_number: server.line,
      status: 'ONLINE',
      provider: 'sandbox',
      last_error: null,
    });
    expect((line as unknown as { worker_id: string }).worker_id).toMatch(/:\d+$/);
  });

  it('picks up a line added behind its back and reports an unreachable SMSC as OFFLINE with the error', async () => {
    const account = await server.server.store.findAccountByEmail('dev@tapback.local');
    // Port 1 on loopback: nothing listens, so every bind attempt is refused.
    await server.server.store.addLine({
      accountId: account!.id,
      number: SMPP_LINE,
      provider: 'smpp',
      settings: { url: 'smpp://tapback:secret@127.0.0.1:1' },
      now: Date.now(),
    });
    const line = await stateOf(SMPP_LINE, (s) => s?.status === 'OFFLINE');
    expect(line).toMatchObject({ provider: 'smpp', status: 'OFFLINE' });
    expect((line as unknown as { last_error: string | null }).last_error).toMatch(/ECONNREFUSED|refused/i);
    expect(JSON.stringify(line)).not.toContain('secret');
  });

  it('reports readiness with the lines’ health counted, and stays ready while a line’s network is down', async () => {
    await stateOf(SMPP_LINE, (s) => s?.status === 'OFFLINE');
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; database: string; lines: Record<string, number> };
    expect(body).toMatchObject({ status: 'ready', database: 'ok' });
    expect(body.lines.online).toBeGreaterThanOrEqual(1);
    expect(body.lines.offline).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(body)).not.toContain(SMPP_LINE);
  });

  it('says which version answers at /version, without credentials', async () => {
    const res = await fetch(`${server.url}/version`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      version: VERSION,
      node: process.version,
      database: backend.name === 'postgres' ? 'postgresql' : 'sqlite',
      database_version: expect.stringMatching(/^\d+\.\d+/),
    });
  });

  it('answers 503 from /readyz once the database is gone', async () => {
    const other = await startTestServer();
    try {
      await other.server.store.close();
      const res = await fetch(`${other.url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: 'not_ready', database: 'unreachable' });
    } finally {
      await other.server.app.close();
    }
  });

  it('refuses to inject a contact’s message or typing into a line a real network carries', async () => {
    await stateOf(SMPP_LINE, (s) => s !== undefined);
    for (const [path, body] of [
      ['/sandbox/inbound', { from: '+19998887777', to: SMPP_LINE, content: 'forged' }],
      ['/sandbox/typing', { from: '+19998887777', to: SMPP_LINE }],
    ] as const) {
      const error = await client.post(path, { body }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).error).toMatchObject({ code: 'not_a_sandbox_line' });
      expect((error as BadRequestError).message).toContain(`to ${SMPP_LINE} is a smpp line`);
    }
  });
});

describe('with TAPBACK_SANDBOX=off', () => {
  let server: TestServer;
  afterEach(() => server?.close());

  it('mounts no /sandbox routes and bootstraps no sandbox line', async () => {
    server = await startTestServer({ TAPBACK_SANDBOX: 'off', TAPBACK_BOOTSTRAP_LINE: '' });
    const client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: server.url });
    for (const path of ['/sandbox/inbound', '/sandbox/typing', '/sandbox/clock/advance']) {
      const error = await client.post(path, { body: {} }).catch((e: unknown) => e);
      expect(error, path).toBeInstanceOf(NotFoundError);
      expect((error as NotFoundError).error).toMatchObject({ code: 'route_not_found' });
    }
    expect((await client.lines.getState()).data).toEqual([]);
  });
});
