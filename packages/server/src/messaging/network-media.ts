import type { Clock } from '../domain/clock.js';
import { bareContentType, isAllowedMediaType, mediaFilename, mediaPath, newMediaId } from '../domain/media.js';
import type { LinesPort } from '../store/ports/lines-port.js';
import type { MediaPort } from '../store/ports/media-port.js';

export interface NetworkMediaDeps {
  store: Pick<LinesPort, 'findLine'> & Pick<MediaPort, 'saveMedia'>;
  clock: Clock;
  /** Tapback's public base URL, without a trailing slash. */
  publicUrl: () => string;
  maxBytes: number;
}

/**
 * Files contacts send through a line's network (an iMessage attachment), kept in the line's
 * account's media store and linked as the inbound message's `media_url`: the network's own copy
 * needs its credentials, Tapback's URL does not.
 */
export class NetworkMedia {
  constructor(private readonly deps: NetworkMediaDeps) {}

  /**
   * Stores the file; returns its Tapback URL, or undefined when it cannot be kept (a type Tapback
   * does not serve, larger than `TAPBACK_MEDIA_MAX_BYTES`, a line removed meanwhile).
   */
  async save(
    line: string,
    file: { filename: string; contentType: string; bytes: Buffer },
  ): Promise<string | undefined> {
    const type = bareContentType(file.contentType);
    if (!isAllowedMediaType(type) || file.bytes.length > this.deps.maxBytes) return undefined;
    const owner = await this.deps.store.findLine(line);
    if (owner === undefined) return undefined;
    const stored = await this.deps.store.saveMedia({
      id: newMediaId(),
      accountId: owner.accountId,
      filename: mediaFilename(file.filename, type),
      contentType: type,
      size: file.bytes.length,
      sourceUrl: null,
      bytes: file.bytes,
      createdAt: this.deps.clock.now(),
    });
    return `${this.deps.publicUrl()}${mediaPath(stored)}`;
  }
}
