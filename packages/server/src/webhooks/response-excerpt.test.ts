import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EXCERPT_BYTES, decodeExcerpt, readExcerpt } from './response-excerpt.js';

describe('response excerpt', () => {
  it('decodes UTF-8, dropping a character cut at the end', () => {
    const text = 'a'.repeat(EXCERPT_BYTES - 1) + '\u00e9';
    const bytes = Buffer.from(text).subarray(0, EXCERPT_BYTES);
    expect(decodeExcerpt(bytes)).toBe('a'.repeat(EXCERPT_BYTES - 1));
  });

  it('replaces invalid bytes and NUL, and stays within the byte limit', () => {
    expect(decodeExcerpt(Buffer.from([0x61, 0xff, 0x00, 0x62]))).toBe('a\uFFFD\uFFFDb');
    const invalid = Buffer.alloc(EXCERPT_BYTES, 0xff);
    const decoded = decodeExcerpt(invalid);
    expect(Buffer.byteLength(decoded)).toBeLessThanOrEqual(EXCERPT_BYTES);
    expect(decoded).toMatch(/^\uFFFD+$/);
  });

  it('stops reading once the excerpt is full and destroys the rest', async () => {
    let pulled = 0;
    const body = new Readable({
      read() {
        pulled++;
        this.push(Buffer.alloc(600, 0x78));
      },
    });
    expect(await readExcerpt(body)).toBe('x'.repeat(EXCERPT_BYTES));
    expect(body.destroyed).toBe(true);
    expect(pulled).toBeLessThan(10);
  });

  it('keeps what came before the body failed', async () => {
    async function* failing() {
      yield Buffer.from('partial');
      throw new Error('reset');
    }
    expect(await readExcerpt(failing())).toBe('partial');
  });
});
