import type { Message, Service } from '../domain/message.js';
import type { LookupCache, LookupFn } from './lookup-cache.js';

/** How long an iMessage send waits for a delivery before it goes by SMS, unless the line says otherwise. */
export const DEFAULT_FALLBACK_AFTER_MS = 60_000;

/** How long routing waits, at send, for a line's network to say which service reaches a number. */
export const SEND_LOOKUP_TIMEOUT_MS = 3000;

/**
 * The services each provider kind's network carries, for where no provider of the kind runs (the
 * CLI, an API-only process). A running provider's own `services` take precedence.
 */
const KIND_SERVICES: Readonly<Record<string, readonly Service[]>> = {
  sandbox: ['iMessage', 'SMS', 'RCS'],
  smpp: ['SMS'],
  bluebubbles: ['iMessage'],
};

export function servicesOfKind(kind: string): readonly Service[] {
  return KIND_SERVICES[kind] ?? [];
}

/** What routing needs of a line: its provider kind and its SMS fallback. */
export interface RouteLine {
  number: string;
  provider: string;
  fallbackLine?: string | null;
  fallbackAfterMs?: number | null;
}

/** Where one send goes, or why it cannot go anywhere. */
export type Route =
  | {
      kind: 'route';
      /** The line whose network carries it: the message's own line, or its SMS fallback line. */
      line: string;
      provider: string;
      service: Service;
      /** Moved from iMessage to SMS because the recipient cannot be reached by iMessage. */
      downgraded: boolean;
      /** Carried by the line's named fallback line (errors name that line). */
      viaFallback: boolean;
    }
  | { kind: 'none'; reason: string };

/** A line and the services its network carries. */
export interface KnownLine {
  line: RouteLine;
  services: readonly Service[];
}

/**
 * The routing rule, for a message from `from` to `to`:
 * - a group, or a line whose network carries no iMessage: over the line itself, as the line's
 *   service (SMS for an SMS-only network);
 * - `recipient` (what a lookup said) SMS: over the SMS route (`smsRouteFor`), downgraded;
 * - `recipient` RCS, on a network that carries RCS: RCS over the line;
 * - otherwise (iMessage, or not known): iMessage over the line. An unknown recipient is tried by
 *   iMessage; a failure that says "not an iMessage user", or the fallback window, moves it to SMS.
 */
export function decideRoute(input: {
  from: KnownLine;
  to: string;
  recipient: Service | undefined;
  /** The line `from.line.fallbackLine` names, when it exists. */
  fallback: KnownLine | undefined;
}): Route {
  const { from, recipient } = input;
  const own = (service: Service): Route => ({
    kind: 'route',
    line: from.line.number,
    provider: from.line.provider,
    service,
    downgraded: false,
    viaFallback: false,
  });
  if (input.to === '') return own(from.services.includes('iMessage') ? 'iMessage' : (from.services[0] ?? 'iMessage'));
  if (!from.services.includes('iMessage')) {
    return own(from.services.includes('SMS') ? 'SMS' : (from.services[0] ?? 'iMessage'));
  }
  if (recipient === 'SMS') return smsRouteFor(input);
  if (recipient === 'RCS' && from.services.includes('RCS')) return own('RCS');
  return own('iMessage');
}

/**
 * Where an SMS from `from` goes: its named fallback line (which must carry SMS), else the line
 * itself when its network carries SMS (a sandbox line is its own fallback), else nowhere.
 */
export function smsRouteFor(input: { from: KnownLine; to: string; fallback: KnownLine | undefined }): Route {
  const { from, fallback } = input;
  const named = from.line.fallbackLine ?? null;
  if (named !== null) {
    if (fallback === undefined) {
      return { kind: 'none', reason: `the SMS fallback line ${named} of line ${from.line.number} no longer exists` };
    }
    if (!fallback.services.includes('SMS')) {
      return { kind: 'none', reason: `the SMS fallback line ${named} of line ${from.line.number} does not carry SMS` };
    }
    return {
      kind: 'route',
      line: fallback.line.number,
      provider: fallback.line.provider,
      service: 'SMS',
      downgraded: from.services.includes('iMessage'),
      viaFallback: true,
    };
  }
  if (from.services.includes('SMS')) {
    return {
      kind: 'route',
      line: from.line.number,
      provider: from.line.provider,
      service: 'SMS',
      downgraded: from.services.includes('iMessage'),
      viaFallback: false,
    };
  }
  return {
    kind: 'none',
    reason: `${input.to} is not an iMessage user and line ${from.line.number} has no SMS fallback`,
  };
}

export interface RouterDeps {
  /** A line's routing settings: the running providers' copy when there is one, else the store's. */
  line(number: string): Promise<RouteLine | undefined>;
  /** The provider running `line` in this process, if any. */
  provider(line: string, kind: string): { services: readonly Service[]; lookup?: LookupFn } | undefined;
  cache: LookupCache;
  /** An answer known without a network round trip (the sandbox's table); undefined otherwise. */
  instantService?(kind: string, number: string): Service | undefined;
  /** How long a send waits for a lookup; default SEND_LOOKUP_TIMEOUT_MS. */
  lookupTimeoutMs?: number;
}

/**
 * Routing of outbound messages (decideRoute) with what it needs looked up: the lines' settings,
 * their networks' services and the recipients' services, through the lookup cache.
 */
export class Router {
  constructor(private readonly deps: RouterDeps) {}

  /**
   * The service (and downgrade) a QUEUED message from `line` to `to` shows, decided without
   * waiting on a network: a cached lookup, or the sandbox's table; else the line's first service.
   * Undefined for a line routing does not know (the draft keeps its own).
   */
  async atAccept(line: string, to: string): Promise<{ service: Service; wasDowngraded: boolean | null } | undefined> {
    const route = await this.route(line, to, 'instant');
    if (route === undefined || route.kind === 'none') return undefined;
    return { service: route.service, wasDowngraded: route.downgraded ? true : null };
  }

  /**
   * Where this attempt of `message` goes. A message already moved to SMS goes by its SMS route;
   * otherwise the recipient is looked up (cached, or asked of the line's network with a short
   * deadline; a lookup that fails or times out counts as unknown).
   */
  async forSend(message: Message): Promise<Route> {
    if (message.service === 'SMS' && message.wasDowngraded === true) return this.smsRoute(message);
    const route = await this.route(message.sendblueNumber, message.toNumber, 'lookup');
    return route ?? { kind: 'none', reason: `line ${message.sendblueNumber} no longer exists` };
  }

  /** Where `message` goes by SMS (after a failure or the fallback window). */
  async smsRoute(message: Message): Promise<Route> {
    const from = await this.known(message.sendblueNumber);
    if (from === undefined) return { kind: 'none', reason: `line ${message.sendblueNumber} no longer exists` };
    return smsRouteFor({ from, to: message.toNumber, fallback: await this.fallbackOf(from.line) });
  }

  /**
   * The fallback window of an iMessage send of `message` over its own line, in ms; undefined when
   * the message has no SMS route to fall back to.
   */
  async windowOf(message: Message): Promise<number | undefined> {
    if (message.toNumber === '') return undefined;
    const from = await this.known(message.sendblueNumber);
    if (from === undefined) return undefined;
    const sms = smsRouteFor({ from, to: message.toNumber, fallback: await this.fallbackOf(from.line) });
    return sms.kind === 'route' ? (from.line.fallbackAfterMs ?? DEFAULT_FALLBACK_AFTER_MS) : undefined;
  }

  /** Remembers what a send taught: the recipient cannot be reached by `service` from `line`. */
  learn(line: string, number: string, service: Service): void {
    this.deps.cache.learn(line, number, service);
  }

  /** What a line's network says reaches `number`, through the cache (`instant`: no network call). */
  async recipientService(line: RouteLine, number: string, mode: 'instant' | 'lookup'): Promise<Service | undefined> {
    const cached = this.deps.cache.peek(line.number, number);
    if (cached !== undefined) return cached;
    const instant = this.deps.instantService?.(line.provider, number);
    if (instant !== undefined) return instant;
    if (mode === 'instant') return undefined;
    const provider = this.deps.provider(line.number, line.provider);
    if (provider?.lookup === undefined) return undefined;
    const lookup: LookupFn = (n, signal) => provider.lookup!(n, signal);
    try {
      const timeout = AbortSignal.timeout(this.deps.lookupTimeoutMs ?? SEND_LOOKUP_TIMEOUT_MS);
      return await this.deps.cache.lookup(line.number, number, lookup, timeout);
    } catch {
      return undefined;
    }
  }

  private async route(line: string, to: string, mode: 'instant' | 'lookup'): Promise<Route | undefined> {
    const from = await this.known(line);
    if (from === undefined) return undefined;
    const recipient =
      to !== '' && from.services.includes('iMessage') ? await this.recipientService(from.line, to, mode) : undefined;
    return decideRoute({ from, to, recipient, fallback: await this.fallbackOf(from.line) });
  }

  private async known(number: string): Promise<KnownLine | undefined> {
    const line = await this.deps.line(number);
    if (line === undefined) return undefined;
    const services = this.deps.provider(line.number, line.provider)?.services ?? servicesOfKind(line.provider);
    return { line, services };
  }

  private async fallbackOf(line: RouteLine): Promise<KnownLine | undefined> {
    const named = line.fallbackLine ?? null;
    return named === null ? undefined : this.known(named);
  }
}
