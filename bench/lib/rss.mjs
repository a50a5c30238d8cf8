// Resident memory of a process, from /proc/<pid>/status (Linux), sampled on an interval.
import { readFileSync } from 'node:fs';

export function rssMiB(pid) {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return Number.isFinite(kb) ? Math.round((kb / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}

/** Samples every `everyMs`; `stop()` returns the samples and their peak, first and last. */
export function sampleRss(pid, everyMs = 1000) {
  const samples = [];
  const take = () => {
    const mib = rssMiB(pid);
    if (mib !== null) samples.push(mib);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    samples,
    stop() {
      clearInterval(timer);
      take();
      return summarise(samples);
    },
  };
}

export function summarise(samples) {
  if (samples.length === 0) return { peakMiB: null, firstMiB: null, lastMiB: null, samples: 0 };
  const tenth = Math.max(1, Math.floor(samples.length / 10));
  // Growth: the mean of the last tenth against the mean of the second tenth (after warm-up).
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const early = mean(samples.slice(tenth, 2 * tenth).length > 0 ? samples.slice(tenth, 2 * tenth) : samples);
  const late = mean(samples.slice(-tenth));
  return {
    peakMiB: Math.max(...samples),
    firstMiB: samples[0],
    lastMiB: samples[samples.length - 1],
    growthMiB: Math.round((late - early) * 10) / 10,
    samples: samples.length,
  };
}
