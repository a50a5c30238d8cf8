import type { Logger } from 'pino';
import type { LineEventMode, NetworkChatsPort } from '../../../store/ports/network-chats-port.js';
import type { ProviderEvents } from '../provider.js';
import type { BlueBubblesClient } from './bluebubbles-client.js';
import { type ApplyDeps, applyBlueBubblesEffects, mapBlueBubblesMessage } from './bluebubbles-events.js';
import { ensureBlueBubblesWebhook } from './bluebubbles-webhook-registration.js';
import { blueBubblesWebhookUrl } from './bluebubbles-webhook-token.js';
import type { BbMessage, BbMessageQuery } from './bluebubbles-wire.js';

/** How far back each poll looks (by creation date): delivery and error updates of messages this recent are seen. */
export const POLL_LOOKBACK_MS = 10 * 60_000;
/** Messages the first poll after a connect reads (the newest), to catch up on what was missed while away. */
const FIRST_POLL_LIMIT = 100;
const PAGE_LIMIT = 1000;
/** How soon registration is tried again while the public URL is not known yet. */
const URL_WAIT_MS = 100;

export interface PollerDeps {
  client: Pick<
    BlueBubblesClient,
    'queryMessages' | 'listWebhooks' | 'createWebhook' | 'deleteWebhook' | 'getChat' | 'downloadAttachment'
  >;
  events: ProviderEvents;
  /** The BlueBubbles password: the webhook tokens derive from it. */
  password: string;
  lines(): readonly string[];
  /** Tapback's public base URL; undefined until it is known (the server not listening yet). */
  publicUrl(): string | undefined;
  pollMs: number;
  store: Pick<NetworkChatsPort, 'setLineEventMode' | 'listLineEventSources'>;
  saveMedia: ApplyDeps['saveMedia'];
  logger: Logger;
  now(): number;
}

/**
 * Keeps a BlueBubbles server's events flowing for its lines, every `pollMs`:
 *
 * 1. makes sure each line's webhook is registered (again, after the server lost it);
 * 2. reads the messages created in the last `POLL_LOOKBACK_MS` and applies those that are new or
 *    changed since it last saw them, through the same mapping as webhooks (every effect is
 *    idempotent, so one applied twice, by a webhook and by a poll, changes nothing the second time);
 * 3. decides each line's mode. `polling` when its webhook could not be registered, or when a poll
 *    found a change and no webhook for the line arrived within one poll interval either side of it
 *    (the server cannot reach `TAPBACK_PUBLIC_URL`); `webhook` otherwise, and again as soon as a
 *    webhook arrives after such a miss. The mode only says which path delivers: polling runs in
 *    both, so events arrive within one interval even when webhooks stopped unnoticed.
 */
export class BlueBubblesPoller {
  /** Each message's guid → what was last applied of it. */
  private readonly seen = new Map<string, string>();
  /** The newest creation date seen: the next poll's window ends here minus the lookback. */
  private cursor: number | undefined;
  /** When the previous poll found changes (not counting a catch-up or a fresh registration). */
  private changesAt: number | null = null;
  /** Per line: when a change no webhook delivered was found. */
  private readonly missedAt = new Map<string, number>();
  private readonly modes = new Map<string, string>();

  constructor(private readonly deps: PollerDeps) {}

  /**
   * One round: registration, poll, modes. Never throws for the server's failures (they are
   * logged). Returns whether registration waits for the public URL (then the next round is soon).
   */
  async tick(signal: AbortSignal): Promise<boolean> {
    const lines = [...this.deps.lines()].sort();
    if (lines.length === 0) return false;
    const refused = new Map<string, string>();
    let registered = false;
    const publicUrl = this.deps.publicUrl();
    for (const line of lines) {
      if (publicUrl === undefined) {
        refused.set(line, 'no public URL to register a webhook with yet');
        continue;
      }
      const url = blueBubblesWebhookUrl(publicUrl, line, this.deps.password);
      const result = await ensureBlueBubblesWebhook(this.deps.client, { line, url }, signal);
      if (result.kind === 'refused') refused.set(line, result.reason);
      else if (result.kind !== 'present') {
        registered = true;
        this.deps.logger.info({ line, result: result.kind }, 'BlueBubbles webhook registered');
      }
    }
    const firstPoll = this.cursor === undefined;
    let changed = false;
    try {
      changed = await this.poll(lines, signal);
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'polling BlueBubbles for messages failed');
    }
    // Before the server listens there is nothing to decide: no webhook could have been registered.
    if (publicUrl !== undefined) await this.decideModes(lines, refused);
    this.changesAt = changed && !firstPoll && !registered ? this.deps.now() : null;
    return publicUrl === undefined;
  }

  /** Runs `tick` every `pollMs` until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const waiting = await this.tick(signal).catch((error: unknown) => {
        this.deps.logger.error({ err: error }, 'a BlueBubbles event round failed');
        return false;
      });
      // The server connects its providers before it listens: the URL is known moments later.
      await sleep(waiting ? Math.min(this.deps.pollMs, URL_WAIT_MS) : this.deps.pollMs, signal);
    }
  }

  /** Reads and applies what changed; whether anything did. */
  private async poll(lines: string[], signal: AbortSignal): Promise<boolean> {
    const base: BbMessageQuery = { with: ['chat', 'chat.participants', 'attachment', 'handle'] };
    const messages: BbMessage[] = [];
    if (this.cursor === undefined) {
      const page = await this.deps.client.queryMessages({ ...base, sort: 'DESC', limit: FIRST_POLL_LIMIT }, signal);
      messages.push(...page.messages.reverse());
    } else {
      const after = this.cursor - POLL_LOOKBACK_MS;
      for (let offset = 0; ; offset += PAGE_LIMIT) {
        const page = await this.deps.client.queryMessages(
          { ...base, after, sort: 'ASC', offset, limit: PAGE_LIMIT },
          signal,
        );
        messages.push(...page.messages);
        if (page.messages.length < PAGE_LIMIT) break;
      }
    }
    let changed = false;
    const deps: ApplyDeps = {
      events: this.deps.events,
      client: this.deps.client,
      saveMedia: this.deps.saveMedia,
      logger: this.deps.logger,
      signal,
    };
    this.cursor ??= 0;
    for (const message of messages) {
      this.cursor = Math.max(this.cursor, message.dateCreated ?? 0);
      const print = fingerprint(message);
      if (this.seen.get(message.guid) === print) continue;
      await applyBlueBubblesEffects(mapBlueBubblesMessage(message, { lines }), deps);
      this.seen.set(message.guid, print);
      changed = true;
    }
    this.forgetOld();
    return changed;
  }

  private async decideModes(lines: string[], refused: Map<string, string>): Promise<void> {
    const sources = new Map((await this.deps.store.listLineEventSources(lines)).map((s) => [s.line, s]));
    for (const line of lines) {
      const lastWebhookAt = sources.get(line)?.lastWebhookAt ?? null;
      const heard = (at: number): boolean => lastWebhookAt !== null && lastWebhookAt >= at - this.deps.pollMs;
      if (this.changesAt !== null && !heard(this.changesAt)) this.missedAt.set(line, this.changesAt);
      const missed = this.missedAt.get(line);
      if (missed !== undefined && heard(missed)) this.missedAt.delete(line);
      let mode: LineEventMode = 'webhook';
      let detail: string | null = null;
      const reason = refused.get(line);
      if (reason !== undefined) {
        mode = 'polling';
        detail = reason;
      } else if (this.missedAt.has(line)) {
        mode = 'polling';
        detail = `a change on the BlueBubbles server reached Tapback only by polling (no webhook within ${this.deps.pollMs} ms)`;
      }
      const key = `${mode}\u0000${detail ?? ''}`;
      if (this.modes.get(line) === key && sources.get(line)?.mode === mode) continue;
      await this.deps.store.setLineEventMode({ line, mode, detail, now: this.deps.now() });
      if (this.modes.get(line)?.split('\u0000')[0] !== mode) {
        this.deps.logger.info({ line, mode, detail }, 'BlueBubbles events now arrive by %s', mode);
      }
      this.modes.set(line, key);
    }
  }

  /** Messages past the lookback window are never read again: their fingerprints can go. */
  private forgetOld(): void {
    if (this.seen.size <= 10 * PAGE_LIMIT) return;
    const keep = [...this.seen.entries()].slice(-5 * PAGE_LIMIT);
    this.seen.clear();
    for (const [k, v] of keep) this.seen.set(k, v);
  }
}

/** What of a message Tapback maps: a change in any of these is applied again. */
function fingerprint(m: BbMessage): string {
  return [
    m.error,
    m.dateDelivered ?? 0,
    m.dateRead ?? 0,
    m.itemType,
    m.groupTitle ?? '',
    m.attachments?.length ?? 0,
  ].join('|');
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
