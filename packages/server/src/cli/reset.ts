import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { CliError } from './cli-error.js';
import { type HttpOptions, clientFrom, httpAction, httpCommand } from './http-client.js';

interface ResetAnswer {
  status: 'OK';
  removed: Record<string, number>;
}

/** `tapback reset`: POST /sandbox/reset, after a confirmation on a terminal unless `--yes`. */
export function resetCommand(): Command {
  return httpCommand('reset')
    .description(
      "clear the account's messages, contacts, groups, webhook deliveries and media on a running sandbox " +
        '(POST /sandbox/reset); keys, lines, webhooks and settings stay',
    )
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--json', "print the API's JSON answer")
    .action(
      httpAction(async (opts: HttpOptions & { yes?: boolean; json?: boolean }) => {
        const client = clientFrom(opts);
        if (opts.yes !== true && process.stdin.isTTY === true && process.stdout.isTTY === true) {
          const rl = createInterface({ input: process.stdin, output: process.stdout });
          const answer = await rl.question(
            `Delete this account's messages, contacts and webhook log on ${client.baseUrl}? [y/N] `,
          );
          rl.close();
          if (!/^y(es)?$/i.test(answer.trim())) throw new CliError('nothing was deleted');
        }
        const result = await client.request<ResetAnswer>('POST', '/sandbox/reset');
        if (opts.json === true) {
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
          return;
        }
        const removed = Object.entries(result.removed).filter(([, n]) => n > 0);
        process.stdout.write(
          removed.length === 0
            ? 'Reset: nothing to remove.\n'
            : `Reset: removed ${removed.map(([kind, n]) => `${n} ${kind.replaceAll('_', ' ')}`).join(', ')}.\n`,
        );
      }),
    );
}
