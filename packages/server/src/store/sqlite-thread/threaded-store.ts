import { Worker } from 'node:worker_threads';
import type { Store } from '../store.js';
import { SqliteEvents } from '../sqlite/sqlite-events.js';
import type { SqliteStore } from '../sqlite/sqlite-store.js';
import {
  BYTES_METHODS,
  type EncodedError,
  type ThreadAnswer,
  type ThreadCall,
  decodeError,
  postBatch,
  withBuffers,
} from './thread-protocol.js';
import { EVENT_METHODS, THREAD_METHODS } from './thread-methods.js';
import { threadEntry } from './thread-entry.js';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  bytes: boolean;
}

/** The embedded backend with its connection on a thread of its own; `threaded` says so (tests check it). */
export type ThreadedSqliteStore = SqliteStore & { readonly threaded: true };

/**
 * The SQLite store with all of its work (statements, row mapping, commits and their fsyncs) on a
 * thread of its own, so the server's event loop keeps only HTTP, JSON and the network while the
 * second core runs the database. Every store method is a message to that thread; the calls of one
 * event-loop turn travel together, and the thread's group commit still makes one transaction of
 * one turn's writes. Results and errors come back as the store in this thread would have given them.
 *
 * The live account events stay here: SQLite has one server process, so they fan out in memory to
 * the streams of this thread.
 */
export async function openThreadedSqliteStore(
  path: string,
  options: { secretKey?: string | undefined } = {},
): Promise<ThreadedSqliteStore> {
  const worker = new Worker(threadEntry(), { workerData: { path, secretKey: options.secretKey } });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let outbox: ThreadCall[] = [];
  let scheduled = false;
  let broken: Error | undefined;

  const failAll = (error: Error): void => {
    broken ??= error;
    for (const p of pending.values()) p.reject(broken);
    pending.clear();
  };
  worker.on('error', (error) => failAll(new Error(`the SQLite thread failed: ${error.message}`, { cause: error })));
  worker.on('exit', (code) => failAll(new Error(`the SQLite thread exited (code ${code})`)));
  worker.on('message', (answers: readonly ThreadAnswer[]) => {
    for (const [id, ok, value] of answers) {
      const p = pending.get(id);
      if (p === undefined) continue;
      pending.delete(id);
      if (ok) p.resolve(p.bytes ? withBuffers(value) : value);
      else p.reject(decodeError(value as EncodedError));
    }
    // An idle store keeps no process alive, as an in-thread SQLite connection would not.
    if (pending.size === 0) worker.unref();
  });
  worker.unref();

  const flush = (): void => {
    scheduled = false;
    const calls = outbox;
    outbox = [];
    postBatch(
      (items) => worker.postMessage(items),
      calls,
      (item, error) => {
        const p = pending.get(item[0]);
        pending.delete(item[0]);
        p?.reject(error);
      },
    );
  };
  const call = (method: string, args: unknown[]): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (broken !== undefined) return reject(broken);
      const id = nextId++;
      pending.set(id, { resolve, reject, bytes: BYTES_METHODS.has(method) });
      outbox.push([id, method, args]);
      if (pending.size === 1) worker.ref();
      if (!scheduled) {
        scheduled = true;
        // The rest of this turn's calls (other requests' sends, the worker's claims) join the batch.
        setImmediate(flush);
      }
    });

  const store: Record<string, unknown> = {
    capabilities: { dialect: 'sqlite', multiProcess: false },
    threaded: true,
  };
  for (const name of THREAD_METHODS) store[name] = (...args: unknown[]) => call(name, args);
  const events = new SqliteEvents() as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of EVENT_METHODS) store[name] = events[name]!.bind(events);
  // Fixed once the connection is open; the `serve` banner reads them synchronously.
  let durability: { journalMode: string; synchronous: number };
  try {
    durability = (await call('durability', [])) as typeof durability;
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  store.durability = () => durability;
  // Nothing is touched after close: the thread has closed the file, then it ends.
  let closing: Promise<void> | undefined;
  store.close = () =>
    (closing ??= (async () => {
      try {
        if (broken === undefined) await call('close', []);
      } finally {
        await worker.terminate();
      }
    })());
  return store as unknown as ThreadedSqliteStore;
}

/** Whether `store` runs its SQLite work on a thread of its own. */
export function isThreaded(store: Store): boolean {
  return (store as Partial<ThreadedSqliteStore>).threaded === true;
}
