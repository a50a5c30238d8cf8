import type { Group } from '../../domain/group.js';
import type { MediaObject, StoredMedia } from '../../domain/media.js';

/** Media objects (bytes kept in the database) and the group profile (name, photo) that uses them. */
export interface MediaPort {
  saveMedia(media: StoredMedia): Promise<MediaObject>;
  /** Any account's object: its 128-bit id is the permission, as its public URL is. */
  getMedia(id: string): Promise<StoredMedia | undefined>;
  /** Renames the account's group; undefined if it has no such group. */
  renameGroup(input: { accountId: number; groupId: string; name: string; now: number }): Promise<Group | undefined>;
  /**
   * Sets (or, with `photo: null`, clears) the account's group's photo in one transaction: the new
   * object is stored, and the one it replaces is deleted. Undefined (nothing stored) if the account
   * has no such group.
   */
  setGroupPhoto(input: {
    accountId: number;
    groupId: string;
    photo: StoredMedia | null;
    now: number;
  }): Promise<Group | undefined>;
}
