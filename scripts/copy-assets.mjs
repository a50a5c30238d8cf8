// Copies non-TypeScript files the server reads at run time (SQL migrations) next to the compiled code.
import { cpSync } from 'node:fs';

cpSync('packages/server/src/store/sqlite/migrations', 'packages/server/dist/store/sqlite/migrations', {
  recursive: true,
});
