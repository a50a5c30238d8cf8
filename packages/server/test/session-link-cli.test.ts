import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { banner } from '../src/cli/serve.js';
import { addTenant } from './support/api-helpers.js';
import { SERVER_BACKENDS, TEST_SECRET_KEY } from './support/backends.js';
import { killAllChildren, runCli } from './support/cli-process.js';
import { type TestServer, startBackendServer } from './support/test-server.js';

/** `tapback inbox link` (the compiled CLI, in a process of its own) and the start banner's link. */

vi.setConfig({ testTimeout: 60_000 });
afterAll(killAllChildren);

describe.each(SERVER_BACKENDS)('tapback inbox link ($name)', (backend) => {
  let server: TestServer;
  let env: Record<string, string>;
  beforeAll(async () => {
    server = await startBackendServer(backend);
    env = { DATABASE_URL: server.databaseUrl, TAPBACK_SECRET_KEY: TEST_SECRET_KEY };
  });
  afterAll(() => server.close());

  const exchange = (code: string) =>
    fetch(`${server.url}/api/session/link`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });

  it('prints a link to the running server whose code signs in once', async () => {
    const r = await runCli(['inbox', 'link'], { ...env, TAPBACK_PUBLIC_URL: server.url });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [link, note] = r.stdout.trim().split('\n');
    expect(link).toMatch(new RegExp(`^${server.url}/inbox/#sign-in=[0-9a-f]{64}$`));
    expect(note).toContain('dev@tapback.local once, until');
    const code = link?.split('#sign-in=')[1] ?? '';
    const first = await exchange(code);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ account: { email: 'dev@tapback.local' } });
    expect((await exchange(code)).status).toBe(401);
  });

  it('signs in to the account named, at the base URL given', async () => {
    const tenant = await addTenant(server, `cli-${backend.name}@example.com`, '+15550007101');
    const r = await runCli(['inbox', 'link', '--account', tenant.email, '--url', `${server.url}/`, '--json'], env);
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.stdout) as { url: string; account: string; expiresAt: string };
    expect(printed.account).toBe(tenant.email);
    expect(printed.url.startsWith(`${server.url}/inbox/#sign-in=`)).toBe(true);
    const opened = await exchange(printed.url.split('#sign-in=')[1] ?? '');
    expect(await opened.json()).toMatchObject({ account: { email: tenant.email } });
  });

  it('says why it cannot: no such account, or no active key pair', async () => {
    const missing = await runCli(['inbox', 'link', '--account', 'nobody@example.com'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no account nobody@example.com');
    const tenant = await addTenant(server, `keyless-${backend.name}@example.com`, '+15550007102');
    await server.server.store.revokeApiKey(tenant.keyId, Date.now());
    const keyless = await runCli(['inbox', 'link', '--account', tenant.email], env);
    expect(keyless.code).toBe(2);
    expect(keyless.stderr).toContain(`npx tapback keys create --account ${tenant.email}`);
  });
});

describe('the start banner', () => {
  it('shows the inbox sign-in link when the start minted one, and nothing when not', () => {
    const info = {
      url: 'http://127.0.0.1:4010',
      database: 'sqlite:./data/tapback.db (role: all)',
      durability: null,
      clock: 'system',
      allowPrivate: [],
      apiReference: null,
      accounts: 1,
      boot: { created: false, email: 'dev@tapback.local', keyId: null, secret: null, line: null },
    };
    const link = 'http://127.0.0.1:4010/inbox/#sign-in=abc123';
    expect(banner({ ...info, inbox: link }).split('\n')).toContain(`Inbox: ${link}`);
    expect(banner({ ...info, inbox: null })).not.toContain('Inbox:');
  });
});
