import { randomBytes } from 'node:crypto';

/**
 * Media objects: files Tapback keeps and serves back at an unguessable URL
 * (`/media/<id>/<filename>`), so that a message may point its `media_url` at them.
 */
export interface MediaObject {
  /** 32 hex digits, 128 random bits: knowing the URL is the only permission to read it. */
  id: string;
  accountId: number;
  filename: string;
  contentType: string;
  size: number;
  /** Where it was fetched from; null for bytes uploaded directly (a group photo's file). */
  sourceUrl: string | null;
  createdAt: number;
}

export interface StoredMedia extends MediaObject {
  bytes: Buffer;
}

export function newMediaId(): string {
  return randomBytes(16).toString('hex');
}

export const MEDIA_ID_PATTERN = /^[0-9a-f]{32}$/;

/** Sendblue's form of the id (`MO_<id>.<ext>`), as the upload answers it. */
export function mediaObjectId(media: Pick<MediaObject, 'id' | 'filename'>): string {
  const dot = media.filename.lastIndexOf('.');
  return `MO_${media.id}${dot > 0 ? media.filename.slice(dot) : ''}`;
}

/** The path Tapback serves the object at. */
export function mediaPath(media: Pick<MediaObject, 'id' | 'filename'>): string {
  return `/media/${media.id}/${encodeURIComponent(media.filename)}`;
}

/**
 * What may be stored and served, by the type the source declares (parameters dropped): images,
 * audio, video and the documents iMessage carries. Served back with that type and `nosniff`, never
 * as HTML or script, so a stored file cannot run in a browser on Tapback's origin.
 */
const ALLOWED = new Map<string, string>([
  ['image/jpeg', 'jpg'],
  ['image/png', 'png'],
  ['image/gif', 'gif'],
  ['image/webp', 'webp'],
  ['image/heic', 'heic'],
  ['image/heif', 'heif'],
  ['video/mp4', 'mp4'],
  ['video/quicktime', 'mov'],
  ['audio/mpeg', 'mp3'],
  ['audio/mp4', 'm4a'],
  ['audio/x-m4a', 'm4a'],
  ['audio/aac', 'aac'],
  ['audio/wav', 'wav'],
  ['audio/amr', 'amr'],
  ['application/pdf', 'pdf'],
  ['text/vcard', 'vcf'],
]);

/** The group-photo types Sendblue accepts. */
export const PHOTO_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif']);

/** The bare, lower-case type of a Content-Type header, or '' when there is none. */
export function bareContentType(header: string | undefined): string {
  return (header ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

export function isAllowedMediaType(type: string): boolean {
  return ALLOWED.has(type);
}

export function allowedMediaTypes(): string[] {
  return [...ALLOWED.keys()];
}

/**
 * A safe file name for the object: the last segment of the source's path when it is a plain name,
 * else `file`; its extension replaced by the one its content type has, so the name never claims
 * another type.
 */
export function mediaFilename(sourcePath: string, contentType: string): string {
  const ext = ALLOWED.get(contentType) ?? 'bin';
  let last: string;
  try {
    last = decodeURIComponent(sourcePath.split('/').pop() ?? '');
  } catch {
    last = '';
  }
  const stem = last
    .replace(/\.[^.]*$/, '')
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .slice(0, 100);
  return `${/[A-Za-z0-9]/.test(stem) ? stem : 'file'}.${ext}`;
}

/** What fetching a media URL came to (the fetcher never throws for the remote side's failures). */
export type FetchedMedia =
  | { kind: 'ok'; contentType: string; bytes: Buffer; path: string }
  /** The SSRF guard refused the address. */
  | { kind: 'blocked'; reason: string }
  | { kind: 'too_large' }
  | { kind: 'failed'; reason: string };

/** Fetches a media URL within limits, through the SSRF guard. */
export interface MediaFetcher {
  fetch(url: string, limits: { maxBytes: number; timeoutMs: number }): Promise<FetchedMedia>;
}
