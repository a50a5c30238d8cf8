import SendblueAPI from 'sendblue';
import { Agent } from 'undici';

type AccountEvent = SendblueAPI.AccountEvent;
type EventStream = Awaited<ReturnType<SendblueAPI['events']['stream']>>;

/**
 * Reads an account events stream through the official SDK in the background, so a test can act
 * and then wait for the events its actions cause.
 */
export class SdkEventReader {
  readonly events: AccountEvent[] = [];
  /** Settles when the server ends the stream (or it fails: the error is kept). */
  readonly done: Promise<void>;
  error: unknown;
  private wake: () => void = () => undefined;

  private constructor(private readonly stream: EventStream) {
    this.done = (async () => {
      try {
        for await (const event of stream) {
          this.events.push(event);
          this.wake();
        }
      } catch (error) {
        this.error = error;
      }
      this.wake();
    })();
  }

  static async open(client: SendblueAPI, query: { types?: string } = {}): Promise<SdkEventReader> {
    return new SdkEventReader(await client.events.stream(query));
  }

  /** The events seen once `predicate` holds for them; fails after `timeoutMs`. */
  async until(predicate: (events: AccountEvent[]) => boolean, timeoutMs = 10_000): Promise<AccountEvent[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (predicate(this.events)) return this.events;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; events so far: ${JSON.stringify(this.events.map((e) => e.type))}`);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => (this.wake = resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, left))),
        this.done,
      ]);
      clearTimeout(timer);
    }
  }

  close(): void {
    this.stream.controller.abort();
  }
}

/** The raw text of an events stream read with `fetch`, for what the SDK hides (ids, comments). */
export class RawEventReader {
  text = '';
  readonly done: Promise<void>;
  private wake: () => void = () => undefined;

  private constructor(
    readonly response: Response,
    private readonly controller: AbortController,
  ) {
    this.done = (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
          this.text += decoder.decode(chunk, { stream: true });
          this.wake();
        }
      } catch {
        // Aborted by the test.
      }
      this.wake();
    })();
  }

  static async open(agent: Agent, url: string, auth: Record<string, string>, query = ''): Promise<RawEventReader> {
    const controller = new AbortController();
    const response = await fetch(`${url}/api/v2/events${query}`, {
      headers: { ...auth, accept: 'text/event-stream' },
      signal: controller.signal,
      ...onAgent(agent),
    });
    return new RawEventReader(response, controller);
  }

  async until(predicate: (text: string) => boolean, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (predicate(this.text)) return this.text;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; stream so far: ${this.text.slice(-500)}`);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => (this.wake = resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, left))),
        this.done,
      ]);
      clearTimeout(timer);
    }
  }

  close(): void {
    this.controller.abort();
  }
}

/**
 * The HTTP connections of one test's clients. undici keeps a spare connection open that never
 * carries a request, and a server's graceful close waits for it: destroy the agent first.
 */
export function testAgent(): Agent {
  return new Agent();
}

/** The official SDK on `agent`, retries off (a 429 must reach the test). */
export function sdkClient(agent: Agent, baseURL: string, apiKey: string, apiSecret: string): SendblueAPI {
  return new SendblueAPI({
    apiKey,
    apiSecret,
    baseURL,
    maxRetries: 0,
    fetchOptions: onAgent(agent) as never,
  });
}

/** Request options that send a `fetch` through `agent` (Node's fetch takes undici's `dispatcher`). */
export function onAgent(agent: Agent): RequestInit {
  return { dispatcher: agent } as unknown as RequestInit;
}
