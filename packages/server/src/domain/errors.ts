/**
 * Typed application errors with stable codes.
 *
 * Clients branch on `code` (snake_case, never renamed) rather than on message text. Each code
 * maps to one HTTP status and, where Sendblue has one, its numeric `error_code`
 * (see shared/sendblue-api.md section 6.2). The README's error table is checked against this
 * registry by a test, so the two cannot drift apart.
 */
export const ERROR_REGISTRY = {
  validation_failed: { status: 400, errorCode: 4000, summary: 'The request is malformed or a field is invalid.' },
  invalid_phone_number: {
    status: 400,
    errorCode: 4000,
    summary: 'A phone number is not in E.164 form or is not possible.',
  },
  blacklisted_number: { status: 400, errorCode: 4002, summary: 'Emergency and blocked numbers cannot be messaged.' },
  url_not_allowed: {
    status: 400,
    errorCode: 4000,
    summary: 'A webhook URL points at a private, loopback or reserved address.',
  },
  unknown_line: { status: 400, errorCode: 4000, summary: '`from_number` is not one of the account’s lines.' },
  clock_not_manual: { status: 400, errorCode: null, summary: 'The clock can only be moved with TAPBACK_CLOCK=manual.' },
  group_too_large: { status: 400, errorCode: 4000, summary: 'A group has at most 25 contacts besides the line.' },
  group_too_small: {
    status: 400,
    errorCode: 4000,
    summary: 'A group needs 2 contacts besides the line; removing one needs 4 participants.',
  },
  no_route_mapping: {
    status: 400,
    errorCode: 4000,
    summary: 'No 1:1 conversation between the line and the number yet (typing indicators need one).',
  },
  invalid_json: { status: 400, errorCode: 4000, summary: 'The body is not valid JSON.' },
  unauthorized: { status: 401, errorCode: null, summary: 'Credentials are missing, wrong or revoked.' },
  forbidden: { status: 403, errorCode: null, summary: 'The credentials may not perform this operation.' },
  not_found: { status: 404, errorCode: null, summary: 'No such resource for this account.' },
  route_not_found: { status: 404, errorCode: null, summary: 'No such route.' },
  method_not_allowed: { status: 405, errorCode: null, summary: 'The route does not accept this method.' },
  wait_timeout: {
    status: 408,
    errorCode: null,
    summary: 'No matching message arrived before `timeout_ms` (`GET /sandbox/wait`).',
  },
  payload_too_large: { status: 413, errorCode: 4000, summary: 'The body exceeds the size limit.' },
  unsupported_media_type: { status: 415, errorCode: 4000, summary: 'Send JSON or form-encoded bodies.' },
  idempotency_key_reused: {
    status: 422,
    errorCode: 4000,
    summary: 'The Idempotency-Key was used with a different body.',
  },
  rate_limited: { status: 429, errorCode: 4001, summary: 'Too many requests; wait for `Retry-After` seconds.' },
  queue_full: { status: 429, errorCode: 4001, summary: 'Too many messages are waiting to be sent for this account.' },
  internal_error: { status: 500, errorCode: 5000, summary: 'Something failed inside Tapback.' },
  unavailable: { status: 503, errorCode: 5003, summary: 'Tapback is shutting down or overloaded.' },
} as const satisfies Record<string, { status: number; errorCode: number | null; summary: string }>;

export type ErrorCode = keyof typeof ERROR_REGISTRY;

export interface ErrorDetail {
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errorCode: number | null;
  readonly details: ErrorDetail[] | undefined;
  /** Extra response headers, e.g. `Retry-After` on a 429. */
  readonly headers: Record<string, string> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { details?: ErrorDetail[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_REGISTRY[code].status;
    this.errorCode = ERROR_REGISTRY[code].errorCode;
    this.details = options.details;
    this.headers = options.headers;
  }
}

/** The JSON body of every API error (shared/sendblue-api.md section 13.1). */
export interface ErrorBody {
  status: 'ERROR';
  message: string;
  code: ErrorCode;
  error_code: number | null;
  error_message: string;
  details?: ErrorDetail[];
}

export function errorBody(error: AppError): ErrorBody {
  const body: ErrorBody = {
    status: 'ERROR',
    message: error.message,
    code: error.code,
    error_code: error.errorCode,
    error_message: error.message,
  };
  if (error.details !== undefined) body.details = error.details;
  return body;
}
