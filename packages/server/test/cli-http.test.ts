import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../src/webhooks/signing.js';
import { CONTACT, bootstrapTenant } from './support/api-helpers.js';
import { killFollowed, followCli } from './support/cli-follow.js';
import { killAllChildren, runCli } from './support/cli-process.js';
import { startReceiver } from './support/webhook-receiver.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer, startTestServer } from './support/test-server.js';

/**
 * The HTTP commands of the compiled CLI (`npm run build` first) against a real server: send,
 * inbound, typing, reset, tail and `webhooks listen --forward-to`, and their error lines.
 */

// Each command is a Node process of its own (~1 s to start, several under load).
describe('tapback HTTP commands', { timeout: 60_000 }, () => {
  let t: TestServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await startTestServer();
    env = { TAPBACK_BASE_URL: t.url, TAPBACK_API_KEY_ID: TEST_KEY_ID, TAPBACK_API_SECRET: TEST_SECRET };
  });
  afterAll(async () => {
    killFollowed();
    await killAllChildren();
    await t?.close();
  });

  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: { ...t.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await res.json()) as T;
  };

  it('sends: the handle and status, or with --json the API answer with ISO times', async () => {
    const plain = await runCli(['send', '--from', t.line, '--to', CONTACT, 'hello from the CLI'], env);
    expect(plain.code, plain.stderr).toBe(0);
    const [handle, status] = plain.stdout.trim().split(/\s+/);
    expect(status).toBe('QUEUED');
    const stored = await api<{ data: { content: string } }>('GET', `/api/v2/messages/${handle ?? ''}`);
    expect(stored.data).toMatchObject({ content: 'hello from the CLI' });

    const json = await runCli(
      ['send', '--json', '--from', t.line, '--to', CONTACT, '--send-style', 'invisible', 'hi'],
      env,
    );
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      status: 'QUEUED',
      send_style: 'invisible',
      date_created: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
  });

  it("prints the API's code and message and exits 1; an unreachable server is one line", async () => {
    const wrong = await runCli(['send', '--from', t.line, '--to', CONTACT, 'x', '--secret', 'wrong-secret'], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^tapback: unauthorized: /);
    const invalid = await runCli(['send', '--from', t.line, '--to', '12', 'x'], env);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^tapback: invalid_phone_number: number /);
    const closed = await closedPort();
    const down = await runCli(['send', '--from', t.line, '--to', CONTACT, 'x'], {
      ...env,
      TAPBACK_BASE_URL: `http://127.0.0.1:${closed}`,
    });
    expect(down.code).toBe(1);
    expect(down.stderr.trim().split('\n')).toEqual([
      `tapback: cannot reach Tapback at http://127.0.0.1:${closed} (ECONNREFUSED); start it with \`tapback serve\`, or point --base-url / TAPBACK_BASE_URL at it`,
    ]);
    const missing = await runCli(['send', '--from', t.line, '--to', CONTACT, 'x'], { TAPBACK_BASE_URL: t.url });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no API key id');
  });

  it('injects a STOP, which declines the next send; reset clears the opt-out and says what it removed', async () => {
    const contact = '+19998880101';
    const inbound = await runCli(['inbound', '--from', contact, '--to', t.line, 'STOP'], env);
    expect(inbound.code, inbound.stderr).toBe(0);
    expect(inbound.stdout).toMatch(/^\S+ {2}RECEIVED\n$/);
    const declined = await runCli(['send', '--from', t.line, '--to', contact, 'still there?'], env);
    expect(declined.stdout).toMatch(/ {2}DECLINED/);

    const reset = await runCli(['reset', '--yes'], env);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toMatch(/^Reset: removed \d+ messages, 1 contacts/);
    const after = await runCli(['send', '--from', t.line, '--to', contact, 'welcome back'], env);
    expect(after.stdout).toMatch(/ {2}QUEUED\n$/);
  });

  it('makes a contact type: one typing_indicator webhook per entry', async () => {
    const receiver = await startReceiver();
    try {
      await api('POST', '/api/account/webhooks', { webhooks: [receiver.url], type: 'typing_indicator' });
      const typing = await runCli(['typing', '--from', CONTACT, '--to', t.line], env);
      expect(typing.code, typing.stderr).toBe(0);
      expect(typing.stdout).toBe(`${CONTACT} is typing to ${t.line}: 1 typing_indicator webhook queued\n`);
      const [got] = await receiver.waitFor(1);
      expect(JSON.parse(got!.body)).toMatchObject({ number: CONTACT, is_typing: true, from_number: t.line });
    } finally {
      await api('DELETE', '/api/account/webhooks', { webhooks: [receiver.url], type: 'typing_indicator' });
      await receiver.close();
    }
  });

  it('tails the events of a send, filtered by --type, one JSON object per line', async () => {
    const tail = followCli(['tail', '--json', '--type', 'message.updated', '--number', CONTACT], env);
    // The stream is open once the server counts a watcher of the account.
    const { accountId } = await bootstrapTenant(t);
    await waitUntil(() => t.server.store.isAccountWatched(accountId));
    const sent = await api<{ message_handle: string }>('POST', '/api/send-message', {
      number: CONTACT,
      from_number: t.line,
      content: 'tail me',
    });
    await tail.waitFor(/"status":"DELIVERED"/);
    expect(await tail.stop()).toBe(0);
    const lines = tail
      .stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data: { message_handle: string } });
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(new Set(lines.map((l) => l.type))).toEqual(new Set(['message.updated']));
    expect(lines.map((l) => l.data.message_handle)).toContain(sent.message_handle);
  });

  it('listens like `stripe listen`: registers, verifies, forwards with the original headers, removes on exit', async () => {
    const app = await startReceiver(() => 202);
    let listen: ReturnType<typeof followCli> | undefined;
    try {
      listen = followCli(
        ['webhooks', 'listen', '--port', '0', '--forward-to', `${app.url}/hook`, '--events', 'outbound,receive'],
        env,
      );
      const [, local] = await listen.waitFor(/^Ready: (\S+) is registered/m);
      const config = await api<{ signing_secret: string; webhooks: { outbound: string[]; receive: string[] } }>(
        'GET',
        '/api/account/webhooks',
      );
      expect(config.webhooks.outbound).toContain(`${local}/outbound`);
      expect(config.webhooks.receive).toContain(`${local}/receive`);

      await api('POST', '/sandbox/inbound', { from: CONTACT, to: t.line, content: 'forward me' });
      const [forwarded] = await app.waitFor(1);
      expect(forwarded!.path).toBe('/hook');
      expect(JSON.parse(forwarded!.body)).toMatchObject({ content: 'forward me', is_outbound: false });
      expect(forwarded!.headers['webhook-id']).toMatch(/^msg_/);
      expect(verifyWebhook(config.signing_secret, forwarded!.headers, forwarded!.body)).toEqual({ ok: true });
      await listen.waitFor(/receive msg_\S+ {2}signature verified {2}-> POST \S+\/hook \[202\]/);
      // Tapback was answered with the forward's status.
      const log = await api<{ data: { url: string; last_http_status: number }[] }>(
        'GET',
        '/api/account/webhooks/deliveries?limit=100',
      );
      expect(log.data.find((d) => d.url === `${local}/receive`)?.last_http_status).toBe(202);

      expect(await listen.stop('SIGINT')).toBe(0);
      expect(listen.stdout()).toContain('Removed the temporary webhooks.');
      const after = await api<{ webhooks: { outbound: string[]; receive: string[] } }>('GET', '/api/account/webhooks');
      expect([...after.webhooks.outbound, ...after.webhooks.receive].some((u) => String(u).startsWith(local!))).toBe(
        false,
      );
    } finally {
      await listen?.stop('SIGKILL');
      await app.close();
    }
  });

  it('suggests the command a typo meant, and lists the HTTP commands in its help', async () => {
    const typo = await runCli(['sedn'], env);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/Did you mean send\?/);
    const help = await runCli([], env);
    expect(help.code).toBe(0);
    for (const command of ['send', 'inbound', 'typing', 'reset', 'tail'])
      expect(help.stdout).toMatch(new RegExp(`\\n  ${command} `));
  });
});

/** A loopback port nothing listens on (just released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitUntil(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 25));
  }
}
