import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_POSTGRES } from '../../../test/support/backends.js';
import { messageDraft } from '../../../test/support/message-draft.js';
import { type RawStoreInstance, rawPostgresBackend } from '../../../test/support/raw-store-backends.js';
import { CLAIM_SQL } from './postgres-jobs.js';

/**
 * The job claim's plan on PostgreSQL must not depend on statistics: a queue's are always stale
 * (never taken on a young table, or taken when it was empty), and node-postgres's named statements
 * end up on the generic plan, where the LIMIT is estimated at 10% of the due rows.
 */

const LINE = '+15550001000';
const JOBS = 10_000;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

describe.each(HAS_POSTGRES ? [rawPostgresBackend] : [])('job claim plan ($name)', (backend) => {
  let instance: RawStoreInstance;
  let now: number;

  beforeAll(async () => {
    instance = await backend.create();
    const { store } = instance;
    const account = await store.createAccount({ email: 'claim-plan@example.com', now: Date.now() });
    await store.addLine({ accountId: account.id, number: LINE, provider: 'sandbox', now: Date.now() });
    now = Date.now();
    const r = await store.acceptOutbound({
      message: messageDraft(account, LINE, '+19998887777', { createdAt: now - JOBS - 1 }),
      queueLimit: 100,
    });
    if (r.kind !== 'accepted') throw new Error(r.kind);
    // A backlog, due in run_at order, none of it analyzed.
    await instance.query(
      `INSERT INTO jobs (kind, message_id, run_at) SELECT 'send', $1::bigint, $2::bigint + g FROM generate_series(1, ${JOBS}) AS g`,
      [r.message.id, now - JOBS],
    );
  });

  afterAll(async () => {
    await instance.dispose();
  });

  async function jobScans(): Promise<string[]> {
    await instance.query('SET plan_cache_mode = force_generic_plan');
    await instance.query(`PREPARE claim_plan(bigint, int, bigint, text) AS ${CLAIM_SQL}`);
    try {
      const rows = await instance.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
        `EXPLAIN (FORMAT JSON) EXECUTE claim_plan(${now}, 64, ${now + 60_000}, 'w')`,
      );
      const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
      if (plan === undefined) throw new Error('no plan');
      return nodes(plan)
        .filter((n) => n['Relation Name'] === 'jobs')
        .map((n) => n['Node Type']);
    } finally {
      await instance.query('DEALLOCATE claim_plan');
      await instance.query('RESET plan_cache_mode');
    }
  }

  it('leases by primary key, never reading the whole queue, before and after ANALYZE', async () => {
    const stale = await jobScans();
    await instance.query('ANALYZE jobs');
    const fresh = await jobScans();
    for (const scans of [stale, fresh]) {
      expect(scans).not.toContain('Seq Scan');
      expect(scans).toContain('Index Scan');
    }
  });

  it('claims a page in due order and leases it', async () => {
    const claimed = await instance.store.claimJobs({ now, limit: 64, leaseUntil: now + 60_000, workerId: 'w' });
    expect(claimed).toHaveLength(64);
    const due = claimed.map((c) => c.job.id);
    expect(due).toEqual([...due].sort((x, y) => x - y));
    expect(claimed.every((c) => c.job.runAt === now + 60_000 && c.job.attempts === 1)).toBe(true);
    const again = await instance.store.claimJobs({ now, limit: 64, leaseUntil: now + 60_000, workerId: 'w2' });
    expect(again.map((c) => c.job.id).filter((id) => due.includes(id))).toEqual([]);
  });
});
