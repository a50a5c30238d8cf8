import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { staleBuilds } from './thread-entry.js';

/** From TypeScript sources, the thread runs the build: a build older than a source must be refused, not run. */
describe('the SQLite thread’s build check', () => {
  const dir = tempDir('tapback-thread-entry-');
  afterEach(() => dir.cleanup());

  const file = (path: string, mtime: number): void => {
    mkdirSync(`${dir.path}/${path.slice(0, path.lastIndexOf('/'))}`, { recursive: true });
    writeFileSync(`${dir.path}/${path}`, '');
    utimesSync(`${dir.path}/${path}`, mtime, mtime);
  };

  it('names sources newer than the build (its build info) or never built, and nothing else', () => {
    file('dist/.tsbuildinfo', 250);
    file('src/store/fresh.ts', 100);
    // An incremental build does not rewrite an unchanged output: the build info dates the build.
    file('dist/store/fresh.js', 50);
    file('src/store/sqlite/old.ts', 300);
    file('dist/store/sqlite/old.js', 300);
    file('src/store/migrations/0001_x.sql', 300);
    file('dist/store/migrations/0001_x.sql', 100);
    file('src/store/missing.ts', 100);
    file('src/store/only.test.ts', 900);
    file('src/lib/ok.ts', 250);
    file('dist/lib/ok.js', 100);
    const stale = staleBuilds(`${dir.path}/src/`, `${dir.path}/dist/`, ['store', 'lib']).sort();
    expect(stale).toEqual(['src/store/migrations/0001_x.sql', 'src/store/missing.ts', 'src/store/sqlite/old.ts']);
  });
});
