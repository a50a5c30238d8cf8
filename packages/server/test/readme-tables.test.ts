import { readFileSync } from 'node:fs';
import SendblueAPI from 'sendblue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type TableSources,
  generatedTables,
  renderGeneratedRegions,
  routesFromOpenApi,
} from '../../../scripts/docs/generated-tables.mjs';
import { sdkMethods } from '../../../scripts/docs/sdk-methods.mjs';
import { type TestServer, startTestServer } from './support/test-server.js';
import { CONFIG_KEYS } from '../src/config/config.js';
import { SANDBOX_RULES } from '../src/delivery/providers/sandbox/sandbox-behaviour.js';
import { ERROR_REGISTRY } from '../src/domain/errors.js';

const README = new URL('../../../README.md', import.meta.url);
const SDK_METHODS = sdkMethods(new SendblueAPI({ apiKey: 'k', apiSecret: 's', baseURL: 'http://127.0.0.1:1' }));
let SOURCES: TableSources = { CONFIG_KEYS, SANDBOX_RULES, ERROR_REGISTRY, SDK_METHODS };

describe('README generated tables', () => {
  // The compatibility table is rendered from the routes of a real server's OpenAPI document.
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    SOURCES = { ...SOURCES, ROUTES: routesFromOpenApi(server.server.app.swagger()) };
  });
  afterAll(() => server.close());

  it('are current: run `npm run docs` after changing config keys, error codes, sandbox rules or routes', () => {
    const text = readFileSync(README, 'utf8');
    expect(renderGeneratedRegions(text, SOURCES)).toBe(text);
  });

  it('include every table the code defines', () => {
    const text = readFileSync(README, 'utf8');
    for (const name of Object.keys(generatedTables(SOURCES))) {
      expect(text).toContain(`<!-- BEGIN GENERATED: ${name} -->`);
    }
  });

  it('list every SDK method in the compatibility table, with the route whose operationId it is', () => {
    const rendered = generatedTables(SOURCES).compatibility?.() ?? '';
    expect(SDK_METHODS.length).toBeGreaterThan(50);
    for (const method of SDK_METHODS) expect(rendered).toContain(`| \`${method}\` |`);
    expect(rendered).toContain('| `messages.send` | `POST /api/send-message` | Send a message |');
  });
});
