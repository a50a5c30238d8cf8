// `npm run docs`: re-renders the README's generated tables (config keys, error codes, sandbox rules)
// from the compiled server code. A test fails when the committed README is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { renderGeneratedRegions } from '../packages/server/dist/docs/generated-tables.js';

const path = new URL('../README.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = renderGeneratedRegions(before);
if (after !== before) writeFileSync(path, after);
process.stdout.write(after === before ? 'README.md is current\n' : 'README.md updated\n');
