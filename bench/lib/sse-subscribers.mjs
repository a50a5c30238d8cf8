// `count` SSE subscribers of one URL, held by a process of their own (sse-subscriber-process.mjs).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./sse-subscriber-process.mjs', import.meta.url));

/**
 * Opens `count` streams of `url` and resolves once each has received its first bytes. Its
 * `reset()` starts a counting window; `report()` returns the events received in it, events/s, the
 * latency quantiles (ms, from the event's `occurred_at` to arrival) and the streams dropped.
 */
export async function openSubscribers({ url, headers, count }) {
  const child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = (message) =>
    new Promise((resolve, reject) => {
      const onMessage = (m) => {
        if (m.reply !== message.cmd) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m);
      };
      const onExit = (code) => reject(new Error(`the subscriber process exited with ${code}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send(message);
    });
  const opened = await ask({ cmd: 'open', url, headers, count });
  if (opened.opened !== count) {
    child.kill();
    throw new Error(`${opened.opened} of ${count} event streams opened (${opened.refused} refused)`);
  }
  return {
    reset: () => ask({ cmd: 'reset' }),
    report: async () => {
      const r = await ask({ cmd: 'report' });
      return { ...r, eventsPerSec: Math.round((r.events / r.elapsedMs) * 1000) };
    },
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await ask({ cmd: 'close' });
      await exited;
    },
  };
}
