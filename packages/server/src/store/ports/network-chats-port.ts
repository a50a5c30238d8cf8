/** How a line's network events arrive: pushed by webhooks, or polled for. */
export type LineEventMode = 'webhook' | 'polling';

export interface LineEventSource {
  line: string;
  mode: LineEventMode;
  /** Why the mode was chosen (a refused registration, an event no webhook delivered). */
  detail: string | null;
  changedAt: number;
  /** The last webhook the line's network delivered; null before the first. */
  lastWebhookAt: number | null;
}

/**
 * What a line's network (BlueBubbles) tells Tapback beyond messages: which Tapback group each of
 * its group chats is, and how its events arrive. Shared by every process, so a webhook landing on
 * any of them and the poller in another agree.
 */
export interface NetworkChatsPort {
  /** The Tapback group mapped to the line's network chat, or undefined. */
  findNetworkChat(line: string, chatId: string): Promise<string | undefined>;
  /** The network chat mapped to the line's group, or undefined (the reverse of `findNetworkChat`). */
  findNetworkChatOfGroup(line: string, groupId: string): Promise<string | undefined>;
  /**
   * Maps the line's network chat to `groupId` unless it is mapped already; returns the group it is
   * mapped to (the first mapping wins, so two processes racing agree).
   */
  linkNetworkChat(input: {
    line: string;
    chatId: string;
    accountId: number;
    groupId: string;
    now: number;
  }): Promise<string>;
  /** Records the line's mode; `changedAt` moves only when the mode changes. */
  setLineEventMode(input: { line: string; mode: LineEventMode; detail: string | null; now: number }): Promise<void>;
  /** Notes a webhook from the line's network at `now` (a line without a mode yet is in webhook mode). */
  noteLineWebhook(line: string, now: number): Promise<void>;
  /** The recorded sources of these lines (every line's when absent). */
  listLineEventSources(lines?: readonly string[]): Promise<LineEventSource[]>;
}
