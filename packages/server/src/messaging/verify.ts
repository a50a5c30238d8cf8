import type { AccountEventSink, AccountEventType } from '../domain/account-event.js';
import type { Clock } from '../domain/clock.js';
import { errors } from '../domain/errors.js';
import type { Message } from '../domain/message.js';
import { parsePhone } from '../domain/phone.js';
import {
  type Verification,
  type VerifyService,
  VERIFY_LIMITS,
  newServiceSid,
  newVerificationCode,
  newVerificationSid,
} from '../domain/verification.js';
import type { LinesPort } from '../store/ports/lines-port.js';
import type { VerifyPort } from '../store/ports/verify-port.js';
import type { Caller } from './caller.js';

export interface VerifyDeps {
  store: VerifyPort & Pick<LinesPort, 'listLines'>;
  clock: Clock;
  /** Approvals, expiries and cancellations are published here after they commit. */
  events: AccountEventSink;
  /** A verification was created: the expiry sweep may need to wake earlier. */
  onCreated?: (verification: Verification) => void;
}

export interface ServiceSettingsInput {
  friendly_name?: string;
  code_length?: number;
  ttl_seconds?: number;
  use_customer_lines?: boolean;
}

export interface VerificationListInput {
  limit?: number;
  offset?: number;
  updated_at_gte?: string;
}

const MAX_LIMIT = 100;

/**
 * Sendblue Verify: services, verifications, and their approval by the user's own message. The
 * inbound path calls `matchInbound` with every stored 1:1 message; expiries are applied by every
 * read (for the reader's account) and by the sweep (`expireDue`), whichever comes first.
 */
export class VerifyOperations {
  constructor(private readonly deps: VerifyDeps) {}

  async createService(caller: Caller, input: ServiceSettingsInput): Promise<VerifyService> {
    const now = this.deps.clock.now();
    return this.deps.store.createVerifyService({
      sid: newServiceSid(),
      accountId: caller.accountId,
      friendlyName: friendlyName(input.friendly_name),
      codeLength: input.code_length ?? VERIFY_LIMITS.codeLength.default,
      ttlSeconds: input.ttl_seconds ?? VERIFY_LIMITS.ttlSeconds.default,
      useCustomerLines: input.use_customer_lines ?? false,
      createdAt: now,
      updatedAt: now,
    });
  }

  async getService(caller: Caller, sid: string): Promise<VerifyService> {
    const service = await this.deps.store.getVerifyService(caller.accountId, sid);
    if (service === undefined) throw errors.notFound('Verify service');
    return service;
  }

  async listServices(caller: Caller, input: { limit?: number; offset?: number }) {
    const page = { limit: Math.min(input.limit ?? MAX_LIMIT, MAX_LIMIT), offset: input.offset ?? 0 };
    return { ...(await this.deps.store.listVerifyServices(caller.accountId, page)), ...page };
  }

  async updateService(caller: Caller, sid: string, input: ServiceSettingsInput): Promise<VerifyService> {
    const updated = await this.deps.store.updateVerifyService(caller.accountId, sid, {
      ...(input.friendly_name === undefined ? {} : { friendlyName: friendlyName(input.friendly_name) }),
      ...(input.code_length === undefined ? {} : { codeLength: input.code_length }),
      ...(input.ttl_seconds === undefined ? {} : { ttlSeconds: input.ttl_seconds }),
      ...(input.use_customer_lines === undefined ? {} : { useCustomerLines: input.use_customer_lines }),
      now: this.deps.clock.now(),
    });
    if (updated === undefined) throw errors.notFound('Verify service');
    return updated;
  }

  async deleteService(caller: Caller, sid: string): Promise<void> {
    if (!(await this.deps.store.deleteVerifyService(caller.accountId, sid))) throw errors.notFound('Verify service');
  }

  /** A pending verification: the code `to` must text to the account's line. */
  async createVerification(
    caller: Caller,
    serviceSid: string,
    input: { to: string; hosted?: unknown },
  ): Promise<Verification> {
    const service = await this.getService(caller, serviceSid);
    const to = parsePhone(input.to, 'to');
    if (input.hosted !== undefined) {
      throw errors.validation('hosted', 'is not supported: Tapback has no hosted verification widget');
    }
    // The account's oldest line: every Tapback line is the account's own, so there is no pool.
    const lines = (await this.deps.store.listLines(caller.accountId)).sort((a, b) => a.id - b.id);
    const line = lines[0];
    if (line === undefined) throw errors.noLine();
    const now = this.deps.clock.now();
    const verification = await this.deps.store.createVerification({
      sid: newVerificationSid(),
      accountId: caller.accountId,
      serviceSid: service.sid,
      to,
      line: line.number,
      code: newVerificationCode(service.codeLength),
      status: 'pending',
      expiresAt: now + service.ttlSeconds * 1000,
      createdAt: now,
      updatedAt: now,
      completedAt: null,
    });
    this.deps.onCreated?.(verification);
    return verification;
  }

  async getVerification(caller: Caller, serviceSid: string, sid: string): Promise<Verification> {
    const { value, expired } = await this.deps.store.getVerification(
      caller.accountId,
      serviceSid,
      sid,
      this.deps.clock.now(),
    );
    this.publish(expired);
    if (value === undefined) throw errors.notFound('Verification');
    return value;
  }

  async listVerifications(caller: Caller, input: VerificationListInput) {
    const limit = Math.min(input.limit ?? MAX_LIMIT, MAX_LIMIT);
    const offset = input.offset ?? 0;
    const since = input.updated_at_gte;
    const { value, expired } = await this.deps.store.listVerifications(caller.accountId, {
      limit,
      offset,
      now: this.deps.clock.now(),
      ...(since === undefined ? {} : { updatedAtGte: parseDate(since, 'updated_at_gte') }),
    });
    this.publish(expired);
    return { ...value, limit, offset };
  }

  /** Cancels a pending verification; one that already left `pending` is a validation error. */
  async cancelVerification(caller: Caller, serviceSid: string, sid: string): Promise<Verification> {
    const { value, expired } = await this.deps.store.cancelVerification(
      caller.accountId,
      serviceSid,
      sid,
      this.deps.clock.now(),
    );
    this.publish(expired);
    const { verification, canceled } = value;
    if (verification === undefined) throw errors.notFound('Verification');
    if (!canceled) throw errors.validation('status', `cannot cancel a verification that is ${verification.status}`);
    this.publish([verification]);
    return verification;
  }

  /** Approves what a stored 1:1 inbound message's code matches. */
  async matchInbound(message: Message): Promise<void> {
    if (message.isOutbound || message.messageType !== 'message' || message.content === '') return;
    const approved = await this.deps.store.approveVerifications({
      accountId: message.accountId,
      line: message.sendblueNumber,
      from: message.fromNumber,
      content: message.content,
      now: this.deps.clock.now(),
    });
    this.publish(approved);
  }

  /** The sweep: expires up to `limit` verifications of any account; returns how many. */
  async expireDue(limit = 500): Promise<number> {
    const expired = await this.deps.store.expireVerifications(this.deps.clock.now(), limit);
    this.publish(expired);
    return expired.length;
  }

  nextExpiryAt(): Promise<number | null> {
    return this.deps.store.nextVerificationExpiry();
  }

  private publish(changed: readonly Verification[]): void {
    for (const v of changed) {
      if (v.status === 'pending') continue;
      const type: AccountEventType = `verification.${v.status}`;
      this.deps.events.publish({
        accountId: v.accountId,
        type,
        occurredAt: v.updatedAt,
        data: { sid: v.sid, service_sid: v.serviceSid, to: v.to, status: v.status },
      });
    }
  }
}

function friendlyName(raw: string | undefined): string {
  const name = (raw ?? '').trim();
  if (name === '') throw errors.validation('friendly_name', 'is required');
  return name;
}

function parseDate(raw: string, field: string): number {
  const ms = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(ms)) {
    throw errors.validation(field, 'must be an ISO-8601 date-time');
  }
  return ms;
}
