/**
 * Typed application errors with stable codes.
 *
 * Clients branch on `code` (snake_case, never renamed) rather than on message text. Each code
 * maps to one HTTP status and, where Sendblue has one, the numeric `error_code` of Sendblue's
 * error table (4000 bad request, 4001 rate limited, 4002 blocked number, 5000/5003 server side).
 * The README's error table is checked against this registry by a test, so the two cannot drift
 * apart.
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
    summary: 'A webhook, callback or media URL points at a private, loopback or reserved address.',
  },
  media_fetch_failed: {
    status: 400,
    errorCode: 4000,
    summary: 'A media URL could not be fetched: no connection, a non-2xx answer, a redirect, or too slow.',
  },
  media_too_large: { status: 400, errorCode: 4000, summary: 'A media file exceeds `TAPBACK_MEDIA_MAX_BYTES`.' },
  media_type_not_allowed: {
    status: 400,
    errorCode: 4000,
    summary: 'A media file’s content type is not one Tapback stores (images, audio, video, PDF, vCard).',
  },
  unknown_line: { status: 400, errorCode: 4000, summary: '`from_number` is not one of the account’s lines.' },
  typing_unavailable: {
    status: 400,
    errorCode: 4000,
    summary: 'The line’s network cannot show typing indicators (SMS has none).',
  },
  read_receipts_unavailable: {
    status: 400,
    errorCode: 4000,
    summary:
      'The line’s network cannot send read receipts (SMS has none; iMessage through BlueBubbles needs its Private API).',
  },
  not_a_sandbox_line: {
    status: 400,
    errorCode: 4000,
    summary: 'The `/sandbox/*` routes act only on sandbox lines; this line is carried by a real network.',
  },
  no_line: { status: 400, errorCode: 4000, summary: 'The account has no line to receive a verification code.' },
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
    summary: 'No 1:1 conversation between the line and the number yet (typing indicators and read receipts need one).',
  },
  invalid_json: { status: 400, errorCode: 4000, summary: 'The body is not valid JSON.' },
  malformed_request: {
    status: 400,
    errorCode: 4000,
    summary: 'The HTTP request cannot be parsed (e.g. a control character in a header); the connection is closed.',
  },
  unauthorized: { status: 401, errorCode: null, summary: 'Credentials are missing, wrong or revoked.' },
  forbidden: { status: 403, errorCode: null, summary: 'The credentials may not perform this operation.' },
  csrf_failed: {
    status: 403,
    errorCode: null,
    summary:
      'A request authenticated by the inbox session cookie lacks the session’s `x-csrf-token` header, or comes from another origin.',
  },
  not_found: { status: 404, errorCode: null, summary: 'No such resource for this account.' },
  route_not_found: { status: 404, errorCode: null, summary: 'No such route.' },
  inbox_not_built: {
    status: 404,
    errorCode: null,
    summary: 'The web inbox bundle is missing (a source checkout never built): run `npm run build`.',
  },
  method_not_allowed: { status: 405, errorCode: null, summary: 'The route does not accept this method.' },
  contact_exists: {
    status: 409,
    errorCode: 4000,
    summary: 'The contact is already saved; send `update_if_exists: true` to update it.',
  },
  reset_refused_real_lines: {
    status: 409,
    errorCode: null,
    summary: '`POST /sandbox/reset` clears only accounts whose lines are all sandbox lines.',
  },
  wait_timeout: {
    status: 408,
    errorCode: null,
    summary: 'No matching message arrived before `timeout_ms` (`GET /sandbox/wait`).',
  },
  request_timeout: {
    status: 408,
    errorCode: null,
    summary:
      'The request headers did not all arrive within `TAPBACK_HTTP_HEADERS_TIMEOUT_MS`; the connection is closed.',
  },
  payload_too_large: { status: 413, errorCode: 4000, summary: 'The body exceeds the size limit.' },
  unsupported_media_type: { status: 415, errorCode: 4000, summary: 'Send JSON or form-encoded bodies.' },
  idempotency_key_reused: {
    status: 422,
    errorCode: 4000,
    summary: 'The Idempotency-Key was used with a different body.',
  },
  headers_too_large: {
    status: 431,
    errorCode: 4000,
    summary: 'The request headers exceed the size limit (16 KiB); the connection is closed.',
  },
  rate_limited: { status: 429, errorCode: 4001, summary: 'Too many requests; wait for `Retry-After` seconds.' },
  queue_full: { status: 429, errorCode: 4001, summary: 'Too many messages are waiting to be sent for this account.' },
  too_many_auth_failures: {
    status: 429,
    errorCode: 4001,
    summary:
      'Too many failed authentications from this address (`TAPBACK_AUTH_FAILURE_LIMIT` a minute); a valid key still passes.',
  },
  too_many_streams: {
    status: 429,
    errorCode: 4001,
    summary: 'The account has `TAPBACK_EVENTS_MAX_STREAMS_PER_ACCOUNT` event streams open on this server already.',
  },
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

/**
 * One constructor per code, so a failure reads the same wherever it is detected. A failure of a
 * field names it: `message` is `<field> <problem>`, and `details` is `[{field, message: <problem>}]`.
 * Code outside this module builds errors only through these (lint forbids `new AppError`).
 */
export const errors = {
  /** `more`: further failures found at once (schema validation reports them all). */
  validation: (field: string, problem: string, ...more: ErrorDetail[]) =>
    fieldError('validation_failed', field, problem, more),
  invalidPhoneNumber: (field: string, problem: string) => fieldError('invalid_phone_number', field, problem),
  blacklistedNumber: (field: string, number: string) =>
    fieldError('blacklisted_number', field, `${number} is an emergency or blocked number`),
  urlNotAllowed: (field: string, reason: string) => fieldError('url_not_allowed', field, reason),
  mediaFetchFailed: (field: string, reason: string) => fieldError('media_fetch_failed', field, reason),
  mediaTooLarge: (field: string, maxBytes: number) =>
    fieldError('media_too_large', field, `is larger than ${maxBytes} bytes`),
  mediaTypeNotAllowed: (field: string, type: string) =>
    fieldError(
      'media_type_not_allowed',
      field,
      `has content type ${type === '' ? '(none)' : type}, which is not allowed`,
    ),
  /** Another account's line is as unknown as no line at all, so the answer is the same for both. */
  unknownLine: (field: string, number: string) =>
    fieldError('unknown_line', field, `${number} is not a line of this account`),
  typingUnavailable: (field: string, line: string) =>
    fieldError('typing_unavailable', field, `${line}'s network cannot show typing indicators`),
  readReceiptsUnavailable: (field: string, line: string) =>
    fieldError('read_receipts_unavailable', field, `${line}'s network cannot send read receipts`),
  notSandboxLine: (field: string, number: string, provider: string) =>
    fieldError(
      'not_a_sandbox_line',
      field,
      `${number} is a ${provider} line; the sandbox can only act on sandbox lines`,
    ),
  noLine: () => new AppError('no_line', 'The account has no line to receive a verification code'),
  clockNotManual: () =>
    new AppError('clock_not_manual', 'The clock is not manual; start Tapback with TAPBACK_CLOCK=manual'),
  groupTooLarge: (field: string, maxMembers: number) =>
    fieldError('group_too_large', field, `would make a group of more than ${maxMembers} members besides the line`),
  /** Two rules end here (too few members to form a group, too few participants to remove one). */
  groupTooSmall: (field: string, problem: string) => fieldError('group_too_small', field, problem),
  /** The message is Sendblue's text, which clients may match; the detail names the field. */
  noRouteMapping: (field: string, number: string, line: string) =>
    new AppError('no_route_mapping', 'No route mapping found', {
      details: [{ field, message: `no 1:1 conversation with ${number} on ${line} yet` }],
    }),
  invalidJson: (reason?: string) =>
    fieldError('invalid_json', 'body', reason === undefined ? 'is not valid JSON' : `is not valid JSON (${reason})`),
  unauthorized: () =>
    new AppError(
      'unauthorized',
      'Unauthorized: send valid sb-api-key-id and sb-api-secret-key headers, or Authorization: Bearer <token>',
    ),
  forbidden: (operation: string) => new AppError('forbidden', `These credentials may not ${operation}`),
  /** Cookie authentication's CSRF rules (api/session-auth.ts); `reason` says which failed. */
  csrfFailed: (reason: string) => new AppError('csrf_failed', `CSRF check failed: ${reason}`),
  inboxNotBuilt: () =>
    new AppError('inbox_not_built', 'The web inbox is not built in this checkout: run `npm run build`, then restart'),
  /** `/metrics` beyond loopback: its own token, never an account's credentials. */
  metricsUnauthorized: () =>
    new AppError('unauthorized', 'Unauthorized: send Authorization: Bearer <TAPBACK_METRICS_TOKEN>'),
  /** `what`: the resource, capitalised ("Message", "Group"). */
  notFound: (what: string) => new AppError('not_found', `${what} not found`),
  routeNotFound: (method: string, path: string) => new AppError('route_not_found', `No route for ${method} ${path}`),
  methodNotAllowed: (reason: string) => new AppError('method_not_allowed', reason),
  /** Nothing was stored, so the official SDKs' retry of a 409 is pointless: `x-should-retry: false`. */
  contactExists: (field: string, number: string) => {
    const problem = `${number} is already a contact of this account`;
    return new AppError('contact_exists', `${field} ${problem}`, {
      details: [{ field, message: problem }],
      headers: { 'x-should-retry': 'false' },
    });
  },
  /** Nothing was removed, and asking again changes nothing: `x-should-retry: false`. */
  resetRefusedRealLines: (number: string, provider: string) =>
    new AppError(
      'reset_refused_real_lines',
      `The account owns ${number}, a ${provider} line; only accounts whose lines are all sandbox lines can be reset`,
      { headers: { 'x-should-retry': 'false' } },
    ),
  waitTimeout: () => new AppError('wait_timeout', 'No matching message arrived in time'),
  malformedRequest: () => new AppError('malformed_request', 'The HTTP request could not be parsed'),
  requestTimeout: () => new AppError('request_timeout', 'The request headers did not arrive in time'),
  headersTooLarge: () => new AppError('headers_too_large', 'The request headers exceed the size limit'),
  payloadTooLarge: () => fieldError('payload_too_large', 'body', 'exceeds the size limit'),
  /** An uploaded file (a multipart part) over its limit: the request is too large, and the part is named. */
  fileTooLarge: (field: string, maxBytes: number) =>
    fieldError('payload_too_large', field, `is larger than ${maxBytes} bytes`),
  unsupportedMediaType: () =>
    fieldError(
      'unsupported_media_type',
      'content-type',
      'must be application/json or application/x-www-form-urlencoded',
    ),
  idempotencyKeyReused: () =>
    fieldError('idempotency_key_reused', 'Idempotency-Key', 'was already used with a different request body'),
  /**
   * `limit`: what was exceeded, e.g. "100 requests per 10 seconds". `retryAfterSeconds` sets
   * `Retry-After` (the rate-limit plugin sets its own).
   */
  rateLimited: (limit: string, retryAfterSeconds?: number) =>
    new AppError(
      'rate_limited',
      `Rate limit exceeded: ${limit}; retry later`,
      retryAfterSeconds === undefined ? {} : { headers: { 'retry-after': String(retryAfterSeconds) } },
    ),
  queueFull: (queueLimit: number) =>
    new AppError(
      'queue_full',
      `More than ${queueLimit} messages are waiting to be sent for this account; retry later`,
      { headers: { 'retry-after': '1' } },
    ),
  tooManyStreams: (max: number) =>
    new AppError('too_many_streams', `This account already has ${max} event streams open; close one and retry`, {
      headers: { 'retry-after': '5' },
    }),
  /** Bad credentials from an address past its failure limit; retrying cannot help until they are fixed. */
  tooManyAuthFailures: (limit: number, retryAfterSeconds: number) =>
    new AppError(
      'too_many_auth_failures',
      `More than ${limit} failed authentications a minute from this address; fix the credentials, then retry after ${retryAfterSeconds} s`,
      { headers: { 'retry-after': String(retryAfterSeconds), 'x-should-retry': 'false' } },
    ),
  internal: (cause: unknown) => new AppError('internal_error', 'Internal error', { cause }),
  unavailable: (reason: string) => new AppError('unavailable', reason),
} as const;

function fieldError(code: ErrorCode, field: string, problem: string, more: ErrorDetail[] = []): AppError {
  return new AppError(code, `${field} ${problem}`, { details: [{ field, message: problem }, ...more] });
}

/**
 * The JSON body of every API error: Sendblue's `status`, `message`, `error_code` and
 * `error_message`, plus Tapback's stable `code` and, for field failures, `details`.
 */
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
