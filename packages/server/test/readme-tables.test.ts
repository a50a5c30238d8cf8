import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedTables, renderGeneratedRegions } from '../../../scripts/docs/generated-tables.mjs';
import { CONFIG_KEYS } from '../src/config/config.js';
import { SANDBOX_RULES } from '../src/delivery/providers/sandbox/sandbox-behaviour.js';
import { ERROR_REGISTRY } from '../src/domain/errors.js';

const README = new URL('../../../README.md', import.meta.url);
const SOURCES = { CONFIG_KEYS, SANDBOX_RULES, ERROR_REGISTRY };

describe('README generated tables', () => {
  it('are current: run `npm run docs` after changing config keys, error codes or sandbox rules', () => {
    const text = readFileSync(README, 'utf8');
    expect(renderGeneratedRegions(text, SOURCES)).toBe(text);
  });

  it('include every table the code defines', () => {
    const text = readFileSync(README, 'utf8');
    for (const name of Object.keys(generatedTables(SOURCES))) {
      expect(text).toContain(`<!-- BEGIN GENERATED: ${name} -->`);
    }
  });
});
