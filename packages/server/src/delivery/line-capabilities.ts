import type { Line } from '../domain/account.js';
import type { Service } from '../domain/message.js';
import type { LinesPort } from '../store/ports/lines-port.js';
import type { LookupCache } from './lookup-cache.js';
import type { ProviderHost } from './provider-host.js';

/** How long a provider's lookup, typing or mark-read call may take before the request gives up on it. */
const CALL_TIMEOUT_MS = 5000;

/**
 * What the routes ask of a line's network beyond sending: which service reaches a number,
 * showing a typing indicator, and marking a conversation read. A provider offers each as an optional capability; where the line's
 * provider runs in another process (an API-only process), the answer follows from its kind.
 */
export class LineCapabilities {
  constructor(
    private readonly deps: {
      store: Pick<LinesPort, 'listLines' | 'findLine'>;
      providers: ProviderHost;
      /** The sandbox's answer, for sandbox lines whose provider does not run here. */
      sandboxService: (number: string) => Service;
      /** Answers kept from earlier lookups (routing shares it); every call asks without it. */
      lookupCache?: LookupCache;
    },
  ) {}

  /**
   * The service that reaches `number` from the account's lines: the first line whose provider can
   * look it up decides; a sandbox line answers by the sandbox table; an SMS-only network (SMPP)
   * reaches every number by SMS.
   */
  async lookupService(accountId: number, number: string): Promise<Service> {
    const lines = await this.deps.store.listLines(accountId);
    for (const line of lines) {
      const provider = this.deps.providers.resolve(line.number, line.provider);
      if ('lookup' in provider && provider.lookup !== undefined) {
        const signal = AbortSignal.timeout(CALL_TIMEOUT_MS);
        const cache = this.deps.lookupCache;
        if (cache === undefined) return (await provider.lookup(number, signal)).service;
        return cache.lookup(line.number, number, (n, s) => provider.lookup!(n, s), signal);
      }
    }
    const sandbox = lines.length === 0 || lines.some((l) => l.provider === 'sandbox');
    return sandbox ? this.deps.sandboxService(number) : 'SMS';
  }

  /** Shows a typing indicator from `line` to `to`, or says the line's network has none. */
  async showTyping(line: string, to: string): Promise<'shown' | 'unavailable'> {
    const found: Line | undefined = await this.deps.store.findLine(line);
    if (found === undefined) return 'unavailable';
    const provider = this.deps.providers.resolve(line, found.provider);
    if ('typing' in provider && provider.typing !== undefined) {
      await provider.typing({ from: line, to }, AbortSignal.timeout(CALL_TIMEOUT_MS));
      return 'shown';
    }
    // The sandbox shows nothing to anyone: accepted wherever its provider runs.
    return found.provider === 'sandbox' ? 'shown' : 'unavailable';
  }

  /** Marks the conversation of `line` with `to` read on the line's network, or says it cannot. */
  async markRead(line: string, to: string): Promise<'marked' | 'unavailable'> {
    const found: Line | undefined = await this.deps.store.findLine(line);
    if (found === undefined) return 'unavailable';
    const provider = this.deps.providers.resolve(line, found.provider);
    if ('markRead' in provider && provider.markRead !== undefined) {
      await provider.markRead({ from: line, to }, AbortSignal.timeout(CALL_TIMEOUT_MS));
      return 'marked';
    }
    // The sandbox has no one to show a read receipt to: accepted wherever its provider runs.
    return found.provider === 'sandbox' ? 'marked' : 'unavailable';
  }
}
