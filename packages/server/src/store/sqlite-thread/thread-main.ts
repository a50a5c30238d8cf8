import { parentPort, workerData } from 'node:worker_threads';
import { createSqliteStore } from '../sqlite/sqlite-store.js';
import {
  BYTES_METHODS,
  type ThreadAnswer,
  type ThreadCall,
  encodeError,
  postBatch,
  withBuffers,
} from './thread-protocol.js';
import { THREAD_METHODS } from './thread-methods.js';

/**
 * The SQLite thread: the only connection to the file, and every statement, row mapping and fsync
 * of the store, off the server's event loop. Calls arrive in batches and start in arrival order,
 * so the group commit (sqlite/group-commit.ts) still gathers one turn's writes into one transaction;
 * answers of one turn go back together.
 */
const { path, secretKey } = workerData as { path: string; secretKey: string | undefined };
const store = createSqliteStore(path, { secretKey }) as unknown as Record<string, (...args: unknown[]) => unknown>;
const port = parentPort!;
let answers: ThreadAnswer[] = [];
let flushing = false;

function answer(a: ThreadAnswer): void {
  answers.push(a);
  if (flushing) return;
  flushing = true;
  queueMicrotask(flush);
}

function flush(): void {
  flushing = false;
  const batch = answers;
  answers = [];
  postBatch(
    (items) => port.postMessage(items),
    batch,
    (a, error) => port.postMessage([[a[0], false, encodeError(error)]]),
  );
}

function run([id, method, args]: ThreadCall): void {
  let result: unknown;
  try {
    if (!THREAD_METHODS.has(method)) throw new Error(`the SQLite thread has no store method ${method}`);
    const fn = store[method]!;
    result = fn(...(BYTES_METHODS.has(method) ? (withBuffers(args) as unknown[]) : args));
  } catch (error) {
    answer([id, false, encodeError(error)]);
    return;
  }
  Promise.resolve(result).then(
    (value) => answer([id, true, value]),
    (error: unknown) => answer([id, false, encodeError(error)]),
  );
}

port.on('message', (calls: readonly ThreadCall[]) => {
  for (const call of calls) run(call);
});
