import type { Command } from 'commander';
import { type HttpOptions, clientFrom, httpAction, httpCommand } from './http-client.js';

/** `tapback typing --from <contact> --to <line>`: a contact starts (or, with --stop, stops) typing. */
export function typingCommand(): Command {
  return httpCommand('typing')
    .description('a contact types to your sandbox line (POST /sandbox/typing): typing_indicator webhooks')
    .requiredOption('--from <contact>', 'the contact typing, E.164')
    .requiredOption('--to <line>', 'your sandbox line, E.164')
    .option('--stop', 'the contact stops typing')
    .option('--json', "print the API's JSON answer")
    .action(
      httpAction(async (opts: HttpOptions & { from: string; to: string; stop?: boolean; json?: boolean }) => {
        const body = { from: opts.from, to: opts.to, is_typing: opts.stop !== true };
        const answer = await clientFrom(opts).request<{ deliveries: number }>('POST', '/sandbox/typing', body);
        process.stdout.write(
          opts.json === true
            ? `${JSON.stringify(answer, null, 2)}\n`
            : `${opts.from} ${opts.stop === true ? 'stopped typing' : 'is typing'} to ${opts.to}: ` +
                `${answer.deliveries} typing_indicator webhook${answer.deliveries === 1 ? '' : 's'} queued\n`,
        );
      }),
    );
}
