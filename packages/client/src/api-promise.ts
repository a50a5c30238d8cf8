/** A parsed response body together with the raw `Response` it came from. */
export interface WithResponse<T> {
  data: T;
  /** The final attempt's response; its body has already been read into `data`. */
  response: Response;
}

/**
 * What every API method returns: await it for the parsed body, or call `.withResponse()` for the
 * body and the raw `Response` (status, headers such as `idempotent-replayed`). The request starts
 * as soon as the method is called, whether or not the promise is awaited.
 *
 * @example
 * const { data, response } = await client.messages.send(params).withResponse();
 * console.log(response.status, response.headers.get('idempotent-replayed'), data.message_handle);
 */
export class APIPromise<T> implements PromiseLike<T> {
  readonly #result: Promise<WithResponse<T>>;
  #data: Promise<T> | undefined;

  constructor(result: Promise<WithResponse<T>>) {
    this.#result = result;
  }

  /**
   * Resolves with the parsed body and the raw `Response`.
   *
   * @example
   * const { response } = await client.messages.getStatus({ handle }).withResponse();
   * console.log(response.headers.get('content-type'));
   */
  withResponse(): Promise<WithResponse<T>> {
    return this.#result;
  }

  /** The promise protocol, so `await client.messages.send(...)` gives the parsed body. */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#parsed().then(onfulfilled, onrejected);
  }

  /** As `Promise.prototype.catch`; errors are `APIError` subclasses. */
  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.#parsed().catch(onrejected);
  }

  /** As `Promise.prototype.finally`. */
  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.#parsed().finally(onfinally);
  }

  get [Symbol.toStringTag](): string {
    return 'APIPromise';
  }

  #parsed(): Promise<T> {
    this.#data ??= this.#result.then((r) => r.data);
    return this.#data;
  }
}
