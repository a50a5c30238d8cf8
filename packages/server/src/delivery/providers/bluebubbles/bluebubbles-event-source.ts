import type { NetworkChatsPort } from '../../../store/ports/network-chats-port.js';
import type { ApplyDeps } from './bluebubbles-events.js';
import { BlueBubblesPoller } from './bluebubbles-poller.js';
import type {
  BlueBubblesEventSource,
  BlueBubblesGroupChats,
  StartBlueBubblesEventSource,
} from './bluebubbles-provider.js';

export interface BlueBubblesEventsDeps {
  store: Pick<NetworkChatsPort, 'setLineEventMode' | 'listLineEventSources'>;
  /** Tapback's public base URL (`TAPBACK_PUBLIC_URL`, else where it listens); undefined before it listens. */
  publicUrl(): string | undefined;
  /** `TAPBACK_BLUEBUBBLES_POLL_MS`. */
  pollMs: number;
  saveMedia: ApplyDeps['saveMedia'];
}

/**
 * How a connected BlueBubbles provider hears back: each line's webhook registered, and the poller
 * (bluebubbles-poller.ts) started at once, checking the webhooks and standing in for them. Webhook
 * requests themselves land on any Tapback process (api/routes/network-webhooks.ts).
 */
export function blueBubblesEvents(deps: BlueBubblesEventsDeps): StartBlueBubblesEventSource {
  return (context): BlueBubblesEventSource => {
    const poller = new BlueBubblesPoller({
      client: context.client,
      events: context.events,
      password: context.settings.password,
      lines: context.lines,
      publicUrl: deps.publicUrl,
      pollMs: deps.pollMs,
      store: deps.store,
      saveMedia: deps.saveMedia,
      logger: context.logger.child({ component: 'bluebubbles-events' }),
      now: context.now,
    });
    const stopping = new AbortController();
    const signal = AbortSignal.any([stopping.signal, context.signal]);
    const done = poller.run(signal);
    return {
      stop: async () => {
        stopping.abort();
        await done;
      },
    };
  };
}

/** The chats Tapback's groups are on the Mac, kept with the chats mapped from inbound messages. */
export function blueBubblesGroupChats(
  store: Pick<NetworkChatsPort, 'findNetworkChatOfGroup' | 'linkNetworkChat'> & {
    findLine(number: string): Promise<{ accountId: number } | undefined>;
  },
  now: () => number,
): BlueBubblesGroupChats {
  return {
    chatGuidOf: ({ line, groupId }) => store.findNetworkChatOfGroup(line, groupId),
    remember: async ({ line, groupId, chatGuid }) => {
      const owner = await store.findLine(line);
      if (owner === undefined) return;
      await store.linkNetworkChat({ line, chatId: chatGuid, accountId: owner.accountId, groupId, now: now() });
    },
  };
}
