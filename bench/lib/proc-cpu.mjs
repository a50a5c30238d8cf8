// CPU time a process has used, from /proc (Linux): on its main thread and on all its other threads
// (libuv's pool, which writes logs to a pipe; the SQLite thread; V8's GC helpers). What a process
// costs per request holds up better on a shared, noisy machine than its throughput does, and the
// other threads' share is work a main-thread CPU profile never shows.
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SEC = 100;

function threadMs(pid, tid) {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  // The fields after the parenthesised name: utime and stime are the 12th and 13th of them.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SEC;
}

/** CPU milliseconds of process `pid` so far: `main` (its main thread) and `other` (every other thread). */
export function processCpu(pid) {
  try {
    let main = 0;
    let other = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const ms = threadMs(pid, tid);
      if (tid === String(pid)) main += ms;
      else other += ms;
    }
    return { main, other };
  } catch {
    return null;
  }
}

/** The CPU `pid` used while `work` ran, per 1,000 of the `count(result)` requests it made (ms). */
export async function cpuPerThousand(pid, work, count) {
  const before = processCpu(pid);
  const result = await work();
  const after = processCpu(pid);
  const n = count(result);
  if (before === null || after === null || n === 0) return { result, cpu: null };
  const per = (ms) => Math.round((ms * 1000 * 10) / n) / 10;
  return {
    result,
    cpu: { mainMsPerK: per(after.main - before.main), otherMsPerK: per(after.other - before.other) },
  };
}
