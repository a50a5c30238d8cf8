import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config.js';
import { VERSION } from '../version.js';
import { CliError } from './cli-error.js';
import { accountCommands } from './accounts.js';
import { keyCommands } from './keys.js';
import { lineCommands } from './lines.js';
import { migrateDbCommand } from './migrate-db.js';
import { backupCommand } from './backup.js';
import { restoreCommand } from './restore.js';
import { serveCommand } from './serve.js';
import { webhookCommands } from './webhooks.js';
import { sendCommand } from './send.js';
import { inboundCommand } from './inbound.js';
import { typingCommand } from './typing.js';
import { resetCommand } from './reset.js';
import { tailCommand } from './tail.js';
import { inboxCommands } from './inbox-link.js';

/** `tapback <command>`: the server and the administration of accounts, keys and lines. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('tapback')
    .description('Tapback: a self-hosted messaging server, wire-compatible with the Sendblue Messages API')
    .version(VERSION)
    .option('--database-url <url>', 'database to use (default: DATABASE_URL or sqlite:./data/tapback.db)')
    .exitOverride();
  program.addCommand(serveCommand());
  program.addCommand(accountCommands(program));
  program.addCommand(keyCommands(program));
  program.addCommand(lineCommands(program));
  program.addCommand(webhookCommands());
  program.addCommand(migrateDbCommand());
  // Talking to a running server over its HTTP API (http-client.ts).
  for (const c of [sendCommand(), inboundCommand(), typingCommand(), resetCommand(), tailCommand()]) {
    program.addCommand(c);
  }
  program.addCommand(backupCommand(program));
  program.addCommand(restoreCommand(program));
  program.addCommand(inboxCommands(program));
  // Subcommands built on their own do not inherit exitOverride: without it, a usage mistake in
  // one of them exits 1 from inside Commander instead of 2 from here.
  const everyCommand = (c: Command): Command[] => [c, ...c.commands.flatMap(everyCommand)];
  for (const c of everyCommand(program)) c.exitOverride();
  // `tapback` alone explains itself rather than starting a server; a mistyped command gets
  // Commander's "did you mean" instead of being taken for an argument of a default command.
  if (argv.length <= 2) {
    program.outputHelp();
    return;
  }
  try {
    await program.parseAsync(argv);
  } catch (error) {
    // Help and --version exit 0; usage mistakes (Commander has printed why) exit 2.
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    if (error instanceof ConfigError || error instanceof CliError) {
      process.stderr.write(`tapback: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}
