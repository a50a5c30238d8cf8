import { describe, expect, it } from 'vitest';
import { applyHeapGrowth } from './heap-growth.js';

describe('applyHeapGrowth', () => {
  it('leaves the heap to flags the process was started with', () => {
    for (const flag of ['--heap-growing-percent=300', '--max-old-space-size=512', '--max-heap-size=600']) {
      expect(applyHeapGrowth(['--enable-source-maps', flag])).toBe(false);
    }
  });

  it('sets the growth factor otherwise (accepted by V8 at run time)', () => {
    expect(applyHeapGrowth(['--enable-source-maps', '--max-semi-space-size=16'])).toBe(true);
  });
});
