import { AppError } from '../../domain/errors.js';

/** One store call sent to the SQLite thread: its id, the method, the arguments. */
export type ThreadCall = readonly [id: number, method: string, args: readonly unknown[]];

/** The thread's answer to one call: its id, whether it succeeded, and the result or the encoded error. */
export type ThreadAnswer = readonly [id: number, ok: boolean, value: unknown];

/** An error as it crosses threads: structured cloning would drop its class and its own fields (`code`, `status`…). */
export interface EncodedError {
  name: string;
  message: string;
  stack: string | undefined;
  fields: Record<string, unknown>;
}

export function encodeError(error: unknown): EncodedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), stack: undefined, fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (typeof value !== 'function' && key !== 'cause') fields[key] = value;
  }
  return { name: error.name, message: error.message, stack: error.stack, fields };
}

/**
 * The error the caller would have got from the store in its own thread: an `AppError` is one again
 * (callers map its code to an HTTP answer), others an `Error` with the same name, message and fields
 * (e.g. SQLite's `code`).
 */
export function decodeError(encoded: EncodedError): Error {
  const error: Error =
    encoded.name === 'AppError' ? (Object.create(AppError.prototype) as Error) : new Error(encoded.message);
  Object.defineProperty(error, 'message', { value: encoded.message, writable: true, configurable: true });
  Object.defineProperty(error, 'name', { value: encoded.name, writable: true, configurable: true });
  if (encoded.stack !== undefined) {
    Object.defineProperty(error, 'stack', { value: encoded.stack, writable: true, configurable: true });
  }
  Object.assign(error, encoded.fields);
  return error;
}

/**
 * Methods whose arguments or results carry media bytes. Structured cloning turns a Buffer into a
 * plain Uint8Array, which the SQLite driver will not bind and callers cannot `toString('base64')`,
 * so these are walked on arrival and their byte arrays made Buffers again (views, not copies).
 */
export const BYTES_METHODS: ReadonlySet<string> = new Set(['saveMedia', 'getMedia', 'setGroupPhoto']);

export function withBuffers(value: unknown): unknown {
  if (value instanceof Uint8Array) {
    return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
  if (Array.isArray(value)) return value.map(withBuffers);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[key] = withBuffers(v);
    return out;
  }
  return value;
}

/**
 * Posts `items` as one message. When one of them cannot be cloned, posts each alone, so that one
 * fails by itself (`failed`) and the others of its turn still go.
 */
export function postBatch<T>(
  post: (items: readonly T[]) => void,
  items: readonly T[],
  failed: (item: T, error: unknown) => void,
): void {
  try {
    post(items);
  } catch {
    for (const item of items) {
      try {
        post([item]);
      } catch (error) {
        failed(item, error);
      }
    }
  }
}
