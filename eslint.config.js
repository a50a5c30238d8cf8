import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import boundaries from 'eslint-plugin-boundaries';

const SERVER_SRC = 'packages/server/src';

/*
 * The server's layers, inner to outer, and what each may import besides its own folder. Nothing
 * imports a layer above or beside it, so a rule written in an inner layer cannot come to depend on
 * how it is stored, served or started:
 *
 *   domain, lib    entities and rules; generic building blocks. Neither imports anything of ours
 *                  (domain may import only domain, lib nothing at all).
 *   config         settings: reading, parsing, validating them. Only domain and lib.
 *   store          storage ports and backends. Only domain and lib: it takes a parsed location,
 *                  never the configuration.
 *   webhooks, delivery, accounts, messaging
 *                  side by side above config and store; none imports another. The use cases
 *                  (messaging) commit jobs and webhook outbox rows through the store, and main.ts
 *                  wires the callbacks that wake the worker (delivery) and the dispatcher (webhooks),
 *                  so no arrow between them is needed; this is stricter than a messaging-on-top order.
 *   api            HTTP routes over the use cases.
 *   cli, entry     the CLI, and main.ts (the composition root), index.ts, version.ts. The CLI loads
 *                  main.ts lazily for `serve`; main.ts never imports the CLI.
 *
 * Tests (`*.test.ts`, packages/server/test) may import anything.
 */
const BASE = ['domain', 'lib', 'config', 'store'];
const SERVICES = ['webhooks', 'delivery', 'accounts', 'messaging'];
const MAY_IMPORT = {
  domain: [],
  lib: [],
  config: ['domain', 'lib'],
  store: ['domain', 'lib'],
  webhooks: BASE,
  delivery: BASE,
  accounts: BASE,
  messaging: BASE,
  api: [...BASE, ...SERVICES],
  cli: [...BASE, ...SERVICES, 'api', 'entry'],
  entry: [...BASE, ...SERVICES, 'api'],
};
const layers = Object.keys(MAY_IMPORT).filter((type) => type !== 'entry');

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'data/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
    },
  },
  {
    // The web inbox runs in the browser.
    files: ['packages/inbox/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['eslint.config.js', 'vitest.config.ts', 'vitest.packaging.config.ts', 'packages/inbox/vite.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: [`${SERVER_SRC}/**/*.ts`],
    ignores: ['**/*.test.ts'],
    plugins: { boundaries },
    settings: {
      // Imports name the emitted `.js`; the TypeScript resolver finds the `.ts` behind them.
      'import/resolver': { typescript: { project: 'tsconfig.tests.json' } },
      'boundaries/elements': [
        ...layers.map((type) => ({ type, pattern: `${SERVER_SRC}/${type}`, partialMatch: false })),
        // A folder missing from MAY_IMPORT: no policy names it, so nothing of ours goes in or out
        // until it takes its place in the order above.
        { type: 'unplaced', pattern: `${SERVER_SRC}/*`, partialMatch: false },
        { type: 'entry', pattern: SERVER_SRC, partialMatch: false },
      ],
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: [
            ...Object.entries(MAY_IMPORT).map(([type, below]) => ({
              from: { element: { type } },
              allow: { to: { element: { types: { anyOf: [type, ...below] } } } },
            })),
          ],
        },
      ],
      // Server code never imports files outside the layers (test support, bench, scripts).
      'boundaries/no-unknown-dependencies': 'error',
      // One constructor per error code (domain/errors.ts `errors`), so a failure reads the same everywhere.
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
        {
          selector: "NewExpression[callee.name='AppError']",
          message: 'Use a constructor of `errors` (domain/errors.ts).',
        },
      ],
    },
  },
  {
    files: [`${SERVER_SRC}/domain/errors.ts`],
    rules: {
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
    },
  },
);
