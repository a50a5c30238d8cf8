import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { EventStream, MAX_BUFFERED_BYTES } from './events.js';

/** A response whose client never reads: everything written stays buffered. */
class StalledResponse extends EventEmitter {
  writableLength = 0;
  written = 0;
  destroyed = false;
  ended = false;
  writeHead(): this {
    return this;
  }
  // Corked writes still count in writableLength, as in a real response.
  cork(): void {}
  uncork(): void {}
  write(chunk: string): boolean {
    this.writableLength += Buffer.byteLength(chunk);
    this.written += Buffer.byteLength(chunk);
    return false;
  }
  end(): void {
    this.ended = true;
  }
  destroy(): void {
    this.destroyed = true;
    this.writableLength = 0;
  }
}

describe('an event stream whose client falls behind', () => {
  it('is dropped once its buffer passes the bound, so memory stays bounded and the client repairs', () => {
    const raw = new StalledResponse();
    let removed = 0;
    const stream = new EventStream(raw as unknown as ServerResponse, undefined, undefined);
    stream.start({ heartbeatMs: 60_000, endAfterMs: 60_000, onEnd: () => removed++ });
    const data = { note: 'x'.repeat(1000) };
    let delivered = 0;
    while (!stream.ended && delivered < 10_000) {
      stream.deliver({ id: `e${delivered}`, accountId: 1, type: 'contact.created', occurredAt: 0, data });
      delivered++;
    }
    expect(stream.ended).toBe(true);
    expect(raw.destroyed).toBe(true);
    expect(removed).toBe(1);
    // Dropped by the first event past the bound, not later.
    expect(raw.written).toBeGreaterThan(MAX_BUFFERED_BYTES);
    expect(raw.written).toBeLessThan(MAX_BUFFERED_BYTES + 2_000);
  });
});
