import type { ContactFields, ContactQuery, ContactRecord, VerifiedContact } from '../../domain/contact-record.js';
import type { Service } from '../../domain/message.js';

export interface NewContactRecord {
  number: string;
  /** Used only when the number is not saved yet. */
  contactId: string;
  fields: ContactFields;
  /** Recorded when the number's service is not known yet. */
  service?: Service;
}

/**
 * Contacts as records the account keeps, on the same row as their opt-out state (ContactsPort):
 * a STOP, an opt-out by API and a record's `opt_out` are one value.
 */
export interface ContactRecordsPort {
  /**
   * Saves each contact, in order, in one transaction. A number already saved is updated with the
   * given fields (`ifExists: 'update'`) or left as it is (`'keep'`); never saved twice. A number
   * saved twice in one call is one record, updated by the later entry.
   */
  saveContactRecords(input: {
    accountId: number;
    contacts: NewContactRecord[];
    ifExists: 'update' | 'keep';
    now: number;
  }): Promise<{ contact: ContactRecord; created: boolean }[]>;
  getContactRecord(accountId: number, number: string): Promise<ContactRecord | undefined>;
  /** Undefined when the account has not saved the number. */
  updateContactRecord(input: {
    accountId: number;
    number: string;
    fields: ContactFields;
    optedOut?: boolean;
    now: number;
  }): Promise<ContactRecord | undefined>;
  /** A page in the query's order, and the exact number of matches. */
  listContactRecords(accountId: number, query: ContactQuery): Promise<{ contacts: ContactRecord[]; total: number }>;
  countContactRecords(accountId: number): Promise<number>;
  /**
   * Deletes the saved contacts among `numbers` and `contactIds`; returns the numbers deleted. Their
   * opt-out state stays: a deleted contact that had opted out is still opted out.
   */
  deleteContactRecords(input: { accountId: number; numbers: string[]; contactIds: string[] }): Promise<string[]>;
  /** Records that the number's service is known (a lookup, a delivery). */
  setContactService(input: { accountId: number; number: string; service: Service; now: number }): Promise<void>;
  /** Asks the number to verify itself (first time only: a repeated ask keeps the first time). */
  requestContactVerification(input: { accountId: number; number: string; now: number }): Promise<VerifiedContact>;
  /** Undefined when no verification was asked for the number. */
  getVerifiedContact(accountId: number, number: string): Promise<VerifiedContact | undefined>;
  /** Every number asked to verify, oldest ask first. */
  listVerifiedContacts(accountId: number): Promise<VerifiedContact[]>;
}
