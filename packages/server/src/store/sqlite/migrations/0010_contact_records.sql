-- Contacts become records the account keeps (the Contacts API), on the same row as their opt-out
-- state: a send, a STOP and the Contacts API read and write one row per account and number.
--
-- contact_id: the record's immutable identity, set when the account saves the contact (create,
-- bulk create). NULL for a row that only holds opt-out or verification state (a STOP from a number
-- never saved): such a row is not listed, counted or retrieved as a contact. Deleting a contact
-- clears its record but keeps its opt-out state, so a deleted and re-created contact stays opted out.
-- tags: JSON array of strings; custom_variables: JSON object of string values.
-- verification_requested_at: when a verification was asked for (contacts.verify, verified
-- contacts); the contact counts as verified once the account holds an inbound message from it.
-- service: the network last known to reach the number (NULL: not known).
ALTER TABLE contacts ADD COLUMN contact_id TEXT;
ALTER TABLE contacts ADD COLUMN first_name TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN last_name TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN company_name TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN assigned_to_email TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN sendblue_number TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE contacts ADD COLUMN custom_variables TEXT NOT NULL DEFAULT '{}';
ALTER TABLE contacts ADD COLUMN created_at INTEGER;
ALTER TABLE contacts ADD COLUMN verification_requested_at INTEGER;
ALTER TABLE contacts ADD COLUMN service TEXT;

CREATE UNIQUE INDEX contacts_contact_id ON contacts (contact_id) WHERE contact_id IS NOT NULL;
-- The default list order (newest first) and the exact count read only the saved contacts.
CREATE INDEX contacts_saved ON contacts (account_id, created_at, number) WHERE contact_id IS NOT NULL;
CREATE INDEX contacts_verification ON contacts (account_id, verification_requested_at, number)
  WHERE verification_requested_at IS NOT NULL;
