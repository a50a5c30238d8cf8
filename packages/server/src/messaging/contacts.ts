import type { AccountEventSink } from '../domain/account-event.js';
import type { Clock } from '../domain/clock.js';
import {
  CONTACT_ORDER_BY,
  type ContactFields,
  type ContactOrderBy,
  type ContactQuery,
  type ContactRecord,
  contactToWire,
} from '../domain/contact-record.js';
import { errors } from '../domain/errors.js';
import { newHandle } from '../domain/ids.js';
import type { Service } from '../domain/message.js';
import { parsePhone } from '../domain/phone.js';
import { wellFormed } from '../domain/validation.js';
import type { ContactRecordsPort, NewContactRecord } from '../store/ports/contact-records-port.js';
import type { LinesPort } from '../store/ports/lines-port.js';
import type { WebhooksPort } from '../store/ports/webhooks-port.js';
import { activeEndpoints } from '../store/webhook-outbox.js';
import type { Caller } from './caller.js';
import { ownLine } from './validation.js';

/** The fields of a create or an update body, preferred spellings and their deprecated aliases. */
export interface ContactFieldsInput {
  first_name?: string;
  firstName?: string;
  last_name?: string;
  lastName?: string;
  company_name?: string;
  companyName?: string;
  assigned_to_email?: string;
  assignedToEmail?: string;
  sendblue_number?: string;
  sendblueNumber?: string;
  tags?: string[];
  custom_variables?: Record<string, string>;
}

export interface CreateContactInput extends ContactFieldsInput {
  number?: string;
  phone_number?: string;
  phoneNumber?: string;
  update_if_exists?: boolean;
}

export interface UpdateContactInput extends ContactFieldsInput {
  opt_out?: boolean;
  optOut?: boolean;
}

export interface ListContactsInput {
  cid?: string;
  created_at_gte?: string;
  limit?: number;
  offset?: number;
  order_by?: string;
  order_direction?: 'asc' | 'desc';
  phone_number?: string;
}

export interface ContactServiceDeps {
  store: ContactRecordsPort & LinesPort & Pick<WebhooksPort, 'getWebhookConfig' | 'enqueueWebhooks'>;
  /** Wakes the webhook dispatcher after `contact_created` deliveries are queued. */
  onWebhooksQueued?: () => void;
  clock: Clock;
  events: AccountEventSink;
  /** The network that reaches a number, recorded on a new contact. */
  serviceOf: (number: string) => Service;
  /** Sends the verification text, as `POST /api/send-message` would. */
  sendVerification: (
    caller: Caller,
    input: { number: string; from_number: string; content: string },
  ) => Promise<unknown>;
}

export const DEFAULT_CONTACT_LIMIT = 100;
export const MAX_CONTACT_LIMIT = 1000;

/** What `contacts.verify` sends; a reply to it (any inbound message) verifies the contact. */
export const VERIFICATION_TEXT = 'Reply to this message to verify your number.';

/** `order_by` as Sendblue's docs spell it (camelCase) and as the SDK's other fields do (snake_case). */
const ORDER_BY_ALIASES: Record<string, ContactOrderBy> = {
  created_at: 'createdAt',
  updated_at: 'updatedAt',
  first_name: 'firstName',
  last_name: 'lastName',
  phone_number: 'phone',
  number: 'phone',
  ...Object.fromEntries(CONTACT_ORDER_BY.map((o) => [o, o])),
};
export const CONTACT_ORDER_BY_VALUES = Object.keys(ORDER_BY_ALIASES);

/**
 * The Contacts API: contacts as records the account keeps, on the same row as their opt-out state.
 * `contact.created` is published after the write committed, once per contact actually created.
 */
export class ContactService {
  constructor(private readonly deps: ContactServiceDeps) {}

  /** A saved number is a 409 `contact_exists` unless `update_if_exists` is true. */
  async create(caller: Caller, input: CreateContactInput): Promise<ContactRecord> {
    const [field, raw] = firstGiven(input, ['number', 'phone_number', 'phoneNumber']);
    if (raw === undefined) throw errors.validation('number', 'is required');
    const number = parsePhone(raw, field);
    const fields = await this.fieldsOf(caller, input);
    const update = input.update_if_exists === true;
    const [saved] = await this.save(caller, [this.newRecord(number, fields)], update ? 'update' : 'keep');
    if (saved === undefined) throw new Error('save returned no contact');
    if (!saved.created && !update) throw errors.contactExists(field, number);
    return saved.contact;
  }

  /** Idempotent per number: a number already saved is updated with the entry's fields, never saved twice. */
  async bulkCreate(caller: Caller, contacts: (ContactFieldsInput & { phone: string })[]): Promise<ContactRecord[]> {
    const records: NewContactRecord[] = [];
    for (const [i, c] of contacts.entries()) {
      const number = parsePhone(c.phone, `contacts[${i}].phone`);
      records.push(this.newRecord(number, await this.fieldsOf(caller, c, `contacts[${i}].`)));
    }
    return (await this.save(caller, records, 'update')).map((s) => s.contact);
  }

  async retrieve(caller: Caller, rawNumber: string): Promise<ContactRecord> {
    const number = parsePhone(rawNumber, 'phone_number');
    const contact = await this.deps.store.getContactRecord(caller.accountId, number);
    if (contact === undefined) throw errors.notFound('Contact');
    return contact;
  }

  /** Custom variables are merged into the stored ones; `opt_out` is the same state as STOP/START. */
  async update(caller: Caller, rawNumber: string, input: UpdateContactInput): Promise<ContactRecord> {
    const number = parsePhone(rawNumber, 'phone_number');
    const optedOut = input.opt_out ?? input.optOut;
    const contact = await this.deps.store.updateContactRecord({
      accountId: caller.accountId,
      number,
      fields: await this.fieldsOf(caller, input),
      ...(optedOut === undefined ? {} : { optedOut }),
      now: this.deps.clock.now(),
    });
    if (contact === undefined) throw errors.notFound('Contact');
    return contact;
  }

  async list(caller: Caller, input: ListContactsInput): Promise<{ contacts: ContactRecord[]; total: number }> {
    const orderBy = ORDER_BY_ALIASES[input.order_by ?? 'created_at'];
    if (orderBy === undefined) {
      throw errors.validation('order_by', `must be one of: ${CONTACT_ORDER_BY_VALUES.join(', ')}`);
    }
    const query: ContactQuery = {
      orderBy,
      orderDirection: input.order_direction ?? 'desc',
      limit: Math.min(input.limit ?? DEFAULT_CONTACT_LIMIT, MAX_CONTACT_LIMIT),
      offset: input.offset ?? 0,
    };
    if (input.cid !== undefined) query.contactId = input.cid;
    if (input.phone_number !== undefined) query.number = parsePhone(input.phone_number, 'phone_number');
    if (input.created_at_gte !== undefined) query.createdAtGte = parseDate(input.created_at_gte, 'created_at_gte');
    return this.deps.store.listContactRecords(caller.accountId, query);
  }

  count(caller: Caller): Promise<number> {
    return this.deps.store.countContactRecords(caller.accountId);
  }

  async delete(caller: Caller, rawNumber: string): Promise<void> {
    const number = parsePhone(rawNumber, 'phone_number');
    const deleted = await this.deps.store.deleteContactRecords({
      accountId: caller.accountId,
      numbers: [number],
      contactIds: [],
    });
    if (deleted.length === 0) throw errors.notFound('Contact');
  }

  /**
   * `contact_ids` holds phone numbers (what the SDK documents) or `contact_id`s (what lists return):
   * an entry starting with `+` is a number. Returns how many contacts were deleted; entries that
   * match no saved contact are skipped.
   */
  async bulkDelete(caller: Caller, ids: string[]): Promise<number> {
    const numbers: string[] = [];
    const contactIds: string[] = [];
    for (const [i, id] of ids.entries()) {
      if (id.startsWith('+')) numbers.push(parsePhone(id, `contact_ids[${i}]`));
      else contactIds.push(id);
    }
    const deleted = await this.deps.store.deleteContactRecords({ accountId: caller.accountId, numbers, contactIds });
    return deleted.length;
  }

  /**
   * Asks the number to verify itself: the ask is recorded (it is then listed by the verified
   * contacts API) and, unless the number is verified already, VERIFICATION_TEXT is sent to it from
   * the contact's `sendblue_number` when that is still a line of the account, or else from the
   * account's first line. Any inbound message from the number verifies it.
   */
  async verify(caller: Caller, rawNumber: string): Promise<void> {
    const number = parsePhone(rawNumber, 'number');
    const asked = await this.deps.store.requestContactVerification({
      accountId: caller.accountId,
      number,
      now: this.deps.clock.now(),
    });
    if (asked.verified) return;
    const line = await this.sendingLine(caller, number);
    if (line === undefined) {
      throw errors.validation('number', 'cannot be sent a verification message: the account has no line');
    }
    await this.deps.sendVerification(caller, { number, from_number: line, content: VERIFICATION_TEXT });
  }

  private async sendingLine(caller: Caller, number: string): Promise<string | undefined> {
    const chosen = (await this.deps.store.getContactRecord(caller.accountId, number))?.sendblueNumber ?? '';
    if (chosen !== '') {
      const line = await this.deps.store.findLine(chosen);
      if (line?.accountId === caller.accountId) return chosen;
    }
    return (await this.deps.store.listLines(caller.accountId))[0]?.number;
  }

  private newRecord(number: string, fields: ContactFields): NewContactRecord {
    return { number, contactId: newHandle(), fields, service: this.deps.serviceOf(number) };
  }

  private async save(
    caller: Caller,
    contacts: NewContactRecord[],
    ifExists: 'update' | 'keep',
  ): Promise<{ contact: ContactRecord; created: boolean }[]> {
    const saved = await this.deps.store.saveContactRecords({
      accountId: caller.accountId,
      contacts,
      ifExists,
      now: this.deps.clock.now(),
    });
    const createdNow = saved.filter((s) => s.created).map((s) => s.contact);
    for (const contact of createdNow) {
      this.deps.events.publish({
        accountId: caller.accountId,
        type: 'contact.created',
        occurredAt: contact.createdAt,
        data: { contact_id: contact.contactId, phone: contact.number, created_at: iso(contact.createdAt) },
      });
    }
    await this.enqueueCreatedWebhooks(caller.accountId, createdNow);
    return saved;
  }

  /**
   * One `contact_created` webhook per new contact, its body the contact as the Contacts API shows
   * it, to every `contact_created` entry (they take no line filter). Queued once the contacts are
   * committed: a crash between the two loses these webhooks, never a contact.
   */
  private async enqueueCreatedWebhooks(accountId: number, contacts: readonly ContactRecord[]): Promise<void> {
    if (contacts.length === 0) return;
    const now = this.deps.clock.now();
    const { endpoints } = await this.deps.store.getWebhookConfig(accountId, now);
    const targets = activeEndpoints(endpoints, 'contact_created', null);
    if (targets.length === 0) return;
    const deliveries = contacts.flatMap((contact) => {
      const payload = JSON.stringify(contactToWire(contact));
      return targets.map((e) => ({
        accountId,
        kind: 'contact_created' as const,
        endpointId: e.id,
        url: e.url,
        messageId: null,
        messageHandle: null,
        statusSeq: null,
        payload,
      }));
    });
    await this.deps.store.enqueueWebhooks(deliveries, now);
    this.deps.onWebhooksQueued?.();
  }

  /** The preferred spelling wins over its deprecated alias; `sendblue_number` must be a line of the account. */
  private async fieldsOf(caller: Caller, input: ContactFieldsInput, prefix = ''): Promise<ContactFields> {
    const fields: ContactFields = {};
    const text = (value: string | undefined) => (value === undefined ? undefined : wellFormed(value.trim()));
    const set = <K extends keyof ContactFields>(key: K, value: ContactFields[K] | undefined) => {
      if (value !== undefined) fields[key] = value;
    };
    set('firstName', text(input.first_name ?? input.firstName));
    set('lastName', text(input.last_name ?? input.lastName));
    set('companyName', text(input.company_name ?? input.companyName));
    set('assignedToEmail', text(input.assigned_to_email ?? input.assignedToEmail));
    const [lineField, line] = firstGiven(input, ['sendblue_number', 'sendblueNumber']);
    if (line !== undefined) {
      set(
        'sendblueNumber',
        line === '' ? '' : await ownLine(this.deps.store, caller.accountId, line, prefix + lineField),
      );
    }
    set(
      'tags',
      input.tags?.map((t) => wellFormed(t)),
    );
    if (input.custom_variables !== undefined) {
      set(
        'customVariables',
        Object.fromEntries(Object.entries(input.custom_variables).map(([k, v]) => [wellFormed(k), wellFormed(v)])),
      );
    }
    return fields;
  }
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function firstGiven<K extends string>(
  input: Partial<Record<K, string | undefined>>,
  keys: readonly [K, ...K[]],
): [K, string | undefined] {
  for (const key of keys) if (input[key] !== undefined) return [key, input[key]];
  return [keys[0], undefined];
}

function parseDate(raw: string, field: string): number {
  const ms = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(ms)) {
    throw errors.validation(field, 'must be an ISO-8601 date-time');
  }
  return ms;
}
