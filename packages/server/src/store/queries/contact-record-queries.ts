import type { Expression } from 'kysely';
import type { ContactFields, ContactOrderBy, ContactQuery, ContactRecord } from '../../domain/contact-record.js';
import type { Service } from '../../domain/message.js';
import type { NewContactRecord } from '../ports/contact-records-port.js';
import { flag, fromJson, holdsNul } from './dialect-values.js';
import { type Plan, type QB, type RowOf, all, first, lock, run } from './query-plan.js';

/**
 * Contacts as records (migration 0010), kept on the opt-out row of contact-queries.ts. A row is a
 * saved contact while its `contact_id` is set; a row without one only holds opt-out, verification
 * or service state and is invisible to these plans' reads.
 */

/**
 * In a transaction, under the account's contacts lock (concurrent saves of a number never insert
 * it twice). Set-wise, whatever the number of contacts: one read of the rows that exist, one upsert
 * of every row to write (each computed whole here, the stored custom variables merged), one read of
 * the results. Row by row, 1,000 contacts took ~7 s on PostgreSQL (four round trips each).
 */
export function* saveContactRecords(
  q: QB,
  input: { accountId: number; contacts: NewContactRecord[]; ifExists: 'update' | 'keep'; now: number },
): Plan<{ contact: ContactRecord; created: boolean }[]> {
  yield* lock(`contacts:${input.accountId}`);
  // A number given twice is one contact: the later entry's fields win, custom variables merge.
  const merged = new Map<string, NewContactRecord>();
  for (const c of input.contacts) {
    const prev = merged.get(c.number);
    merged.set(c.number, prev === undefined ? c : { ...prev, fields: mergeFields(prev.fields, c.fields) });
  }
  const numbers = [...merged.keys()];
  const existing = new Map(
    (yield* all(
      q
        .selectFrom('contacts')
        .select(['number', 'contact_id', ...FIELD_COLUMNS])
        .where('account_id', '=', input.accountId)
        .where((eb) => q.dialectValues.textIn(eb.ref('number'), numbers)),
    )).map((r) => [r.number, r]),
  );
  const rows = [...merged.values()]
    .filter((c) => !(input.ifExists === 'keep' && existing.get(c.number)?.contact_id != null))
    .map((c) => {
      const row = existing.get(c.number);
      const stored =
        row === undefined
          ? BLANK_RECORD
          : {
              ...row,
              tags: JSON.stringify(fromJson(row.tags)),
              custom_variables: JSON.stringify(fromJson(row.custom_variables)),
            };
      return {
        account_id: input.accountId,
        number: c.number,
        opted_out: false,
        contact_id: c.contactId,
        created_at: input.now,
        updated_at: input.now,
        service: c.service ?? null,
        ...pickFields(stored),
        ...fieldValues(c.fields, row === undefined ? {} : fromJson(row.custom_variables)),
      };
    });
  if (rows.length > 0) {
    yield* run(
      q
        .insertInto('contacts')
        .values(rows)
        .onConflict((oc) =>
          oc.columns(['account_id', 'number']).doUpdateSet((eb) => ({
            ...Object.fromEntries(FIELD_COLUMNS.map((col) => [col, eb.ref(`excluded.${col}`)])),
            // Kept when the number is saved already (its identity) or known (its opt-out, its service).
            contact_id: eb.fn.coalesce('contacts.contact_id', eb.ref('excluded.contact_id')),
            created_at: eb.fn.coalesce('contacts.created_at', eb.ref('excluded.created_at')),
            service: eb.fn.coalesce('contacts.service', eb.ref('excluded.service')),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        ),
    );
  }
  const byNumber = new Map(
    (yield* all(records(q, input.accountId).where((eb) => q.dialectValues.textIn(eb.ref('c.number'), numbers)))).map(
      (r) => [r.number, recordFromRow(r)],
    ),
  );
  return numbers.map((number) => {
    const contact = byNumber.get(number);
    if (contact === undefined) throw new Error('contact vanished after save');
    return { contact, created: existing.get(number)?.contact_id == null };
  });
}

export function* getContactRecord(q: QB, accountId: number, number: string): Plan<ContactRecord | undefined> {
  const found = yield* first(records(q, accountId).where('c.number', '=', number));
  return found && recordFromRow(found);
}

/** In a transaction: custom variables are merged with the stored ones, read under the account's contacts lock. */
export function* updateContactRecord(
  q: QB,
  input: { accountId: number; number: string; fields: ContactFields; optedOut?: boolean; now: number },
): Plan<ContactRecord | undefined> {
  if (holdsNul(input.number)) return undefined;
  yield* lock(`contacts:${input.accountId}`);
  const existing = yield* first(
    row(q, input.accountId, input.number).where('contact_id', 'is not', null).select(['custom_variables']),
  );
  if (existing === undefined) return undefined;
  yield* run(
    q
      .updateTable('contacts')
      .set({
        ...fieldValues(input.fields, fromJson(existing.custom_variables)),
        ...(input.optedOut === undefined ? {} : { opted_out: input.optedOut }),
        updated_at: input.now,
      })
      .where('account_id', '=', input.accountId)
      .where('number', '=', input.number),
  );
  return yield* getContactRecord(q, input.accountId, input.number);
}

const ORDER_COLUMNS = {
  createdAt: 'c.created_at',
  updatedAt: 'c.updated_at',
  firstName: 'c.first_name',
  lastName: 'c.last_name',
  phone: 'c.number',
} as const satisfies Record<ContactOrderBy, string>;

export function* listContactRecords(
  q: QB,
  accountId: number,
  query: ContactQuery,
): Plan<{ contacts: ContactRecord[]; total: number }> {
  const { contactId, number, createdAtGte } = query;
  let page = records(q, accountId);
  let matching = q
    .selectFrom('contacts as c')
    .where('c.account_id', '=', accountId)
    .where('c.contact_id', 'is not', null);
  if (contactId !== undefined) {
    page = page.where('c.contact_id', '=', contactId);
    matching = matching.where('c.contact_id', '=', contactId);
  }
  if (number !== undefined) {
    page = page.where('c.number', '=', number);
    matching = matching.where('c.number', '=', number);
  }
  if (createdAtGte !== undefined) {
    page = page.where('c.created_at', '>=', createdAtGte);
    matching = matching.where('c.created_at', '>=', createdAtGte);
  }
  const dir = query.orderDirection;
  page = page.orderBy(ORDER_COLUMNS[query.orderBy], dir);
  // Ties (same time, same name) fall back to the number, so pages never overlap or skip.
  if (query.orderBy !== 'phone') page = page.orderBy('c.number', dir);
  const rows = yield* all(page.limit(query.limit).offset(query.offset));
  const counted = yield* first(matching.select((eb) => eb.fn.countAll<number>().as('n')));
  return { contacts: rows.map(recordFromRow), total: Number(counted?.n ?? 0) };
}

export function* countContactRecords(q: QB, accountId: number): Plan<number> {
  const counted = yield* first(
    q
      .selectFrom('contacts')
      .where('account_id', '=', accountId)
      .where('contact_id', 'is not', null)
      .select((eb) => eb.fn.countAll<number>().as('n')),
  );
  return Number(counted?.n ?? 0);
}

/**
 * In a transaction. Deleting clears the record and keeps the row's opt-out, verification and
 * service state; a row left with none of them is removed.
 */
export function* deleteContactRecords(
  q: QB,
  input: { accountId: number; numbers: string[]; contactIds: string[] },
): Plan<string[]> {
  const matched = (yield* all(
    q
      .selectFrom('contacts')
      .select('number')
      .where('account_id', '=', input.accountId)
      .where('contact_id', 'is not', null)
      .where((eb) =>
        eb.or([
          q.dialectValues.textIn(eb.ref('number'), input.numbers),
          q.dialectValues.textIn(eb.ref('contact_id') as Expression<string>, input.contactIds),
        ]),
      )
      .orderBy('number'),
  )).map((r) => r.number);
  if (matched.length === 0) return [];
  yield* run(
    q
      .updateTable('contacts')
      .set({ contact_id: null, created_at: null, ...BLANK_RECORD })
      .where('account_id', '=', input.accountId)
      .where((eb) => q.dialectValues.textIn(eb.ref('number'), matched)),
  );
  yield* run(
    q
      .deleteFrom('contacts')
      .where('account_id', '=', input.accountId)
      .where((eb) => q.dialectValues.textIn(eb.ref('number'), matched))
      .where('opted_out', '=', false)
      .where('verification_requested_at', 'is', null)
      .where('service', 'is', null),
  );
  return matched;
}

export function* setContactService(
  q: QB,
  input: { accountId: number; number: string; service: Service; now: number },
): Plan<void> {
  yield* run(
    q
      .insertInto('contacts')
      .values({
        account_id: input.accountId,
        number: input.number,
        opted_out: false,
        updated_at: input.now,
        service: input.service,
      })
      .onConflict((oc) =>
        oc.columns(['account_id', 'number']).doUpdateSet((eb) => ({ service: eb.ref('excluded.service') })),
      ),
  );
}

function row(q: QB, accountId: number, number: string) {
  return q.selectFrom('contacts').where('account_id', '=', accountId).where('number', '=', number);
}

const FIELD_COLUMNS = [
  'first_name',
  'last_name',
  'company_name',
  'assigned_to_email',
  'sendblue_number',
  'tags',
  'custom_variables',
] as const;

function pickFields(row: Record<(typeof FIELD_COLUMNS)[number], string>) {
  return Object.fromEntries(FIELD_COLUMNS.map((col) => [col, row[col]])) as Record<
    (typeof FIELD_COLUMNS)[number],
    string
  >;
}

/** A record's columns before any field is set (as deleting leaves them). */
const BLANK_RECORD = {
  first_name: '',
  last_name: '',
  company_name: '',
  assigned_to_email: '',
  sendblue_number: '',
  tags: '[]',
  custom_variables: '{}',
};

function mergeFields(earlier: ContactFields, later: ContactFields): ContactFields {
  const defined = Object.fromEntries(Object.entries(later).filter(([, v]) => v !== undefined)) as ContactFields;
  const merged: ContactFields = { ...earlier, ...defined };
  if (earlier.customVariables !== undefined && later.customVariables !== undefined) {
    merged.customVariables = { ...earlier.customVariables, ...later.customVariables };
  }
  return merged;
}

/** The columns a create or an update writes: the given fields, custom variables merged into `stored`. */
function fieldValues(fields: ContactFields, stored: Record<string, string>) {
  return {
    ...(fields.firstName === undefined ? {} : { first_name: fields.firstName }),
    ...(fields.lastName === undefined ? {} : { last_name: fields.lastName }),
    ...(fields.companyName === undefined ? {} : { company_name: fields.companyName }),
    ...(fields.assignedToEmail === undefined ? {} : { assigned_to_email: fields.assignedToEmail }),
    ...(fields.sendblueNumber === undefined ? {} : { sendblue_number: fields.sendblueNumber }),
    ...(fields.tags === undefined ? {} : { tags: JSON.stringify(fields.tags) }),
    ...(fields.customVariables === undefined
      ? {}
      : { custom_variables: JSON.stringify({ ...stored, ...fields.customVariables }) }),
  };
}

const recordColumns = [
  'c.contact_id',
  'c.account_id',
  'c.number',
  'c.first_name',
  'c.last_name',
  'c.company_name',
  'c.assigned_to_email',
  'c.sendblue_number',
  'c.tags',
  'c.custom_variables',
  'c.opted_out',
  'c.service',
  'c.created_at',
  'c.updated_at',
] as const;

/**
 * The account's saved contacts, each with whether it is verified: one probe of the messages'
 * (account, number, time) index, which stops at the contact's first inbound message.
 */
function records(q: QB, accountId: number) {
  return q
    .selectFrom('contacts as c')
    .where('c.account_id', '=', accountId)
    .where('c.contact_id', 'is not', null)
    .select(recordColumns)
    .select((eb) =>
      eb
        .selectFrom('messages as m')
        .select('m.id')
        .whereRef('m.account_id', '=', 'c.account_id')
        .whereRef('m.number', '=', 'c.number')
        .where('m.is_outbound', '=', false)
        .limit(1)
        .as('inbound_id'),
    );
}

function recordFromRow(r: RowOf<ReturnType<typeof records>>): ContactRecord {
  return {
    contactId: r.contact_id ?? '',
    accountId: r.account_id,
    number: r.number,
    firstName: r.first_name,
    lastName: r.last_name,
    companyName: r.company_name,
    assignedToEmail: r.assigned_to_email,
    sendblueNumber: r.sendblue_number,
    tags: fromJson(r.tags),
    customVariables: fromJson(r.custom_variables),
    optedOut: flag(r.opted_out),
    verified: r.inbound_id !== null,
    service: r.service as Service | null,
    createdAt: r.created_at ?? r.updated_at,
    updatedAt: r.updated_at,
  };
}
