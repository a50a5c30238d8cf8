import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/**
 * A landscape picture (sky, sun, hills) as an RGB PNG of `width`×`height`, drawn in code so
 * screenshots show a real-looking photo without a binary fixture.
 */
export function landscapePng(width = 480, height = 320): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const t = y / height;
      let [r, g, b] = [80 + 175 * t, 140 + 70 * t, 230 - 60 * t];
      const sun = Math.hypot(x - width * 0.7, y - height * 0.35);
      if (sun < height * 0.12) [r, g, b] = [255, 214, 120];
      const hill1 = height * (0.62 + 0.06 * Math.sin(x / 40));
      const hill2 = height * (0.75 + 0.05 * Math.sin(x / 25 + 1));
      if (y > hill1) [r, g, b] = [70, 120 - 20 * t, 90];
      if (y > hill2) [r, g, b] = [40, 85, 60];
      row.set([Math.round(r), Math.round(g), Math.round(b)], 1 + x * 3);
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
