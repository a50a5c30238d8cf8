import type { Line } from '../domain/account.js';
import type { Service } from '../domain/message.js';
import type { LinesPort } from '../store/ports/lines-port.js';
import type { ProviderHost } from './provider-host.js';

/** How long a provider's lookup or typing call may take before the request gives up on it. */
const CALL_TIMEOUT_MS = 5000;

/**
 * What the routes ask of a line's network beyond sending: which service reaches a number, and
 * showing a typing indicator. A provider offers each as an optional capability; where the line's
 * provider runs in another process (an API-only process), the answer follows from its kind.
 */
export class LineCapabilities {
  constructor(
    private readonly deps: {
      store: Pick<LinesPort, 'listLines' | 'findLine'>;
      providers: ProviderHost;
      /** The sandbox's answer, for sandbox lines whose provider does not run here. */
      sandboxService: (number: string) => Service;
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
        return (await provider.lookup(number, AbortSignal.timeout(CALL_TIMEOUT_MS))).service;
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
}
