import pg from 'pg';

/**
 * The channels: new jobs and webhook deliveries (migrations/0001_init.sql, 0002_webhooks.sql), and
 * new messages, with their account ids as the payload (0007_message_notify.sql), and live account
 * events (postgres-events.ts).
 */
export const CHANNELS = ['tapback_jobs', 'tapback_messages', 'tapback_events'] as const;
export type Channel = (typeof CHANNELS)[number];
/** What a subscriber gets: the notification's payload, or undefined after a reconnect (anything may have been missed). */
export type ChannelListener = (payload: string | undefined) => void;
const RECONNECT_MS = 1000;

/**
 * LISTEN on a dedicated connection (a pooled one would be handed to other queries) and fan each
 * notification out to its channel's subscribers. Connects on the first subscription. When the
 * connection breaks it reconnects after a second, and tells subscribers once it is back, since
 * jobs or messages may have arrived meanwhile.
 */
export class JobListener {
  private readonly listeners = new Map<Channel, Set<ChannelListener>>(CHANNELS.map((c) => [c, new Set()]));
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly url: string) {}

  subscribe(listener: ChannelListener, channel: Channel = 'tapback_jobs'): () => void {
    this.listeners.get(channel)!.add(listener);
    this.connecting ??= this.connect();
    return () => this.listeners.get(channel)!.delete(listener);
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
    client.on('notification', (n) => {
      if ((CHANNELS as readonly string[]).includes(n.channel)) this.emit(n.channel as Channel, n.payload ?? '');
    });
    client.on('error', () => this.reconnect(client));
    client.on('end', () => this.reconnect(client));
    try {
      await client.connect();
      for (const channel of CHANNELS) await client.query(`LISTEN ${channel}`);
    } catch {
      this.reconnect(client);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    for (const channel of CHANNELS) this.emit(channel, undefined);
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

  private emit(channel: Channel, payload: string | undefined): void {
    for (const listener of this.listeners.get(channel)!) listener(payload);
  }

  /**
   * Calls `listener` with the accounts whose messages any process committed (undefined: possibly
   * any account's, after a reconnect or a notification too large to name them).
   */
  onMessagesStored(listener: (accountIds: readonly number[] | undefined) => void): () => void {
    return this.subscribe((payload) => {
      listener(payload === undefined || payload === '' ? undefined : payload.split(',').map(Number));
    }, 'tapback_messages');
  }
}
