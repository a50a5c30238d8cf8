import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * expectTypeOf assertions only fail when the compiler runs, so this compiles the type-level tests
 * (and through them the whole client source) with the repository's compiler settings.
 */
describe('type-level tests', () => {
  it('compile without errors', () => {
    const base = ts.readConfigFile(here('../../../tsconfig.base.json'), (p) => ts.sys.readFile(p));
    const { options } = ts.parseJsonConfigFileContent(base.config, ts.sys, here('../../..'));
    const program = ts.createProgram([here('./models.types.test.ts')], {
      ...options,
      noEmit: true,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
  }, 30_000);
});
