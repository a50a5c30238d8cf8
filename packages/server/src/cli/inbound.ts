import type { Command } from 'commander';
import { type HttpOptions, clientFrom, httpAction, httpCommand } from './http-client.js';
import { printMessage } from './send.js';

/** `tapback inbound --from <contact> --to <line> "STOP"`: a contact writes to one of your sandbox lines. */
export function inboundCommand(): Command {
  return httpCommand('inbound')
    .description('a contact sends a message to your sandbox line (POST /sandbox/inbound); STOP/START/HELP apply')
    .argument('[content]', 'the text')
    .requiredOption('--from <contact>', 'the contact writing, E.164')
    .requiredOption('--to <line>', 'your sandbox line, E.164')
    .option('--media-url <url>', 'a media URL to attach')
    .option('--group-id <id>', 'send into this group')
    .option('--json', "print the API's JSON answer")
    .action(
      httpAction(
        async (
          content: string | undefined,
          opts: HttpOptions & { from: string; to: string; mediaUrl?: string; groupId?: string; json?: boolean },
        ) => {
          const body = {
            from: opts.from,
            to: opts.to,
            ...(content === undefined ? {} : { content }),
            ...(opts.mediaUrl === undefined ? {} : { media_url: opts.mediaUrl }),
            ...(opts.groupId === undefined ? {} : { group_id: opts.groupId }),
          };
          printMessage(await clientFrom(opts).request('POST', '/sandbox/inbound', body), opts.json === true);
        },
      ),
    );
}
