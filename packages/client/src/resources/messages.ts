import type { APIPromise } from '../api-promise.js';
import type { RequestOptions, Tapback } from '../client.js';
import { TapbackError } from '../errors.js';
import type { MessageData, MessageListResponse, MessageResponse, MessageRetrieveResponse } from '../models.js';
import { PagePromise } from '../pagination.js';
import type { MessageGetStatusParams, MessageListParams, MessageSendParams } from '../params.js';
import { type WaitForOptions, waitForStatus } from '../wait-for.js';

/** Sending, reading and waiting for messages. */
export class Messages {
  readonly #client: Tapback;

  constructor(client: Tapback) {
    this.#client = client;
  }

  /**
   * Sends a message (`POST /api/send-message`). Answers once the message is stored, normally
   * with `status: 'QUEUED'`; delivery happens afterwards. Each call carries a fresh
   * `Idempotency-Key`, reused by its retries, so a retried send never creates a second message.
   *
   * @example
   * const message = await client.messages.send({
   *   number: '+19998887777',
   *   from_number: '+15550001000',
   *   content: 'Your table is ready',
   *   send_style: 'celebration',
   * });
   * console.log(message.message_handle, message.status); // '0196…', 'QUEUED'
   */
  send(params: MessageSendParams, options?: RequestOptions): APIPromise<MessageResponse> {
    return this.#client.request({ method: 'POST', path: '/api/send-message', body: params }, options);
  }

  /**
   * Reads a message's current state (`GET /api/status?handle=`).
   *
   * @example
   * const { status, error_message } = await client.messages.getStatus({ handle: message.message_handle! });
   */
  getStatus(params: MessageGetStatusParams, options?: RequestOptions): APIPromise<MessageResponse> {
    return this.#client.request({ method: 'GET', path: '/api/status', query: { handle: params.handle } }, options);
  }

  /**
   * Lists messages (`GET /api/v2/messages`), newest first unless `order_direction` says otherwise.
   * Await the result for one page (`{ status, data, pagination }`), or iterate it with
   * `for await` to walk every page. The server allows 100 list requests per 10 s per account.
   *
   * @example
   * const page = await client.messages.list({ limit: 20, is_outbound: 'false' });
   * console.log(page.pagination?.total, page.data?.length);
   *
   * for await (const message of client.messages.list({ number: '+19998887777' })) {
   *   console.log(message.date_sent, message.content);
   * }
   */
  list(params: MessageListParams = {}, options?: RequestOptions): PagePromise<MessageListResponse, MessageData> {
    const fetchPage = (offset: number | undefined): APIPromise<MessageListResponse> =>
      this.#client.request<MessageListResponse>(
        { method: 'GET', path: '/api/v2/messages', query: { ...params, offset } },
        options,
      );
    return new PagePromise(fetchPage(params.offset).withResponse(), {
      fetchPage,
      items: (page) => page.data ?? [],
      nextOffset,
    });
  }

  /**
   * Reads one message (`GET /api/v2/messages/{message_id}`), in the v2 shape.
   *
   * @example
   * const { data } = await client.messages.retrieve(handle);
   * console.log(data?.status, data?.service, data?.was_downgraded);
   */
  retrieve(handle: string, options?: RequestOptions): APIPromise<MessageRetrieveResponse> {
    if (handle === '') throw new TapbackError('retrieve needs a message handle');
    return this.#client.request({ method: 'GET', path: `/api/v2/messages/${encodeURIComponent(handle)}` }, options);
  }

  /**
   * Polls the message until it reaches `status` (default `DELIVERED`) and resolves with it.
   * Rejects with `FinalStatusError` if it ends in another final status (ERROR, DECLINED ...)
   * and with `WaitForTimeoutError` after `timeoutMs` (default 60 s). SMS messages usually stop
   * at SENT, so wait for `SENT` when the service is SMS.
   *
   * @example
   * const sent = await client.messages.send({ number, from_number, content: 'Hi' });
   * const delivered = await client.messages.waitFor(sent.message_handle!, { status: 'DELIVERED', timeoutMs: 10_000 });
   */
  waitFor(handle: string, options: WaitForOptions = {}): Promise<MessageResponse> {
    return waitForStatus((h, signal) => this.getStatus({ handle: h }, { signal }), handle, options);
  }
}

/** The next page's offset, or undefined after the last page. */
function nextOffset(page: MessageListResponse): number | undefined {
  const count = page.data?.length ?? 0;
  const { offset = 0, total, hasMore } = page.pagination ?? {};
  const more = hasMore ?? (total !== undefined && offset + count < total);
  return more && count > 0 ? offset + count : undefined;
}
