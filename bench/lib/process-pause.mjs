// Holding a server still while another is measured. A server that was just loaded keeps working
// after its load ends (its worker delivers the backlog the sends left), which would take CPU from
// the next measurement on these 2 cores; SIGSTOP freezes the whole process (every thread) until
// SIGCONT, so servers measured in turn each run alone, and each keeps only its own backlog.
// A CPU profile (--cpu-prof) of a process that was frozen charges the frozen time to whatever
// frame it stopped in: read such profiles by the functions of interest, not by their top entries.

/** Freezes the process `server.pid`. */
export function pause(server) {
  process.kill(server.pid, 'SIGSTOP');
}

/** Lets the process `server.pid` run again. */
export function resume(server) {
  process.kill(server.pid, 'SIGCONT');
}

/** Stops a server that may be frozen: SIGTERM is only handled once the process runs again. */
export async function stopPaused(server) {
  try {
    resume(server);
  } catch {
    // Already gone.
  }
  await server.stop();
}
