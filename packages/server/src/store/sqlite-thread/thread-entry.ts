import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Source folders the thread's module graph is compiled from (the store and what it imports). */
const THREAD_SOURCES = ['store', 'domain', 'lib'];

/**
 * The module the SQLite thread runs. A thread runs JavaScript only: the compiled file beside this
 * one, or, when this module itself runs from TypeScript sources (the test runner), its compiled
 * twin in `dist/`. That twin must be at least as new as every source it is built from, or the
 * thread would run old store code under new tests: then this says to build first.
 */
export function threadEntry(): URL {
  const here = import.meta.url;
  if (here.endsWith('.js')) return new URL('./thread-main.js', here);
  const src = new URL('../../', here);
  const dist = new URL('../../../dist/', here);
  const stale = staleOutputs(fileURLToPath(src), fileURLToPath(dist));
  if (stale.length > 0) {
    throw new Error(
      `the SQLite thread runs the compiled store in packages/server/dist, which is older than ${stale
        .slice(0, 3)
        .join(', ')}${stale.length > 3 ? ` and ${stale.length - 3} more` : ''}: run \`npm run build\``,
    );
  }
  return new URL('store/sqlite-thread/thread-main.js', dist);
}

let checked: string[] | undefined;

function staleOutputs(src: string, dist: string): string[] {
  return (checked ??= staleBuilds(src, dist, THREAD_SOURCES));
}

/**
 * The sources under `folders` of `src` that are newer than their build in `dist`. A module's
 * build is dated by the compiler's build info (`dist/.tsbuildinfo`): an incremental build leaves a
 * compiled file alone when its output would not change, but always dates the build info. A
 * migration is copied as it is, so its copy is dated itself.
 */
export function staleBuilds(src: string, dist: string, folders: readonly string[]): string[] {
  const built = statSync(`${dist}.tsbuildinfo`, { throwIfNoEntry: false })?.mtimeMs ?? -Infinity;
  const stale: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(src + relative, { withFileTypes: true })) {
      const name = `${relative}${entry.name}`;
      if (entry.isDirectory()) walk(`${name}/`);
      else if (entry.name.endsWith('.sql')) {
        const copy = statSync(dist + name, { throwIfNoEntry: false });
        if (copy === undefined || copy.mtimeMs < statSync(src + name).mtimeMs) stale.push(`src/${name}`);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        const compiled = statSync(dist + name.replace(/\.ts$/, '.js'), { throwIfNoEntry: false });
        if (compiled === undefined || built < statSync(src + name).mtimeMs) stale.push(`src/${name}`);
      }
    }
  };
  for (const folder of folders) walk(`${folder}/`);
  return stale;
}
