/**
 * Group commit: every call made during one event-loop turn is handed to `flush` together, so one
 * transaction (and one fsync) serves them all, yet each caller gets its own result or error.
 *
 * `flush` returns one settled result per item, in order. If `flush` itself throws, every item of
 * the batch fails with that error (the transaction rolled back, nothing was stored).
 */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export class Batcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private scheduled = false;

  constructor(
    private readonly flush: (items: I[]) => Settled<O>[] | Promise<Settled<O>[]>,
    private readonly maxBatch = 1000,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.run());
      }
    });
  }

  private async run(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await this.flush(batch.map((p) => p.item));
        batch.forEach((p, i) => {
          const r = results[i];
          if (r === undefined) p.reject(new Error('group commit returned too few results'));
          else if (r.ok) p.resolve(r.value);
          else p.reject(r.error);
        });
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    this.scheduled = false;
  }
}
