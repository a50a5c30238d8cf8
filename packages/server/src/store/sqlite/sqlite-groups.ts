import type Database from 'better-sqlite3';
import { type Group, memberKey } from '../../domain/group.js';
import type { Stmt } from './sqlite-statements.js';

interface GroupRow {
  group_id: string;
  account_id: number;
  line: string;
  name: string;
  members: string;
  created_at: number;
  updated_at: number;
}

/**
 * Group conversations. A group's latest message is read from the messages (an index on
 * account, group and time), never written with each message, so sends stay one insert.
 */
export class SqliteGroups {
  constructor(
    private readonly db: Database.Database,
    private readonly stmt: Stmt,
  ) {}

  findOrCreate(input: { accountId: number; line: string; members: string[]; groupId: string; now: number }): Group {
    const key = memberKey(input.members);
    return this.db
      .transaction(() => {
        const found = this.stmt(
          `SELECT * FROM chat_groups WHERE account_id = ? AND line = ? AND member_key = ? ORDER BY id DESC LIMIT 1`,
        ).get(input.accountId, input.line, key) as GroupRow | undefined;
        if (found !== undefined) return this.toGroup(found);
        this.stmt(
          `INSERT INTO chat_groups (group_id, account_id, line, name, members, member_key, created_at, updated_at)
           VALUES (?, ?, ?, '', ?, ?, ?, ?)`,
        ).run(input.groupId, input.accountId, input.line, JSON.stringify(input.members), key, input.now, input.now);
        return this.mustGet(input.accountId, input.groupId);
      })
      .immediate();
  }

  get(accountId: number, groupId: string): Group | undefined {
    const row = this.stmt('SELECT * FROM chat_groups WHERE group_id = ? AND account_id = ?').get(groupId, accountId) as
      GroupRow | undefined;
    return row && this.toGroup(row);
  }

  setMembers(input: { accountId: number; groupId: string; members: string[]; now: number }): Group | undefined {
    const r = this.stmt(
      'UPDATE chat_groups SET members = ?, member_key = ?, updated_at = ? WHERE group_id = ? AND account_id = ?',
    ).run(JSON.stringify(input.members), memberKey(input.members), input.now, input.groupId, input.accountId);
    return r.changes === 0 ? undefined : this.get(input.accountId, input.groupId);
  }

  private mustGet(accountId: number, groupId: string): Group {
    const group = this.get(accountId, groupId);
    if (group === undefined) throw new Error('group vanished after insert');
    return group;
  }

  private toGroup(r: GroupRow): Group {
    const latest = this.stmt(
      `SELECT handle, created_at FROM messages WHERE account_id = ? AND group_id = ?
        ORDER BY created_at DESC, id DESC LIMIT 1`,
    ).get(r.account_id, r.group_id) as { handle: string; created_at: number } | undefined;
    return {
      groupId: r.group_id,
      accountId: r.account_id,
      line: r.line,
      name: r.name,
      members: JSON.parse(r.members) as string[],
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      latest: latest === undefined ? null : { handle: latest.handle, createdAt: latest.created_at },
    };
  }
}
