import type { JobState, QueueStats } from '../ports/queue-stats-port.js';
import { type Plan, type QB, all, only } from './query-plan.js';

/**
 * Queue depth (QueueStatsPort). The jobs table holds only live jobs (done ones are deleted), so
 * grouping it is cheap; webhook deliveries keep their history, so only the pending ones are
 * counted, through the partial index on them.
 */
export function* queueStats(q: QB, now: number): Plan<QueueStats> {
  const jobs = yield* all(
    q
      .selectFrom('jobs')
      .select((eb) => [
        'kind',
        eb
          .case()
          .when('run_at', '<=', now)
          .then('due')
          .when('leased_by', 'is not', null)
          .then('leased')
          .else('scheduled')
          .end()
          .as('state'),
        eb.fn.countAll<number>().as('n'),
      ])
      .groupBy(['kind', 'state']),
  );
  const pending = yield* only(
    q
      .selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'pending'),
  );
  return {
    jobs: jobs
      .map((r) => ({ kind: r.kind, state: r.state as JobState, count: Number(r.n) }))
      .sort((a, b) => a.kind.localeCompare(b.kind) || a.state.localeCompare(b.state)),
    pendingWebhookDeliveries: Number(pending.n),
  };
}
