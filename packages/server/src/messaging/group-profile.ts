import type { Clock } from '../domain/clock.js';
import { errors } from '../domain/errors.js';
import type { Group } from '../domain/group.js';
import { PHOTO_TYPES } from '../domain/media.js';
import { wellFormed } from '../domain/validation.js';
import type { ContactsPort } from '../store/ports/contacts-port.js';
import type { LinesPort } from '../store/ports/lines-port.js';
import type { MediaPort } from '../store/ports/media-port.js';
import type { Caller } from './caller.js';
import type { MediaService } from './media.js';
import { ownLine } from './validation.js';

/** Sendblue: group photos are "JPEG, PNG, or GIF, at most 5 MB". */
export const MAX_GROUP_PHOTO_BYTES = 5 * 1024 * 1024;
const MAX_GROUP_NAME_LENGTH = 256;

export interface GroupProfileDeps {
  store: Pick<ContactsPort, 'getGroup'> & Pick<MediaPort, 'renameGroup' | 'setGroupPhoto'> & LinesPort;
  media: MediaService;
  clock: Clock;
}

/** A photo given as bytes (a multipart `file`), rather than as `photo_url`. */
export interface PhotoFile {
  bytes: Buffer;
  contentType: string;
  filename: string;
}

/**
 * A group's Apple-visible name and photo (`v2.groups.rename`, `v2.groups.setPhoto`). On Sendblue a
 * device applies the change and Tapback would wait for it to verify; Tapback's lines apply it at
 * once, so the stored value is the verified one. The photo is a media object: the old one is
 * deleted when it is replaced or cleared.
 */
export class GroupProfileService {
  constructor(private readonly deps: GroupProfileDeps) {}

  async rename(caller: Caller, groupId: string, input: { group_name: string | null; from_number?: string | null }) {
    const group = await this.ownGroup(caller, groupId, input.from_number);
    const name = wellFormed(input.group_name ?? '');
    if (name !== '' && name.trim() === '') throw errors.validation('group_name', 'must not be only whitespace');
    if (name.length > MAX_GROUP_NAME_LENGTH) {
      throw errors.validation('group_name', `must be at most ${MAX_GROUP_NAME_LENGTH} characters`);
    }
    const renamed = await this.deps.store.renameGroup({
      accountId: caller.accountId,
      groupId: group.groupId,
      name,
      now: this.deps.clock.now(),
    });
    if (renamed === undefined) throw errors.notFound('Group');
    return renamed;
  }

  /** Exactly one of `photo_url` (null clears) and `file`. */
  async setPhoto(
    caller: Caller,
    groupId: string,
    input: { photo_url?: string | null; from_number?: string | null; file?: PhotoFile },
  ): Promise<Group> {
    const group = await this.ownGroup(caller, groupId, input.from_number);
    if (input.file !== undefined && input.photo_url !== undefined && input.photo_url !== null) {
      throw errors.validation('photo_url', 'must not be given together with file');
    }
    const allowed = (type: string): boolean => PHOTO_TYPES.has(type);
    let photo = null;
    if (input.file !== undefined) {
      if (input.file.bytes.length > MAX_GROUP_PHOTO_BYTES) throw errors.mediaTooLarge('file', MAX_GROUP_PHOTO_BYTES);
      photo = this.deps.media.stored(caller, {
        contentType: input.file.contentType,
        bytes: input.file.bytes,
        path: input.file.filename,
        sourceUrl: null,
        field: 'file',
        allowed,
      });
    } else if (input.photo_url === undefined) {
      throw errors.validation('photo_url', 'is required (null clears the photo), or send the image as file');
    } else if (input.photo_url !== null) {
      photo = await this.deps.media.fetch(caller, input.photo_url, 'photo_url', allowed, MAX_GROUP_PHOTO_BYTES);
    }
    const updated = await this.deps.store.setGroupPhoto({
      accountId: caller.accountId,
      groupId: group.groupId,
      photo,
      now: this.deps.clock.now(),
    });
    if (updated === undefined) throw errors.notFound('Group');
    return updated;
  }

  /** The caller's group; a `from_number` must be its line (the only line that serves it). */
  private async ownGroup(caller: Caller, groupId: string, fromNumber: string | null | undefined): Promise<Group> {
    const group = await this.deps.store.getGroup(caller.accountId, groupId);
    if (group === undefined) throw errors.notFound('Group');
    if (fromNumber !== undefined && fromNumber !== null) {
      const line = await ownLine(this.deps.store, caller.accountId, fromNumber, 'from_number');
      if (line !== group.line) throw errors.validation('from_number', `must be the group's line ${group.line}`);
    }
    return group;
  }
}
