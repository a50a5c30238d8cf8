-- Media objects (uploaded from a URL, or a group's photo), stored in the database itself so that
-- every process serving the API can read every object: no shared disk or object store to set up.
-- media_id: 32 hex digits (128 random bits), the unguessable part of the object's public URL.
CREATE TABLE media_objects (
  media_id     text   PRIMARY KEY,
  account_id   bigint NOT NULL REFERENCES accounts (id),
  filename     text   NOT NULL,
  content_type text   NOT NULL,
  size         bigint NOT NULL,
  source_url   text,
  bytes        bytea  NOT NULL,
  created_at   bigint NOT NULL
);
CREATE INDEX media_objects_account ON media_objects (account_id, created_at);

-- What a message of a type of its own carries besides the common fields (a carousel's images, an
-- App Card's layout); NULL for plain and group messages. Nullable without a default: no rewrite.
ALTER TABLE messages ADD COLUMN type_payload jsonb;

-- The group's photo, a media object; NULL when it has none.
ALTER TABLE chat_groups ADD COLUMN photo_media_id text;
