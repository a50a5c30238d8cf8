import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ArrivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An answer with a body; `hold`: write the body and never end the response. */
export interface BodyAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string;
  hold?: boolean;
}

export interface BodyReceiver {
  url: string;
  arrived: ArrivedRequest[];
  close(): Promise<void>;
}

/** A loopback HTTP receiver whose answers carry bodies (webhook-receiver.ts answers with none). */
export async function startBodyReceiver(answer: (path: string) => BodyAnswer): Promise<BodyReceiver> {
  const arrived: ArrivedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      arrived.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString() });
      const a = answer(path);
      res.writeHead(a.status, a.headers ?? {});
      // Held: chunked and never ended, so the connection stays open until the sender lets go.
      if (a.hold === true) res.write(a.body);
      else res.end(a.body);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    arrived,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
