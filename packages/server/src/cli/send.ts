import type { Command } from 'commander';
import { type HttpOptions, clientFrom, httpAction, httpCommand } from './http-client.js';

interface WireMessage {
  message_handle?: string;
  status?: string;
  error_code?: number | null;
  error_message?: string | null;
  date_created?: string;
}

/** `tapback send --from <line> --to <number> "text"`: POST /api/send-message on a running server. */
export function sendCommand(): Command {
  return httpCommand('send')
    .description('send a message through a running server (POST /api/send-message)')
    .argument('[content]', 'the text')
    .requiredOption('--from <line>', 'your line (from_number), E.164')
    .requiredOption('--to <number>', 'the recipient, E.164')
    .option('--media-url <url>', 'a media URL to attach')
    .option('--send-style <style>', 'an iMessage expressive style, e.g. invisible')
    .option('--status-callback <url>', 'a URL to POST each status change to')
    .option('--json', "print the API's JSON answer")
    .action(
      httpAction(
        async (
          content: string | undefined,
          opts: HttpOptions & {
            from: string;
            to: string;
            mediaUrl?: string;
            sendStyle?: string;
            statusCallback?: string;
            json?: boolean;
          },
        ) => {
          const body = {
            number: opts.to,
            from_number: opts.from,
            ...(content === undefined ? {} : { content }),
            ...(opts.mediaUrl === undefined ? {} : { media_url: opts.mediaUrl }),
            ...(opts.sendStyle === undefined ? {} : { send_style: opts.sendStyle }),
            ...(opts.statusCallback === undefined ? {} : { status_callback: opts.statusCallback }),
          };
          const sent = await clientFrom(opts).request<WireMessage>('POST', '/api/send-message', body);
          printMessage(sent, opts.json === true);
        },
      ),
    );
}

/** A message answer: the API's JSON, or its handle and status (and error, if any) on one line. */
export function printMessage(message: WireMessage, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(message, null, 2)}\n`);
    return;
  }
  const error = message.error_message ? `  ${message.error_code ?? ''} ${message.error_message}`.trimEnd() : '';
  process.stdout.write(`${message.message_handle ?? '-'}  ${message.status ?? '-'}${error}\n`);
}
