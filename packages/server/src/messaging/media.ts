import type { Clock } from '../domain/clock.js';
import { errors } from '../domain/errors.js';
import {
  bareContentType,
  isAllowedMediaType,
  type MediaFetcher,
  type MediaObject,
  mediaFilename,
  newMediaId,
  type StoredMedia,
} from '../domain/media.js';
import { checkPublicUrl, wellFormed } from '../domain/validation.js';
import type { MediaPort } from '../store/ports/media-port.js';
import type { Caller } from './caller.js';

export interface MediaLimits {
  /** `TAPBACK_MEDIA_MAX_BYTES`. */
  maxBytes: number;
  /** `TAPBACK_MEDIA_FETCH_TIMEOUT_MS`: the whole fetch, body included. */
  fetchTimeoutMs: number;
  /** `TAPBACK_UPLOAD_MAX_BYTES`: a file sent to `POST /api/upload-file`; `maxBytes` when absent. */
  uploadMaxBytes?: number;
}

/** A file a client sent as bytes (a multipart part). */
export interface UploadedFile {
  bytes: Buffer;
  /** The part's declared type. */
  contentType: string;
  /** The part's file name, as the client gave it. */
  filename: string;
}

export interface MediaServiceDeps {
  store: Pick<MediaPort, 'saveMedia' | 'getMedia'>;
  /** Fetches through the SSRF guard (webhooks/media-fetcher.ts in production). */
  fetcher: MediaFetcher;
  clock: Clock;
  limits: MediaLimits;
}

/**
 * Media objects: a file fetched from a client's URL once, kept in the database, and served back by
 * Tapback at an unguessable URL (`/media/<id>/<filename>`) that messages may use as `media_url`.
 */
export class MediaService {
  constructor(private readonly deps: MediaServiceDeps) {}

  /** `POST /api/upload-media-object`. */
  async upload(caller: Caller, mediaUrl: string): Promise<MediaObject> {
    const media = await this.fetch(caller, mediaUrl, 'media_url', isAllowedMediaType);
    return this.deps.store.saveMedia(media);
  }

  /** The largest file `POST /api/upload-file` takes. */
  get uploadMaxBytes(): number {
    return this.deps.limits.uploadMaxBytes ?? this.deps.limits.maxBytes;
  }

  /**
   * `POST /api/upload-file`: keeps a file the client sent, under the same type allow-list as a
   * fetched one (by its declared type) but within `uploadMaxBytes`, the upload's own limit. The
   * caller has already cut the part off at that limit; this checks again, so no path stores more.
   */
  async uploadFile(caller: Caller, file: UploadedFile, field = 'file'): Promise<MediaObject> {
    if (file.bytes.length === 0) throw errors.validation(field, 'is empty');
    if (file.bytes.length > this.uploadMaxBytes) throw errors.fileTooLarge(field, this.uploadMaxBytes);
    const media = this.stored(caller, {
      contentType: file.contentType,
      bytes: file.bytes,
      path: file.filename,
      sourceUrl: null,
      field,
      allowed: isAllowedMediaType,
      maxBytes: this.uploadMaxBytes,
    });
    return this.deps.store.saveMedia(media);
  }

  /**
   * Fetches `raw` (named `field` in errors) within the time limit and `maxBytes` (at most the
   * setting's) and checks its declared type with `allowed`; the result is ready to store, not stored.
   */
  async fetch(
    caller: Caller,
    raw: string,
    field: string,
    allowed: (type: string) => boolean,
    limit = this.deps.limits.maxBytes,
  ): Promise<StoredMedia> {
    const maxBytes = Math.min(limit, this.deps.limits.maxBytes);
    const url = wellFormed(raw);
    checkPublicUrl(url, field);
    const { fetchTimeoutMs } = this.deps.limits;
    const result = await this.deps.fetcher.fetch(url, { maxBytes, timeoutMs: fetchTimeoutMs });
    switch (result.kind) {
      case 'blocked':
        throw errors.urlNotAllowed(field, result.reason);
      case 'too_large':
        throw errors.mediaTooLarge(field, maxBytes);
      case 'failed':
        throw errors.mediaFetchFailed(field, `could not be fetched: ${result.reason}`);
      case 'ok':
        return this.stored(caller, { ...result, sourceUrl: url, field, allowed });
    }
  }

  /** Bytes a client uploaded directly (a group photo's `file`), checked as a fetched file is. */
  stored(
    caller: Caller,
    input: {
      contentType: string;
      bytes: Buffer;
      path: string;
      sourceUrl: string | null;
      field: string;
      allowed: (type: string) => boolean;
      /** The size limit; `TAPBACK_MEDIA_MAX_BYTES` unless given. */
      maxBytes?: number;
    },
  ): StoredMedia {
    const type = bareContentType(input.contentType);
    if (!input.allowed(type)) throw errors.mediaTypeNotAllowed(input.field, type);
    const maxBytes = input.maxBytes ?? this.deps.limits.maxBytes;
    if (input.bytes.length > maxBytes) throw errors.mediaTooLarge(input.field, maxBytes);
    return {
      id: newMediaId(),
      accountId: caller.accountId,
      filename: mediaFilename(input.path, type),
      contentType: type,
      size: input.bytes.length,
      sourceUrl: input.sourceUrl,
      bytes: input.bytes,
      createdAt: this.deps.clock.now(),
    };
  }

  /** The object behind a public media URL; anyone holding the URL may read it. */
  get(id: string): Promise<StoredMedia | undefined> {
    return this.deps.store.getMedia(id);
  }
}
