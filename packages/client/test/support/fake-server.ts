import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type FakeHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  recorded: RecordedRequest,
  index: number,
) => void | Promise<void>;

export interface FakeServer {
  url: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * A loopback HTTP server whose every answer is scripted by the test: errors on purpose, hangs,
 * dropped connections, or forwarding to a real Tapback server.
 */
export async function startFakeServer(handler: FakeHandler): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      void Promise.resolve(handler(req, res, recorded, requests.length - 1)).catch((error: unknown) => {
        res.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers with a JSON body shaped like Tapback's errors. */
export function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ status: 'ERROR', message, code, error_code: null, error_message: message });
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
}

/** Passes a recorded request on to `target` and returns its answer without replying. */
export async function forward(
  recorded: RecordedRequest,
  target: string,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(recorded.headers)) {
    if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name)) headers[name] = value;
  }
  const upstream = await fetch(target + recorded.url, {
    method: recorded.method,
    headers,
    body: recorded.method === 'GET' ? undefined : recorded.body,
  });
  const out: Record<string, string> = {};
  upstream.headers.forEach((value, name) => {
    if (!['connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(name)) out[name] = value;
  });
  return { status: upstream.status, headers: out, body: await upstream.text() };
}

/** Forwards to `target` and relays the answer. */
export async function relay(res: ServerResponse, recorded: RecordedRequest, target: string): Promise<void> {
  const answer = await forward(recorded, target);
  res.writeHead(answer.status, answer.headers).end(answer.body);
}
