import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 may grow the old generation past what survived the last full GC, in percent.
 *
 * By default V8 lets the heap grow up to 4× its live size when allocation is fast, which a busy
 * server always is: under the end-to-end benchmark ~45 MB of live objects sat in ~200 MB of heap
 * (RSS ~300 MB). Growing by 2× keeps RSS near 210 MB at the same throughput (measured, see
 * docs/performance.md); unlike `--max-old-space-size` it sets no ceiling, so a burst of large
 * requests can never end in an out-of-memory crash.
 */
export const HEAP_GROWING_PERCENT = 100;

/**
 * Applies HEAP_GROWING_PERCENT to this process, unless it was started with heap flags of its own
 * (`node --heap-growing-percent=… bin/tapback.js`, `--max-old-space-size`, …), which win. The
 * factor is read at every full GC, so setting it at start-up takes effect from the first one.
 */
export function applyHeapGrowth(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((arg) => /^--(heap-growing-percent|max-old-space-size|max-heap-size)\b/.test(arg))) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
