import type { Logger } from 'pino';
import { DELIVERY_ERRORS } from '../../../domain/delivery-errors.js';
import type {
  Provider,
  ProviderConnection,
  ProviderDeps,
  ProviderEvents,
  ProviderSendRequest,
  SendResult,
} from '../provider.js';
import type { SmppSettings } from './smpp-settings.js';
import type { IncomingPdu } from './smpp-session.js';
import { SmppSession } from './smpp-session.js';
import { ESM_CLASS_UDHI, encodeSms } from './smpp-encoding.js';
import { ESME_ROK, describeCommandStatus, isTransientStatus } from './smpp-command-status.js';
import { canonicalMessageId } from './smpp-message-id.js';
import { isReceipt, parseReceipt, receiptPatch } from './smpp-receipts.js';
import { fromSmppAddress, toSmppAddress } from './smpp-address.js';
import { ConcatAssembler } from './smpp-inbound.js';
import { RatePacer } from './smpp-rate.js';

/** Tapback's error_code for a message the SMSC refused (Sendblue's "Message failed to send"). */
export const SMPP_SEND_FAILED_CODE = DELIVERY_ERRORS.sendFailed;

/** registered_delivery: SMSC delivery receipt on final outcome, success or failure (§5.2.17). */
const RECEIPT_ON_FINAL = 0x01;

/**
 * SMS over SMPP 3.4. One instance serves one bind (lines sharing a connection key share it); each
 * `send` is one submit_sm per part, paced per line (`rate`) and bounded per bind (`window`).
 */
export class SmppProvider implements Provider {
  readonly kind = 'smpp';
  readonly services = ['SMS'] as const;
  private session: SmppSession | undefined;
  private reference = Math.floor(Math.random() * 256);
  private readonly pacers = new Map<string, RatePacer>();
  private readonly assembler: ConcatAssembler;
  private readonly logger: Logger;

  constructor(
    private readonly settings: SmppSettings,
    deps: ProviderDeps,
  ) {
    this.logger = deps.logger.child({ provider: 'smpp', smsc: `${settings.host}:${settings.port}` });
    this.assembler = new ConcatAssembler(settings.concatTimeoutSeconds * 1000, settings.concatBuffer, () => Date.now());
  }

  async connect(events: ProviderEvents, signal: AbortSignal): Promise<ProviderConnection> {
    const s = this.settings;
    const session = await SmppSession.open(
      {
        host: s.host,
        port: s.port,
        tls: s.tls,
        tlsVerify: s.tlsVerify,
        systemId: s.systemId,
        password: s.password,
        systemType: s.systemType,
        bind: s.bind,
        window: s.window,
        enquireLinkSeconds: s.enquireLinkSeconds,
        responseTimeoutSeconds: s.responseTimeoutSeconds,
      },
      (pdu) => this.onIncoming(pdu, events),
      signal,
    );
    this.session = session;
    const sweep = setInterval(() => this.deliverExpired(events), Math.min(10_000, s.concatTimeoutSeconds * 1000));
    sweep.unref();
    void session.closed.then(() => clearInterval(sweep));
    return { closed: session.closed, close: () => session.close() };
  }

  async send({ message }: ProviderSendRequest, signal: AbortSignal): Promise<SendResult> {
    const session = this.session;
    if (!session) return transient('not connected to the SMSC');
    // SMS carries no attachment: a media URL travels as a link after the text.
    const text = [message.content, message.mediaUrl].filter((t) => t !== '').join('\n');
    if (text === '') return permanent('Message failed to send', 'an SMS needs text or a media URL');
    this.reference = (this.reference + 1) & 0xff;
    const encoded = encodeSms(text, this.reference);
    const pacer = this.pacer(message.sendblueNumber);
    const ids: string[] = [];
    for (const part of encoded.parts) {
      let resp;
      try {
        await pacer.take(signal);
        resp = await session.submit(
          {
            sourceAddr: toSmppAddress(message.sendblueNumber),
            sourceTon: this.settings.sourceTon,
            sourceNpi: this.settings.sourceNpi,
            destAddr: toSmppAddress(message.number),
            destTon: this.settings.destTon,
            destNpi: this.settings.destNpi,
            esmClass: encoded.udh ? ESM_CLASS_UDHI : 0,
            dataCoding: encoded.dataCoding,
            registeredDelivery: RECEIPT_ON_FINAL,
            shortMessage: part,
          },
          signal,
        );
      } catch (e) {
        return { ...transient('the SMSC did not answer'), errorDetail: (e as Error).message };
      }
      if (resp.status !== ESME_ROK) {
        const detail = describeCommandStatus(resp.status);
        return isTransientStatus(resp.status)
          ? { ...transient(`the SMSC refused for now: ${detail}`), errorDetail: detail }
          : { ...permanent('Message failed to send', 'the SMSC refused the message'), errorDetail: detail };
      }
      ids.push(canonicalMessageId(resp.messageId, this.settings.submitIdFormat));
    }
    return { kind: 'accepted', networkMessageIds: ids, patches: [{ status: 'SENT', service: 'SMS' }] };
  }

  private pacer(line: string): RatePacer {
    let p = this.pacers.get(line);
    if (!p) this.pacers.set(line, (p = new RatePacer(this.settings.rate)));
    return p;
  }

  private async onIncoming(pdu: IncomingPdu, events: ProviderEvents): Promise<number> {
    if (isReceipt({ esmClass: pdu.esmClass, receiptedMessageId: pdu.receiptedMessageId })) {
      const receipt = parseReceipt(
        {
          esmClass: pdu.esmClass,
          text: pdu.body.length > 0 ? Buffer.from(pdu.body).toString('latin1') : '',
          receiptedMessageId: pdu.receiptedMessageId,
          messageState: pdu.messageState,
          networkErrorCode: pdu.networkErrorCode,
        },
        { submit: this.settings.submitIdFormat, receipt: this.settings.receiptIdFormat },
      );
      // A receipt Tapback cannot read will not read better when redelivered: acknowledge it.
      if (!receipt) {
        this.logger.warn({ body: Buffer.from(pdu.body).toString('latin1') }, 'unreadable SMPP delivery receipt');
        return ESME_ROK;
      }
      const line = fromSmppAddress(pdu.destAddr, pdu.destTon);
      await events.onStatus({ line, networkMessageId: receipt.networkMessageId, patch: receiptPatch(receipt) });
      return ESME_ROK;
    }
    const read = this.assembler.read(pdu);
    if (read.kind === 'partial') {
      this.deliverExpired(events);
      return ESME_ROK;
    }
    await events.onInbound({ ...read.message, service: 'SMS' });
    read.release();
    return ESME_ROK;
  }

  private deliverExpired(events: ProviderEvents): void {
    for (const message of this.assembler.evict()) {
      this.logger.warn(
        { line: message.line, from: message.from },
        'concatenated SMS incomplete; delivering the parts that arrived',
      );
      events.onInbound({ ...message, service: 'SMS' }).catch((e: Error) => {
        this.logger.error({ err: e }, 'could not store an incomplete concatenated SMS');
      });
    }
  }
}

function transient(reason: string): SendResult & { kind: 'failed' } {
  return {
    kind: 'failed',
    retryable: true,
    errorCode: SMPP_SEND_FAILED_CODE,
    errorMessage: 'Message failed to send',
    errorReason: reason,
  };
}

function permanent(message: string, reason: string): SendResult & { kind: 'failed' } {
  return {
    kind: 'failed',
    retryable: false,
    errorCode: SMPP_SEND_FAILED_CODE,
    errorMessage: message,
    errorReason: reason,
  };
}
