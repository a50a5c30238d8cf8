import pg from 'pg';

/** The channel the jobs table's trigger notifies (see migrations/0001_init.sql). */
const CHANNEL = 'tapback_jobs';
const RECONNECT_MS = 1000;

/**
 * LISTEN on a dedicated connection (a pooled one would be handed to other queries) and fan each
 * notification out to the subscribers. Connects on the first subscription. When the connection
 * breaks it reconnects after a second, and tells subscribers once it is back, since jobs may
 * have arrived meanwhile; the worker's polling covers the gap either way.
 */
export class JobListener {
  private readonly listeners = new Set<() => void>();
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly url: string) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    this.connecting ??= this.connect();
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.connecting?.catch(() => undefined);
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', () => this.emit());
    client.on('error', () => this.reconnect(client));
    client.on('end', () => this.reconnect(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch {
      this.reconnect(client);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.emit();
  }

  private reconnect(client: pg.Client): void {
    if (this.closed || (this.client !== undefined && this.client !== client)) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.connecting = this.connect();
    }, RECONNECT_MS);
    this.timer.unref();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
