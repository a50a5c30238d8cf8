// Copies non-TypeScript files the server reads at run time (SQL migrations) next to the compiled code.
import { cpSync } from 'node:fs';

for (const backend of ['sqlite', 'postgres']) {
  cpSync(`packages/server/src/store/${backend}/migrations`, `packages/server/dist/store/${backend}/migrations`, {
    recursive: true,
  });
}
