-- Contacts become records the account keeps (mirrors sqlite/migrations/0010_contact_records.sql):
-- the Contacts API's fields on the same row as the contact's opt-out state.
--
-- contact_id: the record's immutable identity, set when the account saves the contact (create,
-- bulk create). NULL for a row that only holds opt-out or verification state (a STOP from a number
-- never saved): such a row is not listed, counted or retrieved as a contact. Deleting a contact
-- clears its record but keeps its opt-out state, so a deleted and re-created contact stays opted out.
-- tags: JSON array of strings; custom_variables: JSON object of string values.
-- verification_requested_at: when a verification was asked for (contacts.verify, verified
-- contacts); the contact counts as verified once the account holds an inbound message from it.
-- service: the network last known to reach the number (NULL: not known).
-- The sortable text columns use COLLATE "C", so list orders match SQLite's byte order whatever
-- the cluster's locale.
ALTER TABLE contacts ALTER COLUMN number TYPE text COLLATE "C";
ALTER TABLE contacts ADD COLUMN contact_id text;
ALTER TABLE contacts ADD COLUMN first_name text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN last_name text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN company_name text NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN assigned_to_email text NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN sendblue_number text NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN tags jsonb NOT NULL DEFAULT '[]';
ALTER TABLE contacts ADD COLUMN custom_variables jsonb NOT NULL DEFAULT '{}';
ALTER TABLE contacts ADD COLUMN created_at bigint;
ALTER TABLE contacts ADD COLUMN verification_requested_at bigint;
ALTER TABLE contacts ADD COLUMN service text;

CREATE UNIQUE INDEX contacts_contact_id ON contacts (contact_id) WHERE contact_id IS NOT NULL;
-- The default list order (newest first) and the exact count read only the saved contacts.
CREATE INDEX contacts_saved ON contacts (account_id, created_at, number) WHERE contact_id IS NOT NULL;
CREATE INDEX contacts_verification ON contacts (account_id, verification_requested_at, number)
  WHERE verification_requested_at IS NOT NULL;
