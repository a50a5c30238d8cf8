import { APIPromise, type WithResponse } from './api-promise.js';

/** How to walk an offset-paginated endpoint. */
export interface OffsetPaging<Page, Item> {
  /** Fetches the page starting at `offset`, with the original filters. */
  fetchPage(offset: number): PromiseLike<Page>;
  items(page: Page): Item[];
  /** The offset of the page after `page`, or undefined when `page` is the last. */
  nextOffset(page: Page): number | undefined;
}

/**
 * The first page of a list, which is also an async iterable over every item of every page.
 * Awaiting it gives the first page as the API returned it; `for await` fetches the following
 * pages on demand, reusing the first page's request.
 *
 * Offset paging sees the data as it is when each page is fetched: messages created while
 * iterating newest-first shift later pages, so an item can appear twice. Iterate with
 * `order_direction: 'asc'` (or dedupe on `message_handle`) when that matters.
 *
 * @example
 * for await (const message of client.messages.list({ number: '+19998887777' })) {
 *   console.log(message.message_handle, message.status);
 * }
 */
export class PagePromise<Page, Item> extends APIPromise<Page> implements AsyncIterable<Item> {
  readonly #paging: OffsetPaging<Page, Item>;

  constructor(first: Promise<WithResponse<Page>>, paging: OffsetPaging<Page, Item>) {
    super(first);
    this.#paging = paging;
  }

  /**
   * Iterates page by page, the first page included.
   *
   * @example
   * for await (const page of client.messages.list({ limit: 50 }).pages()) {
   *   console.log(page.pagination?.offset, page.data?.length);
   * }
   */
  async *pages(): AsyncGenerator<Page, void, undefined> {
    let page: Page = await this;
    yield page;
    for (let next = this.#paging.nextOffset(page); next !== undefined; next = this.#paging.nextOffset(page)) {
      page = await this.#paging.fetchPage(next);
      yield page;
    }
  }

  /** Every item of every page, in order; see the class example. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Item, void, undefined> {
    for await (const page of this.pages()) yield* this.#paging.items(page);
  }
}
