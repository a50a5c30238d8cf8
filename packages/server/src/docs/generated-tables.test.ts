import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_TABLES, renderGeneratedRegions } from './generated-tables.js';

const README = new URL('../../../../README.md', import.meta.url);

describe('README generated tables', () => {
  it('are current: run `npm run docs` after changing config keys, error codes or sandbox rules', () => {
    const text = readFileSync(README, 'utf8');
    expect(renderGeneratedRegions(text)).toBe(text);
  });

  it('include every table the code defines', () => {
    const text = readFileSync(README, 'utf8');
    for (const name of Object.keys(GENERATED_TABLES)) {
      expect(text).toContain(`<!-- BEGIN GENERATED: ${name} -->`);
    }
  });
});
