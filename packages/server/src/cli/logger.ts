import { type DestinationStream, type Logger, pino } from 'pino';
import type { Config } from '../config/config.js';

/** Where the server's logs go: standard output, or a stream a test gives. */
export interface LogOutput {
  /** Whether it is a terminal (`process.stdout.isTTY`), for `TAPBACK_LOG_FORMAT=auto`. */
  isTTY?: boolean;
  /** The file descriptor to write to; 1 (standard output) when absent. */
  fd?: number;
}

/** Whether `format` means pretty output on `output`. */
export function usesPrettyLogs(format: Config['logFormat'], output: LogOutput = process.stdout): boolean {
  return format === 'pretty' || (format === 'auto' && output.isTTY === true);
}

/**
 * The server's logger: JSON lines (pino's own format, one object a line) for collectors, or
 * pino-pretty's coloured lines for people at a terminal. JSON lines are written asynchronously:
 * a blocking write per request line held the event loop whenever the reader of standard output (a
 * service manager, a pipe) was slow, and lines logged while a write is under way leave together.
 * pino flushes what is pending synchronously when the process exits, so a line written just before
 * an exit (a start-up failure, a shutdown) is never lost. Pretty printing, for a person at a
 * terminal, runs in this process and synchronously. pino-pretty is loaded only when used.
 */
export async function createLogger(
  config: Pick<Config, 'logLevel' | 'logFormat'>,
  output: LogOutput = process.stdout,
): Promise<Logger> {
  const fd = output.fd ?? 1;
  if (!usesPrettyLogs(config.logFormat, output)) {
    return pino({ level: config.logLevel }, pino.destination({ fd, sync: false }));
  }
  const { build: prettyStream } = await import('pino-pretty');
  const stream: DestinationStream = prettyStream({
    destination: fd,
    sync: true,
    colorize: output.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
  });
  return pino({ level: config.logLevel }, stream);
}
