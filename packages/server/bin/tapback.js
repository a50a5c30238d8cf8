#!/usr/bin/env node
// The `tapback` command. The CLI is TypeScript compiled to dist/ by `npm run build` (run by `npm ci`).
import('../dist/cli/main.js').then(({ main }) => main(process.argv));
