import { defineConfig } from 'vitest/config';
import base, { PACKAGING_TEST } from './vitest.config.js';

/** The packaging test alone (see vitest.config.ts); `npm test` runs it after the rest. */
export default defineConfig({
  test: { ...base.test, include: [PACKAGING_TEST], exclude: [], globalSetup: [] },
});
