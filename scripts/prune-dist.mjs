// Removes compiled files whose TypeScript source is gone. `tsc -b` only ever adds and overwrites, so a
// renamed or deleted module would otherwise stay in dist/ and be packed and published with a source
// map naming a file the package does not have.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

const COMPILED = /\.(d\.ts|js\.map|js)$/;

// The web inbox's bundle (dist/inbox) is built by Vite from packages/inbox, not compiled from src.
const BUNDLED = join('packages/server/dist/inbox');

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (path === BUNDLED) continue;
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

for (const pkg of ['packages/server', 'packages/client']) {
  const dist = join(pkg, 'dist');
  if (!existsSync(dist)) continue;
  for (const file of files(dist)) {
    if (!COMPILED.test(file)) continue;
    const source = join(pkg, 'src', relative(dist, file).replace(COMPILED, '.ts'));
    if (!existsSync(source)) rmSync(file);
  }
}
