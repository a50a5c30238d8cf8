import { type Group, memberKey } from '../../domain/group.js';
import type { StoredMedia } from '../../domain/media.js';
import { fromJson, holdsNul } from './dialect-values.js';
import { mediaRow } from './media-queries.js';
import { type Plan, type QB, type RowOf, first, lock, run } from './query-plan.js';

/**
 * Group conversations. A group's latest message is read from the messages (an index on account,
 * group and time), never written with each message, so sends stay one insert.
 */

/** In a transaction: two sends to a new member set at once must create one group, not two. */
export function* findOrCreateGroup(
  q: QB,
  input: { accountId: number; line: string; members: string[]; groupId: string; now: number },
): Plan<Group> {
  const key = memberKey(input.members);
  yield* lock(`group:${input.accountId}:${input.line}:${key}`);
  const found = yield* first(
    groups(q)
      .where('g.account_id', '=', input.accountId)
      .where('g.line', '=', input.line)
      .where('g.member_key', '=', key)
      .orderBy('g.id', 'desc')
      .limit(1),
  );
  if (found !== undefined) return groupFromRow(found);
  yield* run(
    q.insertInto('chat_groups').values({
      group_id: input.groupId,
      account_id: input.accountId,
      line: input.line,
      name: '',
      members: JSON.stringify(input.members),
      member_key: key,
      created_at: input.now,
      updated_at: input.now,
    }),
  );
  const group = yield* getGroup(q, input.accountId, input.groupId);
  if (group === undefined) throw new Error('group vanished after insert');
  return group;
}

export function* getGroup(q: QB, accountId: number, groupId: string): Plan<Group | undefined> {
  const row = yield* first(groups(q).where('g.group_id', '=', groupId).where('g.account_id', '=', accountId));
  return row && groupFromRow(row);
}

export function* setGroupMembers(
  q: QB,
  input: { accountId: number; groupId: string; members: string[]; now: number },
): Plan<Group | undefined> {
  if (holdsNul(input.groupId)) return undefined;
  const changed = yield* run(
    q
      .updateTable('chat_groups')
      .set({ members: JSON.stringify(input.members), member_key: memberKey(input.members), updated_at: input.now })
      .where('group_id', '=', input.groupId)
      .where('account_id', '=', input.accountId),
  );
  return changed === 0 ? undefined : yield* getGroup(q, input.accountId, input.groupId);
}

export function* renameGroup(
  q: QB,
  input: { accountId: number; groupId: string; name: string; now: number },
): Plan<Group | undefined> {
  if (holdsNul(input.groupId)) return undefined;
  const changed = yield* run(
    q
      .updateTable('chat_groups')
      .set({ name: input.name, updated_at: input.now })
      .where('group_id', '=', input.groupId)
      .where('account_id', '=', input.accountId),
  );
  return changed === 0 ? undefined : yield* getGroup(q, input.accountId, input.groupId);
}

/** In a transaction: the new photo is stored and the one it replaces deleted, or nothing changes. */
export function* setGroupPhoto(
  q: QB,
  input: { accountId: number; groupId: string; photo: StoredMedia | null; now: number },
): Plan<Group | undefined> {
  const group = yield* getGroup(q, input.accountId, input.groupId);
  if (group === undefined) return undefined;
  if (input.photo !== null) yield* run(q.insertInto('media_objects').values(mediaRow(input.photo)));
  yield* run(
    q
      .updateTable('chat_groups')
      .set({ photo_media_id: input.photo?.id ?? null, updated_at: input.now })
      .where('group_id', '=', input.groupId)
      .where('account_id', '=', input.accountId),
  );
  if (group.photo !== null) {
    yield* run(
      q.deleteFrom('media_objects').where('media_id', '=', group.photo.id).where('account_id', '=', input.accountId),
    );
  }
  return yield* getGroup(q, input.accountId, input.groupId);
}

/** Each group with its newest message: two index probes per group, on both dialects. */
function groups(q: QB) {
  return q.selectFrom('chat_groups as g').select((eb) => {
    const latest = () =>
      eb
        .selectFrom('messages as m')
        .whereRef('m.account_id', '=', 'g.account_id')
        .whereRef('m.group_id', '=', 'g.group_id')
        .orderBy('m.created_at', 'desc')
        .orderBy('m.id', 'desc')
        .limit(1);
    return [
      'g.group_id',
      'g.account_id',
      'g.line',
      'g.name',
      'g.members',
      'g.created_at',
      'g.updated_at',
      'g.photo_media_id',
      eb
        .selectFrom('media_objects as p')
        .whereRef('p.media_id', '=', 'g.photo_media_id')
        .select('p.filename')
        .as('photo_filename'),
      latest().select('m.handle').as('latest_handle'),
      latest().select('m.created_at').as('latest_at'),
    ];
  });
}

function groupFromRow(r: RowOf<ReturnType<typeof groups>>): Group {
  return {
    groupId: r.group_id,
    accountId: r.account_id,
    line: r.line,
    name: r.name,
    members: fromJson(r.members),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    latest:
      r.latest_handle === null || r.latest_at === null ? null : { handle: r.latest_handle, createdAt: r.latest_at },
    photo:
      r.photo_media_id === null || r.photo_filename === null
        ? null
        : { id: r.photo_media_id, filename: r.photo_filename },
  };
}
