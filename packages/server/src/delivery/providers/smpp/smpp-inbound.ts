import type { IncomingPdu } from './smpp-session.js';
import { ESM_CLASS_UDHI, decodeShortMessage, splitUdh } from './smpp-encoding.js';
import { fromSmppAddress } from './smpp-address.js';

/**
 * MO (mobile-originated) messages. A long MO arrives as parts tied by a concatenation reference:
 * in the UDH (IEI 0x00, 8-bit reference; IEI 0x08, 16-bit) or in the SAR TLVs
 * (`sar_msg_ref_num`, `sar_total_segments`, `sar_segment_seqnum`). Parts are kept, raw, until all
 * have arrived, then joined and decoded once (so a UCS-2 surrogate pair or a GSM escape split
 * between parts still decodes).
 *
 * Earlier parts are acknowledged when buffered; only the last one waits for the message to be
 * committed, and a part is removed only once its message was, so an SMSC that redelivers the last
 * part after a failure completes it again. The buffer is bounded (`concat_buffer` messages, the
 * oldest evicted) and an incomplete message expires after `concat_timeout`: either way what arrived
 * is delivered, with `[…]` where parts are missing, rather than lost.
 */
export interface InboundText {
  line: string;
  from: string;
  content: string;
}

interface Partial {
  key: string;
  line: string;
  from: string;
  dataCoding: number;
  total: number;
  parts: Map<number, Uint8Array>;
  firstAt: number;
}

export type InboundRead =
  { kind: 'complete'; message: InboundText; /** Call once committed. */ release: () => void } | { kind: 'partial' };

export class ConcatAssembler {
  private readonly byKey = new Map<string, Partial>();

  constructor(
    private readonly timeoutMs: number,
    private readonly capacity: number,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.byKey.size;
  }

  read(pdu: IncomingPdu): InboundRead {
    const line = fromSmppAddress(pdu.destAddr, pdu.destTon);
    const from = fromSmppAddress(pdu.sourceAddr, pdu.sourceTon);
    let body: Uint8Array = pdu.body;
    let concat = pdu.sar;
    if (pdu.esmClass & ESM_CLASS_UDHI) {
      const split = splitUdh(body);
      body = split.body;
      concat = split.concat ?? concat;
    }
    if (concat === undefined || concat.total <= 1) {
      return {
        kind: 'complete',
        message: { line, from, content: decodeShortMessage(body, pdu.dataCoding) },
        release: () => {},
      };
    }
    const key = `${from}|${line}|${concat.reference}|${concat.total}`;
    let entry = this.byKey.get(key);
    if (!entry) {
      entry = {
        key,
        line,
        from,
        dataCoding: pdu.dataCoding,
        total: concat.total,
        parts: new Map(),
        firstAt: this.now(),
      };
      this.byKey.set(key, entry);
    }
    entry.parts.set(concat.seq, body);
    if (entry.parts.size < entry.total) return { kind: 'partial' };
    const done = entry;
    return { kind: 'complete', message: this.text(done), release: () => this.byKey.delete(done.key) };
  }

  /** Incomplete messages past their timeout, or beyond the capacity (oldest first), removed and joined. */
  evict(): InboundText[] {
    const out: InboundText[] = [];
    const deadline = this.now() - this.timeoutMs;
    for (const entry of this.byKey.values()) {
      if (entry.firstAt > deadline && this.byKey.size <= this.capacity) break;
      this.byKey.delete(entry.key);
      out.push(this.text(entry));
    }
    return out;
  }

  private text(entry: Partial): InboundText {
    // Joined raw, decoded once; a missing part shows as a gap marker.
    const chunks: string[] = [];
    let run: Uint8Array[] = [];
    const flush = () => {
      if (run.length > 0) chunks.push(decodeShortMessage(Buffer.concat(run), entry.dataCoding));
      run = [];
    };
    for (let seq = 1; seq <= entry.total; seq++) {
      const part = entry.parts.get(seq);
      if (part) run.push(part);
      else {
        flush();
        chunks.push('[…]');
      }
    }
    flush();
    return { line: entry.line, from: entry.from, content: chunks.join('') };
  }
}
