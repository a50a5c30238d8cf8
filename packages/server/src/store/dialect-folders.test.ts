import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The two dialect folders have the same shape, so a reader who knows one knows the other: every
 * `<dialect>-<concern>.ts` of one has its twin in the other, and both read and write messages
 * through a `message-row.ts`. Files without the prefix are the engine's own mechanisms (SQLite's
 * group commit and WAL checkpointer, PostgreSQL's LISTEN connection) and need no twin.
 */
const concerns = (dialect: string): string[] =>
  readdirSync(new URL(`./${dialect}/`, import.meta.url))
    .filter((f) => f.startsWith(`${dialect}-`) && f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(dialect.length + 1))
    .sort();

describe('the dialect folders', () => {
  it('implement the same concerns, file for file', () => {
    expect(concerns('postgres')).toEqual(concerns('sqlite'));
  });

  it('each map message rows in a message-row.ts', () => {
    for (const dialect of ['sqlite', 'postgres']) {
      expect(readdirSync(new URL(`./${dialect}/`, import.meta.url))).toContain('message-row.ts');
    }
  });
});
