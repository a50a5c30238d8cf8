import type { MediaObject, StoredMedia } from '../../domain/media.js';
import { type Plan, type QB, type RowOf, first, run } from './query-plan.js';

/**
 * Media objects, bytes included, in the database of either backend: every process of a
 * PostgreSQL deployment serves every object, with nothing else to share.
 */

export function* saveMedia(q: QB, media: StoredMedia): Plan<MediaObject> {
  yield* run(q.insertInto('media_objects').values(mediaRow(media)));
  return withoutBytes(media);
}

/** The object with its bytes; its id is the whole permission (a public URL), so no account is asked. */
export function* getMedia(q: QB, id: string): Plan<StoredMedia | undefined> {
  const row = yield* first(mediaSelect(q).select('bytes').where('media_id', '=', id));
  return row && { ...fromRow(row), bytes: Buffer.from(row.bytes) };
}

export function mediaRow(media: StoredMedia) {
  return {
    media_id: media.id,
    account_id: media.accountId,
    filename: media.filename,
    content_type: media.contentType,
    size: media.size,
    source_url: media.sourceUrl,
    bytes: media.bytes,
    created_at: media.createdAt,
  };
}

function fromRow(r: RowOf<ReturnType<typeof mediaSelect>>): MediaObject {
  return {
    id: r.media_id,
    accountId: r.account_id,
    filename: r.filename,
    contentType: r.content_type,
    size: Number(r.size),
    sourceUrl: r.source_url,
    createdAt: r.created_at,
  };
}

function mediaSelect(q: QB) {
  return q
    .selectFrom('media_objects')
    .select(['media_id', 'account_id', 'filename', 'content_type', 'size', 'source_url', 'created_at']);
}

function withoutBytes(media: StoredMedia): MediaObject {
  const { bytes: _bytes, ...rest } = media;
  return rest;
}
