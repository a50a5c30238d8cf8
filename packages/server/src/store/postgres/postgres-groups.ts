import type pg from 'pg';
import { type Group, memberKey } from '../../domain/group.js';
import { type Db, inTransaction } from './postgres-pool.js';

interface GroupRow {
  group_id: string;
  account_id: number;
  line: string;
  name: string;
  members: string[];
  created_at: number;
  updated_at: number;
  latest_handle: string | null;
  latest_at: number | null;
}

/** Each group with its newest message, read from the messages rather than kept on the group. */
const SELECT = `SELECT g.group_id, g.account_id, g.line, g.name, g.members, g.created_at, g.updated_at,
    l.handle AS latest_handle, l.created_at AS latest_at
  FROM chat_groups g LEFT JOIN LATERAL (
    SELECT m.handle, m.created_at FROM messages m WHERE m.account_id = g.account_id AND m.group_id = g.group_id
     ORDER BY m.created_at DESC, m.id DESC LIMIT 1) l ON true`;

/** Group conversations (mirrors sqlite-groups.ts). */
export class PostgresGroups {
  constructor(private readonly pool: pg.Pool) {}

  async findOrCreate(input: {
    accountId: number;
    line: string;
    members: string[];
    groupId: string;
    now: number;
  }): Promise<Group> {
    const key = memberKey(input.members);
    return inTransaction(this.pool, async (c) => {
      // Two sends to a new member set at once must create one group, not two.
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`group:${input.accountId}:${input.line}:${key}`]);
      const found = await c.query<GroupRow>(
        `${SELECT} WHERE g.account_id = $1 AND g.line = $2 AND g.member_key = $3 ORDER BY g.id DESC LIMIT 1`,
        [input.accountId, input.line, key],
      );
      if (found.rows[0] !== undefined) return toGroup(found.rows[0]);
      await c.query(
        `INSERT INTO chat_groups (group_id, account_id, line, name, members, member_key, created_at, updated_at)
         VALUES ($1, $2, $3, '', $4::jsonb, $5, $6, $6)`,
        [input.groupId, input.accountId, input.line, JSON.stringify(input.members), key, input.now],
      );
      const group = await this.get(input.accountId, input.groupId, c);
      if (group === undefined) throw new Error('group vanished after insert');
      return group;
    });
  }

  async get(accountId: number, groupId: string, db: Db = this.pool): Promise<Group | undefined> {
    const r = await db.query<GroupRow>(`${SELECT} WHERE g.group_id = $1 AND g.account_id = $2`, [groupId, accountId]);
    return r.rows[0] && toGroup(r.rows[0]);
  }

  async setMembers(input: {
    accountId: number;
    groupId: string;
    members: string[];
    now: number;
  }): Promise<Group | undefined> {
    const r = await this.pool.query(
      `UPDATE chat_groups SET members = $1::jsonb, member_key = $2, updated_at = $3
        WHERE group_id = $4 AND account_id = $5`,
      [JSON.stringify(input.members), memberKey(input.members), input.now, input.groupId, input.accountId],
    );
    return (r.rowCount ?? 0) === 0 ? undefined : this.get(input.accountId, input.groupId);
  }
}

function toGroup(r: GroupRow): Group {
  return {
    groupId: r.group_id,
    accountId: r.account_id,
    line: r.line,
    name: r.name,
    members: r.members,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    latest:
      r.latest_handle === null || r.latest_at === null ? null : { handle: r.latest_handle, createdAt: r.latest_at },
  };
}
