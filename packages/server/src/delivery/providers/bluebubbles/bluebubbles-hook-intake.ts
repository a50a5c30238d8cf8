import type { Logger } from 'pino';
import type { LinesPort } from '../../../store/ports/lines-port.js';
import type { NetworkChatsPort } from '../../../store/ports/network-chats-port.js';
import type { ProviderEvents } from '../provider.js';
import { BlueBubblesClient } from './bluebubbles-client.js';
import {
  type ApplyDeps,
  type BlueBubblesEffect,
  applyBlueBubblesEffects,
  mapBlueBubblesEvent,
} from './bluebubbles-events.js';
import { type BlueBubblesSettings, parseBlueBubblesSettings } from './bluebubbles-settings.js';
import { isBlueBubblesWebhookToken } from './bluebubbles-webhook-token.js';

export interface BlueBubblesHookDeps {
  store: Pick<LinesPort, 'listLineConfigs'> & Pick<NetworkChatsPort, 'noteLineWebhook'>;
  /** Where the effects go: the store, through the network intake (any process has one). */
  events: ProviderEvents;
  saveMedia: ApplyDeps['saveMedia'];
  logger: Logger;
  now(): number;
}

/**
 * A BlueBubbles webhook request, in whichever process it lands: the token in its path names the
 * line (bluebubbles-webhook-token.ts), the event is mapped and applied through the store. It needs
 * no live provider: what the event leaves out (a group's participants, an attachment's bytes) is
 * fetched from the line's server with the line's stored settings.
 */
export class BlueBubblesHooks {
  constructor(private readonly deps: BlueBubblesHookDeps) {}

  /** `unknown_token` when no BlueBubbles line has `token`: nothing is applied. */
  async handle(token: string, event: { type: string; data: unknown }): Promise<'applied' | 'unknown_token'> {
    const lines = await this.blueBubblesLines();
    const line = lines.find((l) => isBlueBubblesWebhookToken(token, l.number, l.settings.password));
    if (line === undefined) return 'unknown_token';
    const now = this.deps.now();
    await this.deps.store.noteLineWebhook(line.number, now);
    // Every line on the server has its own webhook and hears every event: each applies its own part.
    const sameServer = lines.filter((l) => l.settings.url === line.settings.url).map((l) => l.number);
    const effects = mapBlueBubblesEvent(event, { lines: sameServer.sort() }).filter((e) => lineOf(e) === line.number);
    if (effects.length === 0) return 'applied';
    const client = new BlueBubblesClient({
      url: line.settings.url,
      password: line.settings.password,
      timeoutMs: line.settings.timeoutSeconds * 1000,
    });
    await applyBlueBubblesEffects(effects, {
      events: this.deps.events,
      client,
      saveMedia: this.deps.saveMedia,
      logger: this.deps.logger,
      signal: AbortSignal.timeout(line.settings.timeoutSeconds * 1000),
    });
    return 'applied';
  }

  private async blueBubblesLines(): Promise<{ number: string; settings: BlueBubblesSettings }[]> {
    const out: { number: string; settings: BlueBubblesSettings }[] = [];
    for (const config of await this.deps.store.listLineConfigs()) {
      if (config.provider !== 'bluebubbles') continue;
      try {
        out.push({ number: config.number, settings: parseBlueBubblesSettings(config.settings) });
      } catch {
        // A line with invalid settings has no provider either; its webhooks are unknown.
      }
    }
    return out;
  }
}

function lineOf(effect: BlueBubblesEffect): string {
  switch (effect.kind) {
    case 'receipt':
      return effect.receipt.line;
    case 'inbound':
      return effect.inbound.line;
    case 'typing':
      return effect.typing.line;
    case 'rename':
      return effect.rename.line;
    case 'members':
      return effect.line;
  }
}
