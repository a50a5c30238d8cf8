// Scenario: what logging costs at the default level. Durable sends (autocannon, 50 connections,
// the worker delivering) against a server at the default TAPBACK_LOG_LEVEL (one request log line
// per request, stdout to a pipe this process drains, as a service manager would) and an identical
// server at `silent`, alternated A/B/B/A in the same run. Both start together; the one not measured
// is frozen (SIGSTOP), so neither's backlog delivery takes CPU from the other's measurement, and
// each one's second run inherits the backlog of its first alike. Ratio: default ÷ silent.
import { load } from './lib/load.mjs';
import { cpuPerThousand } from './lib/proc-cpu.mjs';
import { pause, resume, stopPaused } from './lib/process-pause.mjs';
import { SEND_REQUEST, startTapback } from './lib/processes.mjs';

/** The server's own default, read from its build, so the scenario follows it if it changes. */
async function defaultLogLevel() {
  const { CONFIG_KEYS } = await import(new URL('../packages/server/dist/config/config.js', import.meta.url));
  return CONFIG_KEYS.logLevel.default;
}

export async function logsScenario({ durationS = 4, connections = 50, quick = false } = {}) {
  const phaseS = quick ? 2 : durationS;
  const rounds = 2;
  const level = await defaultLogLevel();
  const { headers, body } = SEND_REQUEST;
  const sends = (server, s) =>
    load({ url: `${server.url}/api/send-message`, method: 'POST', headers, body, connections, durationS: s });

  const [logged, silent] = await Promise.all([
    startTapback({ TAPBACK_LOG_LEVEL: level }),
    startTapback({ TAPBACK_LOG_LEVEL: 'silent' }),
  ]);
  const runs = { logged: [], silent: [] };
  let logLine;
  try {
    pause(logged);
    pause(silent);
    for (let round = 0; round < rounds; round++) {
      // A B B A: a drift of the machine's load over the run weighs on both alike.
      const pair = [
        ['logged', logged],
        ['silent', silent],
      ];
      for (const [name, server] of round % 2 === 0 ? pair : pair.reverse()) {
        resume(server);
        // The first run of each warms its server up (JIT, caches) before it counts.
        if (round === 0) await sends(server, quick ? 0.5 : 1);
        const { result, cpu } = await cpuPerThousand(
          server.pid,
          () => sends(server, phaseS),
          (r) => r.total,
        );
        runs[name].push({ ...result, cpu });
        pause(server);
      }
    }
    logLine =
      logged
        .output()
        .split('\n')
        .findLast((l) => l.includes('"msg":"request"')) ?? '';
  } finally {
    await Promise.all([stopPaused(logged), stopPaused(silent)]);
  }
  const mean = (xs) => Math.round((xs.reduce((a, x) => a + x, 0) / xs.length) * 10) / 10;
  const summary = (rs) => ({
    requestsPerSec: Math.round(rs.reduce((a, r) => a + r.requestsPerSec, 0) / rs.length),
    p50Ms: Math.max(...rs.map((r) => r.p50Ms)),
    p99Ms: Math.max(...rs.map((r) => r.p99Ms)),
    runs: rs.map((r) => r.requestsPerSec),
    non2xx: rs.reduce((a, r) => a + r.non2xx, 0),
    // CPU the server used per 1,000 requests: steadier than req/s when other work shares the cores.
    ...(rs.every((r) => r.cpu !== null)
      ? {
          cpuMainMsPerK: mean(rs.map((r) => r.cpu.mainMsPerK)),
          cpuOtherThreadsMsPerK: mean(rs.map((r) => r.cpu.otherMsPerK)),
        }
      : {}),
  });
  const a = summary(runs.logged);
  const b = summary(runs.silent);
  const ratio = a.requestsPerSec / Math.max(b.requestsPerSec, 1);
  const common = { scenario: 'logs', connections, durationS: phaseS, rounds };
  return [
    { ...common, subject: 'send, TAPBACK_LOG_LEVEL=silent', ...b },
    {
      ...common,
      subject: `send, TAPBACK_LOG_LEVEL=${level} (default), request logs to a drained pipe`,
      ...a,
      requestLogLineBytes: Buffer.byteLength(logLine) + 1,
      ratio: Number(ratio.toFixed(3)),
      ...(a.cpuMainMsPerK === undefined
        ? {}
        : {
            cpuPerRequestRatio: Number(
              ((a.cpuMainMsPerK + a.cpuOtherThreadsMsPerK) / (b.cpuMainMsPerK + b.cpuOtherThreadsMsPerK)).toFixed(3),
            ),
          }),
      ratioOf: 'send req/s, default level / silent (alternated A/B/B/A)',
      target: '>= 0.9 of silent (logging costs <= 10%)',
      met: ratio >= 0.9,
    },
  ];
}
