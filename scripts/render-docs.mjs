// `npm run docs`: re-renders the README's generated tables (config keys, error codes, sandbox rules)
// from the compiled server code. A test fails when the committed README is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { CONFIG_KEYS } from '../packages/server/dist/config/config.js';
import { SANDBOX_RULES } from '../packages/server/dist/delivery/providers/sandbox/sandbox-behaviour.js';
import { ERROR_REGISTRY } from '../packages/server/dist/domain/errors.js';
import { renderGeneratedRegions } from './docs/generated-tables.mjs';

const path = new URL('../README.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = renderGeneratedRegions(before, { CONFIG_KEYS, SANDBOX_RULES, ERROR_REGISTRY });
if (after !== before) writeFileSync(path, after);
process.stdout.write(after === before ? 'README.md is current\n' : 'README.md updated\n');
