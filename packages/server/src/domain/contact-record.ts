import type { Service } from './message.js';

/**
 * A contact the account keeps (the Contacts API): one record per account and number, on the same
 * row as the number's opt-out state, so the record's `optedOut` is exactly what sends obey.
 */
export interface ContactRecord {
  /** Immutable identity, a lowercase UUID; a deleted and re-created contact gets a new one. */
  contactId: string;
  accountId: number;
  /** E.164. */
  number: string;
  firstName: string;
  lastName: string;
  companyName: string;
  assignedToEmail: string;
  /** The line to send with; '' when none was chosen. */
  sendblueNumber: string;
  tags: string[];
  customVariables: Record<string, string>;
  optedOut: boolean;
  /** Whether the account holds an inbound message from the number. */
  verified: boolean;
  /** The network last known to reach the number; null when not known. */
  service: Service | null;
  createdAt: number;
  updatedAt: number;
}

/** The fields a create or an update may set; `undefined` leaves a field as it is. */
export interface ContactFields {
  firstName?: string;
  lastName?: string;
  companyName?: string;
  assignedToEmail?: string;
  sendblueNumber?: string;
  /** Replaces the tags. */
  tags?: string[];
  /** Merged into the stored variables, key by key. */
  customVariables?: Record<string, string>;
}

export const CONTACT_ORDER_BY = ['createdAt', 'updatedAt', 'firstName', 'lastName', 'phone'] as const;
export type ContactOrderBy = (typeof CONTACT_ORDER_BY)[number];

export interface ContactQuery {
  contactId?: string;
  number?: string;
  createdAtGte?: number;
  orderBy: ContactOrderBy;
  orderDirection: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** A number asked to verify itself by messaging one of the account's lines (`/v3/verified-contacts`). */
export interface VerifiedContact {
  number: string;
  verified: boolean;
  /** When the verification was asked for. */
  createdAt: number;
  /** When it was asked for, or when the first inbound message verified it, whichever is later. */
  updatedAt: number;
}

/** A contact as the Contacts API and the `contact_created` webhook show it. */
export function contactToWire(c: ContactRecord) {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    contact_id: c.contactId,
    phone: c.number,
    first_name: c.firstName,
    last_name: c.lastName,
    company_name: c.companyName,
    assigned_to_email: c.assignedToEmail,
    sendblue_number: c.sendblueNumber,
    tags: c.tags,
    custom_variables: c.customVariables,
    opt_out: c.optedOut,
    verified: c.verified,
    service: c.service,
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
  };
}
