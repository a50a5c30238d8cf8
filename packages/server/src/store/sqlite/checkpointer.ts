import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Runs WAL checkpoints on a thread of their own. SQLite's automatic checkpoint runs inside the
 * commit that crosses the threshold, on the event loop, and measured 15–35 ms p99 spikes on the
 * send path. With autocheckpoint off on the main connection, this thread copies the WAL back into
 * the database every `intervalMs`. PASSIVE never blocks writers; once a checkpoint has copied
 * everything, the next commit starts the WAL over from the top, so it stays small.
 *
 * Under continuous writes that restart rarely happened: it needs a commit to begin after a pass has
 * copied everything and before anything else is committed, and the WAL grew without bound (~18 MB/s
 * under the send benchmark). So each round repeats PASSIVE passes a few ms apart, each copying only
 * what was committed since the one before, until one sees that the WAL has started over. Writers
 * never wait.
 */
export class Checkpointer {
  private readonly worker: Worker;

  constructor(path: string, intervalMs = 250) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path, intervalMs } });
    // A checkpoint thread must never keep the process alive or take it down.
    this.worker.unref();
    this.worker.on('error', () => undefined);
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 1000');
const pause = new Int32Array(new SharedArrayBuffer(4));
setInterval(() => {
  try {
    let previous = Infinity;
    for (let pass = 0; pass < 25; pass++) {
      const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
      if (r === undefined || r.log <= 0 || (pass > 0 && r.log < previous)) break;
      // Nothing committed since the last pass, all of it copied: the next commit starts over.
      if (r.log === previous && r.checkpointed >= r.log) break;
      previous = r.log;
      Atomics.wait(pause, 0, 0, 2);
    }
  } catch {}
}, workerData.intervalMs);
`;
