import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config.js';
import { VERSION } from '../main.js';
import { accountCommands } from './accounts.js';
import { keyCommands } from './keys.js';
import { lineCommands } from './lines.js';
import { serveCommand } from './serve.js';

/** `tapback <command>`: the server and the administration of accounts, keys and lines. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('tapback')
    .description('Tapback: a self-hosted messaging server, wire-compatible with the Sendblue Messages API')
    .version(VERSION)
    .option('--database-url <url>', 'database to use (default: DATABASE_URL or sqlite:./data/tapback.db)')
    .exitOverride();
  program.addCommand(serveCommand(), { isDefault: true });
  program.addCommand(accountCommands(program));
  program.addCommand(keyCommands(program));
  program.addCommand(lineCommands(program));
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    if (error instanceof ConfigError || error instanceof CliError) {
      process.stderr.write(`tapback: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

/** A user mistake on the command line: printed without a stack, exit code 2. */
export class CliError extends Error {}
