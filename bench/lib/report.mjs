// Results: one JSON line per scenario on stdout, a human table, and a file in bench/results/.
import { cpus, loadavg, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { ROOT } from './processes.mjs';

export function machine() {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAverage: loadavg().map((n) => Number(n.toFixed(2))),
  };
}

/**
 * Prints and saves the results. `took` (each scenario's seconds), `budgetS` and `quick` come from
 * run.mjs: the run ends with its time and whether it stayed within the budget.
 */
export function report(results, { elapsedS, took, budgetS, quick = false } = {}) {
  for (const r of results) process.stdout.write(`${JSON.stringify(r)}\n`);
  const verdict = (r) => (r.met === undefined ? '' : r.met ? 'met' : 'MISSED');
  const rows = results.map((r) => [
    r.scenario,
    r.subject,
    r.requestsPerSec ?? '',
    r.p50Ms ?? '',
    r.p99Ms ?? '',
    r.ratio ?? '',
    r.peakMiB === undefined ? '' : `${r.peakMiB} MiB`,
    r.target ?? '',
    verdict(r),
  ]);
  const header = ['scenario', 'subject', 'req/s', 'p50 ms', 'p99 ms', 'ratio', 'rss', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells) =>
    cells
      .map((c, i) => String(c).padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  process.stdout.write(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
  if (took !== undefined) {
    process.stdout.write(`\nseconds per scenario: ${took.map((t) => `${t.scenario} ${t.seconds}`).join(', ')}\n`);
  }
  mkdirSync(`${ROOT}bench/results`, { recursive: true });
  const file = `${ROOT}bench/results/${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, JSON.stringify({ machine: machine(), quick, elapsedS, took, results }, null, 2));
  process.stdout.write(`\nwritten to ${file}\n`);
  if (elapsedS !== undefined) {
    const pass = quick ? 'quick pass' : 'whole run';
    const verdict =
      budgetS === undefined
        ? ''
        : elapsedS <= budgetS
          ? `, within ${budgetS / 60} minutes`
          : `, OVER ${budgetS / 60} minutes by ${elapsedS - budgetS} s`;
    process.stdout.write(`${pass}: ${elapsedS} s (${(elapsedS / 60).toFixed(1)} min)${verdict}\n`);
  }
}
