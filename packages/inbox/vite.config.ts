import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Built into the server package, which serves it under /inbox; nothing is fetched at run time.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/inbox/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../server/dist/inbox', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    reportCompressedSize: true,
  },
});
