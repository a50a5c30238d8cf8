import type Database from 'better-sqlite3';

interface Work {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for every write on the server's hot paths: sends accepted, jobs claimed, job
 * outcomes and webhook attempts recorded. Whatever is submitted during one event-loop turn runs in
 * one transaction, so one fsync (synchronous=FULL) serves all of it. Separate transactions per
 * kind of write cost one fsync each, several per turn, and measured half the throughput of sends
 * while the worker was delivering.
 *
 * Each piece of work gets its own result or error. Should one throw, the transaction rolls back
 * and each piece is run again in a transaction of its own, so one failure never fails the others
 * (savepoints per piece would cost ~10% of throughput). Work must therefore be safe to run twice
 * after a rollback: database writes, and in-memory state reset by `onBegin`.
 */
export class GroupCommit {
  private queue: Work[] = [];
  private scheduled = false;

  constructor(
    private readonly db: Database.Database,
    /** Called at the start of every transaction, e.g. to clear per-transaction caches. */
    private readonly onBegin: () => void = () => undefined,
    /** Called last inside every transaction, before it commits, e.g. to write summed counters. */
    private readonly onEnd: () => void = () => undefined,
    private readonly maxBatch = 1000,
  ) {}

  /** Runs `work` inside the next shared transaction; resolves once that has committed. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run: work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      let results: unknown[] | undefined;
      try {
        results = this.db
          .transaction(() => {
            this.onBegin();
            const done = batch.map((w) => w.run());
            this.onEnd();
            return done;
          })
          .immediate();
      } catch {
        results = undefined;
      }
      if (results !== undefined) {
        for (const [i, w] of batch.entries()) w.resolve(results[i]);
        continue;
      }
      for (const w of batch) {
        try {
          w.resolve(
            this.db
              .transaction(() => {
                this.onBegin();
                const done = w.run();
                this.onEnd();
                return done;
              })
              .immediate(),
          );
        } catch (error) {
          w.reject(error);
        }
      }
    }
    this.scheduled = false;
  }
}
