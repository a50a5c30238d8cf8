// `npm run docs`: re-renders the README's generated tables (config keys, error codes, sandbox rules,
// SDK compatibility) from the compiled server code. A test fails when the committed README is stale.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import SendblueAPI from 'sendblue';
import { startServer } from '../packages/server/dist/main.js';
import { sdkMethods } from './docs/sdk-methods.mjs';
import { CONFIG_KEYS, loadConfig } from '../packages/server/dist/config/config.js';
import { SANDBOX_RULES } from '../packages/server/dist/delivery/providers/sandbox/sandbox-behaviour.js';
import { ERROR_REGISTRY } from '../packages/server/dist/domain/errors.js';
import { renderGeneratedRegions, routesFromOpenApi } from './docs/generated-tables.mjs';

const path = new URL('../README.md', import.meta.url);
const before = readFileSync(path, 'utf8');
// The compatibility table: the installed SDK's methods against the routes of a throwaway server.
const SDK_METHODS = sdkMethods(new SendblueAPI({ apiKey: 'k', apiSecret: 's', baseURL: 'http://127.0.0.1:1' }));
const dir = mkdtempSync(join(tmpdir(), 'tapback-docs-'));
let ROUTES;
try {
  const config = loadConfig({ env: { DATABASE_URL: `sqlite:${join(dir, 'docs.db')}`, TAPBACK_PORT: '0' } });
  const server = await startServer(config, pino({ level: 'silent' }));
  ROUTES = routesFromOpenApi(server.app.swagger());
  await server.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const after = renderGeneratedRegions(before, { CONFIG_KEYS, SANDBOX_RULES, ERROR_REGISTRY, SDK_METHODS, ROUTES });
if (after !== before) writeFileSync(path, after);
process.stdout.write(after === before ? 'README.md is current\n' : 'README.md updated\n');
