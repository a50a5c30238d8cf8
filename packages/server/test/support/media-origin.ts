import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A tiny valid PNG (1x1), for media tests. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

export interface MediaOrigin {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Requests served, by path. */
  hits: string[];
  close(): Promise<void>;
}

/**
 * A loopback HTTP server playing the media sources Tapback fetches from: `/photo.png` (a PNG),
 * `/page.html` (HTML), `/big.png?bytes=N` (N bytes, with Content-Length), `/stream.png?bytes=N`
 * (N bytes, chunked, no length), `/hang.png` (never answers), `/moved.png` (302 to /photo.png),
 * `/missing.png` (404).
 */
export async function startMediaOrigin(): Promise<MediaOrigin> {
  const hits: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://origin');
    hits.push(url.pathname);
    const bytes = Number(url.searchParams.get('bytes') ?? '0');
    switch (url.pathname) {
      case '/photo.png':
      case '/team photo.png':
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length }).end(PNG);
        return;
      case '/page.html':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<script>alert(1)</script>');
        return;
      case '/big.png':
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': bytes }).end(Buffer.alloc(bytes));
        return;
      case '/stream.png': {
        res.writeHead(200, { 'content-type': 'image/png' });
        for (let sent = 0; sent < bytes; sent += 256) res.write(Buffer.alloc(Math.min(256, bytes - sent)));
        res.end();
        return;
      }
      case '/hang.png':
        return;
      case '/moved.png':
        res.writeHead(302, { location: '/photo.png' }).end();
        return;
      default:
        res.writeHead(404).end();
    }
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
