import smpp from 'smpp';
import type { BindMode } from './smpp-settings.js';
import { ESME_ROK, describeCommandStatus } from './smpp-command-status.js';

/**
 * One SMPP 3.4 bind (a transceiver, or a transmitter + receiver pair) behind Tapback's own class, so
 * the `smpp` package stays replaceable: it speaks only in plain fields and octets.
 *
 * The package decodes message bodies with its own GSM table; Tapback decodes them itself (the
 * extension table, UDH, concatenation), so the body filters are removed once here and bodies arrive
 * as the raw octets the peer sent. Encoding is unaffected: Buffers were always sent as they are.
 */
export function useRawMessageBodies(): void {
  for (const command of Object.values(smpp.commands)) {
    const param = command.params?.short_message;
    if (param) delete param.filter;
  }
  const payload = smpp.tlvs.message_payload;
  if (payload) delete payload.filter;
}
useRawMessageBodies();

export interface SmppSessionOptions {
  host: string;
  port: number;
  tls: boolean;
  tlsVerify: boolean;
  systemId: string;
  password: string;
  systemType: string;
  bind: BindMode;
  /** submit_sm PDUs outstanding at most. */
  window: number;
  enquireLinkSeconds: number;
  responseTimeoutSeconds: number;
}

/** A deliver_sm or data_sm from the SMSC: an MO message or a receipt. */
export interface IncomingPdu {
  command: 'deliver_sm' | 'data_sm';
  sourceAddr: string;
  sourceTon: number;
  destAddr: string;
  destTon: number;
  esmClass: number;
  dataCoding: number;
  /** short_message, or message_payload when the SMSC sent the body there. */
  body: Uint8Array;
  receiptedMessageId?: string | undefined;
  messageState?: number | undefined;
  networkErrorCode?: Uint8Array | undefined;
  sar?: { reference: number; total: number; seq: number } | undefined;
}

/** Answers an incoming PDU: the command_status to send back, once the event is committed. */
export type IncomingHandler = (pdu: IncomingPdu) => Promise<number>;

export interface SubmitFields {
  sourceAddr: string;
  sourceTon: number;
  sourceNpi: number;
  destAddr: string;
  destTon: number;
  destNpi: number;
  esmClass: number;
  dataCoding: number;
  registeredDelivery: number;
  shortMessage: Buffer;
}

export interface SubmitResponse {
  status: number;
  messageId: string;
}

export class SmppSession {
  readonly closed: Promise<Error | undefined>;
  private settle!: (why: Error | undefined) => void;
  private ended = false;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly pending = new Set<(e: Error) => void>();
  private keepAlive: NodeJS.Timeout | undefined;

  private constructor(
    private readonly options: SmppSessionOptions,
    private readonly tx: smpp.Session,
    private readonly rx: smpp.Session,
    onIncoming: IncomingHandler,
  ) {
    this.closed = new Promise((resolve) => (this.settle = resolve));
    for (const s of new Set([tx, rx])) {
      s.on('pdu', (pdu: smpp.PDU) => this.onPdu(s, pdu, onIncoming));
      s.on('error', (e: Error) => this.end(e));
      s.on('close', () => this.end(new Error('the SMSC closed the connection')));
      // Held since the bind_resp (bindPaused): what the SMSC sent right after it is read now.
      s.resume();
    }
    if (options.enquireLinkSeconds > 0) {
      this.keepAlive = setInterval(() => {
        for (const s of new Set([tx, rx])) {
          this.request(s, new smpp.PDU('enquire_link')).catch((e: Error) => this.end(e));
        }
      }, options.enquireLinkSeconds * 1000);
      this.keepAlive.unref();
    }
  }

  /** Connects and binds; rejects (and leaves nothing open) when either fails. */
  static async open(
    options: SmppSessionOptions,
    onIncoming: IncomingHandler,
    signal: AbortSignal,
  ): Promise<SmppSession> {
    const opened: smpp.Session[] = [];
    const abort = () => opened.forEach((s) => s.destroy());
    signal.addEventListener('abort', abort, { once: true });
    try {
      const bindOne = async (command: string) => {
        const s = await connectSocket(options);
        opened.push(s);
        signal.throwIfAborted();
        const resp = await bindPaused(
          s,
          new smpp.PDU(command, {
            system_id: options.systemId,
            password: options.password,
            system_type: options.systemType,
            interface_version: 0x34,
          }),
          options.responseTimeoutSeconds * 1000,
        );
        if (resp.command_status !== ESME_ROK) {
          throw new Error(`${command} refused: ${describeCommandStatus(resp.command_status)}`);
        }
        return s;
      };
      if (options.bind === 'transceiver') {
        const s = await bindOne('bind_transceiver');
        return new SmppSession(options, s, s, onIncoming);
      }
      const [tx, rx] = await Promise.all([bindOne('bind_transmitter'), bindOne('bind_receiver')]);
      return new SmppSession(options, tx, rx, onIncoming);
    } catch (e) {
      abort();
      throw e;
    } finally {
      signal.removeEventListener('abort', abort);
    }
  }

  /** Sends one submit_sm once the window has room; rejects on timeout or connection loss. */
  async submit(f: SubmitFields, signal: AbortSignal): Promise<SubmitResponse> {
    await this.slot(signal);
    try {
      const resp = await this.request(
        this.tx,
        new smpp.PDU('submit_sm', {
          source_addr_ton: f.sourceTon,
          source_addr_npi: f.sourceNpi,
          source_addr: f.sourceAddr,
          dest_addr_ton: f.destTon,
          dest_addr_npi: f.destNpi,
          destination_addr: f.destAddr,
          esm_class: f.esmClass,
          data_coding: f.dataCoding,
          registered_delivery: f.registeredDelivery,
          short_message: f.shortMessage,
        }),
      );
      return { status: resp.command_status, messageId: String(resp.message_id ?? '') };
    } finally {
      this.inFlight--;
      this.waiting.shift()?.();
    }
  }

  /** Unbinds (waiting briefly for unbind_resp), then closes. Idempotent. */
  async close(): Promise<void> {
    if (this.ended) return this.closed.then(() => undefined);
    this.ended = true;
    clearInterval(this.keepAlive);
    const sessions = [...new Set([this.tx, this.rx])];
    await Promise.all(
      sessions.map((s) =>
        this.request(s, new smpp.PDU('unbind'), Math.min(2000, this.timeoutMs)).catch(() => undefined),
      ),
    );
    for (const s of sessions) s.destroy();
    this.failPending(new Error('the SMPP session was closed'));
    this.settle(undefined);
  }

  private get timeoutMs(): number {
    return this.options.responseTimeoutSeconds * 1000;
  }

  private end(why: Error): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.keepAlive);
    for (const s of new Set([this.tx, this.rx])) s.destroy();
    this.failPending(why);
    this.settle(why);
  }

  private failPending(why: Error): void {
    for (const reject of this.pending) reject(why);
    this.pending.clear();
    // Waiters for a window slot wake up and find the session ended.
    for (const wake of this.waiting.splice(0)) wake();
  }

  private async slot(signal: AbortSignal): Promise<void> {
    while (this.inFlight >= this.options.window && !this.ended) {
      signal.throwIfAborted();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    if (this.ended) throw new Error('the SMPP connection is closed');
    this.inFlight++;
  }

  private request(s: smpp.Session, pdu: smpp.PDU, timeoutMs = this.timeoutMs): Promise<smpp.PDU> {
    if (this.ended && pdu.command !== 'unbind') return Promise.reject(new Error('the SMPP connection is closed'));
    return new Promise((resolve, reject) => {
      const fail = (e: Error) => {
        clearTimeout(timer);
        this.pending.delete(fail);
        reject(e);
      };
      const timer = setTimeout(() => fail(new Error(`no ${pdu.command}_resp within ${timeoutMs} ms`)), timeoutMs);
      this.pending.add(fail);
      const sent = s.send(pdu, (resp) => {
        clearTimeout(timer);
        this.pending.delete(fail);
        resolve(resp);
      });
      if (!sent) fail(new Error('the SMPP connection is not writable'));
    });
  }

  private onPdu(s: smpp.Session, pdu: smpp.PDU, onIncoming: IncomingHandler): void {
    switch (pdu.command) {
      case 'enquire_link':
        s.send(pdu.response());
        return;
      case 'unbind':
        s.send(pdu.response());
        this.end(new Error('the SMSC unbound'));
        return;
      case 'deliver_sm':
      case 'data_sm': {
        const incoming = toIncoming(pdu);
        onIncoming(incoming).then(
          (status) => s.send(pdu.response({ command_status: status })),
          () => s.send(pdu.response({ command_status: smpp.errors.ESME_RX_T_APPN })),
        );
        return;
      }
      default:
        if (!pdu.isResponse()) s.send(pdu.response({ command_status: smpp.errors.ESME_RINVCMDID }));
    }
  }
}

function toIncoming(pdu: smpp.PDU): IncomingPdu {
  const payload = pdu.message_payload;
  const short = pdu.short_message;
  const body =
    Buffer.isBuffer(payload) && payload.length > 0 ? payload : Buffer.isBuffer(short) ? short : Buffer.alloc(0);
  const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
  const ref = num(pdu.sar_msg_ref_num);
  const total = num(pdu.sar_total_segments);
  const seq = num(pdu.sar_segment_seqnum);
  return {
    command: pdu.command as IncomingPdu['command'],
    sourceAddr: String(pdu.source_addr ?? ''),
    sourceTon: num(pdu.source_addr_ton) ?? 0,
    destAddr: String(pdu.destination_addr ?? ''),
    destTon: num(pdu.dest_addr_ton) ?? 0,
    esmClass: num(pdu.esm_class) ?? 0,
    dataCoding: num(pdu.data_coding) ?? 0,
    body,
    receiptedMessageId:
      typeof pdu.receipted_message_id === 'string' ? pdu.receipted_message_id.replace(/\0+$/, '') : undefined,
    messageState: num(pdu.message_state),
    networkErrorCode: Buffer.isBuffer(pdu.network_error_code) ? pdu.network_error_code : undefined,
    sar: ref !== undefined && total !== undefined && seq !== undefined ? { reference: ref, total, seq } : undefined,
  };
}

function connectSocket(o: SmppSessionOptions): Promise<smpp.Session> {
  return new Promise((resolve, reject) => {
    const s = smpp.connect({ host: o.host, port: o.port, tls: o.tls, rejectUnauthorized: o.tlsVerify });
    const onError = (e: Error) => reject(e);
    s.once('error', onError);
    s.once(o.tls ? 'secureConnect' : 'connect', () => {
      s.off('error', onError);
      // PDUs are small and latency-bound: Nagle's algorithm would hold a submit_sm written just
      // after a deliver_sm_resp until the SMSC's delayed ACK (tens of ms on Linux).
      s.socket.setNoDelay(true);
      // Until SmppSession listens: a failure during the bind shows as its response never coming.
      s.on('error', () => undefined);
      resolve(s);
    });
  });
}

/**
 * Sends a bind and pauses reading at its response. An SMSC sends what it kept for the ESME (receipts
 * not yet acknowledged, MO messages) right after the bind_resp, often in the same TCP segment; the
 * `smpp` package emits every PDU of a segment at once, before the SmppSession that answers them
 * exists, and a deliver_sm emitted then would go unanswered. The constructor resumes reading.
 */
function bindPaused(s: smpp.Session, pdu: smpp.PDU, timeoutMs: number): Promise<smpp.PDU> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pdu.command}_resp within ${timeoutMs} ms`)), timeoutMs);
    const onClose = () => reject(new Error(`the SMSC closed the connection during ${pdu.command}`));
    s.once('close', onClose);
    s.send(pdu, (resp) => {
      s.pause();
      clearTimeout(timer);
      s.off('close', onClose);
      resolve(resp);
    });
  });
}
