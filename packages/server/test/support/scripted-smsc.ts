/**
 * A scripted SMSC for deterministic SMPP tests, built on the `smpp` package's server role and the
 * SMPP 3.4 specification (bind_*, submit_sm / submit_sm_resp, deliver_sm / deliver_sm_resp,
 * enquire_link, unbind; delivery receipt text per Appendix B). Each submit_sm is answered as
 * `onSubmit` says: accept, refuse with a command_status, send the receipt before the response,
 * or drop the connection. It listens on a free loopback port; `stop()` closes everything.
 *
 * Ids: submit_sm_resp carries the id in upper-case hex, the receipt text in decimal (the common
 * mismatch); `receiptedIdTlv` adds the receipted_message_id TLV with the hex id.
 *
 * Receipts are kept until acknowledged with ESME_ROK, as a real SMSC keeps them: one sent on a
 * connection that closed before its deliver_sm_resp, or answered with an error, is sent again when
 * the ESME next binds (transceiver or receiver).
 */
import smpp from 'smpp';
import type { AddressInfo } from 'node:net';
import { useRawMessageBodies } from '../../src/delivery/providers/smpp/smpp-session.js';
import { decodeShortMessage, splitUdh } from '../../src/delivery/providers/smpp/smpp-encoding.js';

useRawMessageBodies();

export interface SubmitRecord {
  sourceAddr: string;
  destAddr: string;
  esmClass: number;
  dataCoding: number;
  registeredDelivery: number;
  shortMessage: Buffer;
  /** The id the SMSC gave it, as a number; hex in the response, decimal in the receipt. */
  id: number;
  at: number;
}

export type ReceiptStat = 'DELIVRD' | 'UNDELIV' | 'EXPIRED' | 'REJECTD' | 'DELETED' | 'UNKNOWN' | 'ACCEPTD' | 'ENROUTE';

export interface SubmitReply {
  /** command_status of the submit_sm_resp; 0 = accepted. */
  status?: number;
  /** The receipt to send for an accepted part (none when omitted or null). */
  receipt?: { stat: ReceiptStat; err?: string; before?: boolean } | null;
  /** Close the connection instead of answering. */
  drop?: boolean;
  /** Never answer (an SMSC that hangs): the submit stays outstanding. */
  hang?: boolean;
  /** Hold the response this long. */
  delayMs?: number;
}

export interface MoOptions {
  from: string;
  to: string;
  text: string;
  /** 0x00 GSM (default) or 0x08 UCS-2. */
  dataCoding?: number;
  /** Split into parts of this many octets, tied by a UDH (8- or 16-bit reference) or SAR TLVs. */
  split?: { octets: number; by: 'udh8' | 'udh16' | 'sar'; reference: number };
}

const SYSTEM_ID = 'tapback';
const PASSWORD = 'secret';
const BOUND = ['bind_transceiver', 'bind_transmitter', 'bind_receiver'];

export class ScriptedSmsc {
  readonly submits: SubmitRecord[] = [];
  readonly binds: string[] = [];
  onSubmit: (s: SubmitRecord) => SubmitReply = () => ({ receipt: { stat: 'DELIVRD' } });
  receiptedIdTlv = false;
  /** enquire_link PDUs seen, and whether to answer them (a hung SMSC does not). */
  enquireLinks = 0;
  answerEnquireLink = true;
  /**
   * Keep receipts without sending them, as if each had gone out on a connection that died before
   * answering: they are sent when the ESME next binds with this off.
   */
  holdReceipts = false;
  /** deliver_sm receipts sent again at a later bind. */
  redelivered = 0;
  /** submit_sm PDUs received and not yet answered, now and at most. */
  outstanding = 0;
  peakOutstanding = 0;
  private nextId = 0x1a2b3c00;
  private readonly bound = new Map<smpp.Session, string>();
  /** Receipts not yet acknowledged, in the order made, with the connection each is out on now. */
  private readonly unacknowledged = new Map<number, { fields: Record<string, unknown>; on?: smpp.Session }>();
  private nextReceipt = 0;

  private constructor(private readonly server: smpp.Server) {}

  static async start(): Promise<ScriptedSmsc> {
    const smsc: ScriptedSmsc = new ScriptedSmsc(smpp.createServer({}, (session) => smsc.accept(session)));
    const server = smsc.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return smsc;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** A line's smpp:// URL pointing here; `query` adds options (`window=5&rate=0`). */
  url(query = ''): string {
    return `smpp://${SYSTEM_ID}:${PASSWORD}@127.0.0.1:${this.port}${query ? `?${query}` : ''}`;
  }

  /** Receipts sent (or held) and not yet acknowledged with ESME_ROK. */
  get pendingReceipts(): number {
    return this.unacknowledged.size;
  }

  /** Connections bound now. */
  get sessions(): number {
    return this.bound.size;
  }

  /** How many submit_sm PDUs went to `dest` (digits, no `+`). */
  timesSeen(dest: string): number {
    return this.submits.filter((s) => s.destAddr === dest).length;
  }

  /** The texts that reached `dest`, parts joined by their UDH reference and decoded. */
  texts(dest: string): string[] {
    const out: string[] = [];
    const parts = new Map<number, { total: number; bodies: Map<number, Buffer>; coding: number }>();
    for (const s of this.submits.filter((r) => r.destAddr === dest)) {
      const { concat, body } =
        s.esmClass & 0x40 ? splitUdh(s.shortMessage) : { concat: undefined, body: s.shortMessage };
      if (!concat) {
        out.push(decodeShortMessage(body, s.dataCoding));
        continue;
      }
      const entry = parts.get(concat.reference) ?? { total: concat.total, bodies: new Map(), coding: s.dataCoding };
      parts.set(concat.reference, entry);
      entry.bodies.set(concat.seq, Buffer.from(body));
      if (entry.bodies.size === entry.total) {
        const ordered = [...entry.bodies.entries()].sort((a, b) => a[0] - b[0]).map(([, b]) => b);
        out.push(decodeShortMessage(Buffer.concat(ordered), entry.coding));
        parts.delete(concat.reference);
      }
    }
    return out;
  }

  /** Closes every connection (the SMSC "crashes"); it keeps listening for reconnects. */
  dropConnections(): void {
    for (const s of this.bound.keys()) s.destroy();
    this.bound.clear();
  }

  /** Sends an MO message (split as asked) to the bound receiver; resolves with each deliver_sm_resp status. */
  async sendMo(o: MoOptions): Promise<number[]> {
    const coding = o.dataCoding ?? 0x00;
    const whole = coding === 0x08 ? Buffer.from(o.text, 'utf16le').swap16() : gsm(o.text);
    const chunks: Buffer[] = [];
    const size = o.split?.octets ?? whole.length;
    for (let i = 0; i < whole.length; i += size) chunks.push(whole.subarray(i, i + size));
    const statuses: number[] = [];
    for (const [i, chunk] of chunks.entries()) {
      const fields: Record<string, unknown> = {
        source_addr_ton: 1,
        source_addr: o.from,
        dest_addr_ton: 1,
        destination_addr: o.to,
        data_coding: coding,
        esm_class: 0,
        short_message: chunk,
      };
      const s = o.split;
      if (s && chunks.length > 1) {
        if (s.by === 'sar') {
          Object.assign(fields, {
            sar_msg_ref_num: s.reference,
            sar_total_segments: chunks.length,
            sar_segment_seqnum: i + 1,
          });
        } else {
          const udh =
            s.by === 'udh8'
              ? [0x05, 0x00, 0x03, s.reference & 0xff, chunks.length, i + 1]
              : [0x06, 0x08, 0x04, (s.reference >> 8) & 0xff, s.reference & 0xff, chunks.length, i + 1];
          fields.esm_class = 0x40;
          fields.short_message = Buffer.concat([Buffer.from(udh), chunk]);
        }
      }
      statuses.push(await this.deliver(fields));
    }
    return statuses;
  }

  /** Sends one deliver_sm (or data_sm) and resolves with the client's response status. */
  deliver(fields: Record<string, unknown>, command: 'deliver_sm' | 'data_sm' = 'deliver_sm'): Promise<number> {
    const target = [...this.bound.entries()].find(([, mode]) => mode !== 'bind_transmitter')?.[0];
    if (!target) return Promise.reject(new Error('no receiver bound'));
    return new Promise((resolve) => {
      target.send(new smpp.PDU(command, fields), (resp) => resolve(resp.command_status));
    });
  }

  async stop(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(session: smpp.Session): void {
    session.on('error', () => undefined);
    session.on('close', () => this.bound.delete(session));
    session.on('pdu', (pdu: smpp.PDU) => {
      if (BOUND.includes(pdu.command)) {
        const ok = pdu.system_id === SYSTEM_ID && pdu.password === PASSWORD;
        if (ok) {
          this.bound.set(session, pdu.command);
          this.binds.push(pdu.command);
        }
        session.send(pdu.response({ command_status: ok ? 0 : smpp.errors.ESME_RBINDFAIL, system_id: 'scripted' }));
        if (ok && pdu.command !== 'bind_transmitter') this.redeliver(session);
      } else if (pdu.command === 'enquire_link') {
        this.enquireLinks++;
        if (this.answerEnquireLink) session.send(pdu.response());
      } else if (pdu.command === 'unbind') {
        session.send(pdu.response(), () => session.close());
      } else if (pdu.command === 'submit_sm') {
        void this.submit(session, pdu);
      }
    });
  }

  private async submit(session: smpp.Session, pdu: smpp.PDU): Promise<void> {
    const record: SubmitRecord = {
      sourceAddr: String(pdu.source_addr),
      destAddr: String(pdu.destination_addr),
      esmClass: Number(pdu.esm_class),
      dataCoding: Number(pdu.data_coding),
      registeredDelivery: Number(pdu.registered_delivery),
      shortMessage: pdu.short_message as Buffer,
      id: this.nextId++,
      at: performance.now(),
    };
    this.submits.push(record);
    this.outstanding++;
    this.peakOutstanding = Math.max(this.peakOutstanding, this.outstanding);
    const reply = this.onSubmit(record);
    if (reply.drop) {
      session.destroy();
      return;
    }
    if (reply.hang) return;
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    const status = reply.status ?? 0;
    const receipt = status === 0 ? reply.receipt : null;
    // The race: the receipt is on the wire (and acknowledged) before the submit_sm_resp.
    if (receipt?.before) await this.sendReceipt(session, record, receipt.stat, receipt.err);
    this.outstanding--;
    session.send(pdu.response({ command_status: status, message_id: record.id.toString(16).toUpperCase() }));
    if (receipt && !receipt.before) await this.sendReceipt(session, record, receipt.stat, receipt.err);
  }

  private sendReceipt(session: smpp.Session, r: SubmitRecord, stat: ReceiptStat, err = '000'): Promise<number> {
    const text = `id:${r.id} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:2611300355 done date:2611300356 stat:${stat} err:${err} text:`;
    const fields: Record<string, unknown> = {
      source_addr_ton: 1,
      source_addr: r.destAddr,
      dest_addr_ton: 1,
      destination_addr: r.sourceAddr,
      esm_class: 0x04,
      short_message: Buffer.from(text, 'latin1'),
    };
    if (this.receiptedIdTlv) fields.receipted_message_id = r.id.toString(16).toUpperCase();
    const key = this.nextReceipt++;
    this.unacknowledged.set(key, { fields });
    if (this.holdReceipts) return new Promise(() => undefined);
    const target =
      this.bound.get(session) === 'bind_transmitter'
        ? [...this.bound.entries()].find(([, mode]) => mode !== 'bind_transmitter')?.[0]
        : session;
    // With no receiver bound it waits, kept, for the next bind.
    return target ? this.sendKept(target, key) : new Promise(() => undefined);
  }

  /** Sends a kept receipt on `session`; it stays kept unless answered with ESME_ROK. */
  private sendKept(session: smpp.Session, key: number): Promise<number> {
    const entry = this.unacknowledged.get(key);
    if (!entry) return Promise.resolve(0);
    entry.on = session;
    return new Promise((resolve) => {
      session.send(new smpp.PDU('deliver_sm', entry.fields), (resp) => {
        if (resp.command_status === 0) this.unacknowledged.delete(key);
        else entry.on = undefined;
        resolve(resp.command_status);
      });
    });
  }

  /** At a bind: every kept receipt not out on a live connection is sent again, oldest first. */
  private redeliver(session: smpp.Session): void {
    if (this.holdReceipts) return;
    for (const [key, entry] of this.unacknowledged) {
      if (entry.on !== undefined && this.bound.has(entry.on)) continue;
      this.redelivered++;
      void this.sendKept(session, key);
    }
  }
}

/** GSM 03.38 septets (unpacked) by the `smpp` package's own table, independent of Tapback's. */
function gsm(text: string): Buffer {
  return smpp.gsmCoder.encode(text, 0x00);
}
