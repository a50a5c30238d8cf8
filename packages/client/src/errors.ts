/**
 * One error class per HTTP status, as the official Sendblue SDK has, so `catch` blocks written for
 * it keep working. Branch on `code` (Tapback's stable snake_case code, e.g. `invalid_phone_number`)
 * or on the class, never on the message text.
 */

/** A field-level problem reported with a validation error. */
export interface ErrorDetail {
  field: string;
  message: string;
}

/** The JSON body of every Tapback API error. */
export interface TapbackErrorBody {
  status: 'ERROR';
  /** Human-readable text (also in `error_message`) */
  message: string;
  /** Stable snake_case code, e.g. `not_found`, `rate_limited` */
  code: string;
  /** Sendblue's numeric code where one exists (4000 validation, 4001 rate limit, 4002 blocked number, 5000 internal) */
  error_code: number | null;
  error_message: string;
  details?: ErrorDetail[];
}

/** The base of every error this package throws. */
export class TapbackError extends Error {
  override readonly name: string = 'TapbackError';
}

/** An error from a request: an HTTP error status, or no response at all (`status` undefined). */
export class APIError extends TapbackError {
  override readonly name: string = 'APIError';
  /** The HTTP status, or undefined when no response arrived. */
  readonly status: number | undefined;
  /** The response headers, or undefined when no response arrived. */
  readonly headers: Headers | undefined;
  /** The parsed JSON body, the raw text when it was not JSON, or undefined. */
  readonly body: unknown;
  /** Tapback's stable error code, e.g. `invalid_phone_number`. */
  readonly code: string | undefined;
  /** Sendblue's numeric `error_code`, when the body carried one. */
  readonly errorCode: number | null | undefined;
  /** Field-level problems of a validation error. */
  readonly details: ErrorDetail[] | undefined;

  constructor(
    status: number | undefined,
    body: unknown,
    message: string | undefined,
    headers: Headers | undefined,
    options?: { cause?: unknown },
  ) {
    super(APIError.describe(status, body, message), options);
    this.status = status;
    this.headers = headers;
    this.body = body;
    const fields = isRecord(body) ? body : {};
    this.code = typeof fields.code === 'string' ? fields.code : undefined;
    this.errorCode =
      typeof fields.error_code === 'number' || fields.error_code === null ? fields.error_code : undefined;
    this.details = Array.isArray(fields.details) ? (fields.details as ErrorDetail[]) : undefined;
  }

  /** Builds the error class that matches an HTTP error status. */
  static generate(status: number, body: unknown, headers: Headers): APIError {
    const ErrorClass = classFor(status);
    return new ErrorClass(status, body, undefined, headers);
  }

  private static describe(status: number | undefined, body: unknown, message: string | undefined): string {
    if (message !== undefined) return message;
    const text =
      isRecord(body) && typeof body.message === 'string'
        ? body.message
        : typeof body === 'string' && body !== ''
          ? body
          : body === undefined || body === ''
            ? 'status code (no body)'
            : JSON.stringify(body);
    return status === undefined ? text : `${status} ${text}`;
  }
}

export class BadRequestError extends APIError {
  override readonly name: string = 'BadRequestError';
  declare readonly status: 400;
}

export class AuthenticationError extends APIError {
  override readonly name: string = 'AuthenticationError';
  declare readonly status: 401;
}

export class PermissionDeniedError extends APIError {
  override readonly name: string = 'PermissionDeniedError';
  declare readonly status: 403;
}

export class NotFoundError extends APIError {
  override readonly name: string = 'NotFoundError';
  declare readonly status: 404;
}

export class ConflictError extends APIError {
  override readonly name: string = 'ConflictError';
  declare readonly status: 409;
}

export class UnprocessableEntityError extends APIError {
  override readonly name: string = 'UnprocessableEntityError';
  declare readonly status: 422;
}

export class RateLimitError extends APIError {
  override readonly name: string = 'RateLimitError';
  declare readonly status: 429;
}

/** Any status of 500 or more. */
export class InternalServerError extends APIError {
  override readonly name: string = 'InternalServerError';
  declare readonly status: number;
}

/** No response arrived: the connection was refused, reset or dropped. */
export class APIConnectionError extends APIError {
  override readonly name: string = 'APIConnectionError';
  declare readonly status: undefined;
  declare readonly headers: undefined;

  constructor(options: { message?: string; cause?: unknown } = {}) {
    super(undefined, undefined, options.message ?? 'Connection error.', undefined, { cause: options.cause });
  }
}

/** No complete response arrived within the request's `timeout`. */
export class APIConnectionTimeoutError extends APIConnectionError {
  override readonly name: string = 'APIConnectionTimeoutError';

  constructor(options: { message?: string; cause?: unknown } = {}) {
    super({ message: options.message ?? 'Request timed out.', cause: options.cause });
  }
}

/** The caller's `AbortSignal` fired. Never retried. */
export class APIUserAbortError extends APIError {
  override readonly name: string = 'APIUserAbortError';
  declare readonly status: undefined;

  constructor(options: { message?: string; cause?: unknown } = {}) {
    super(undefined, undefined, options.message ?? 'Request was aborted.', undefined, { cause: options.cause });
  }
}

type APIErrorClass = new (status: number, body: unknown, message: undefined, headers: Headers) => APIError;

const BY_STATUS: Record<number, APIErrorClass> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

function classFor(status: number): APIErrorClass {
  if (status >= 500) return InternalServerError;
  return BY_STATUS[status] ?? APIError;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
