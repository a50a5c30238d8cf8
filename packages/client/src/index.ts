export { Tapback, DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS } from './client.js';
export type { APIRequest, ClientOptions, QueryValue, RequestOptions } from './client.js';
export { APIPromise } from './api-promise.js';
export type { WithResponse } from './api-promise.js';
export { PagePromise } from './pagination.js';
export type { OffsetPaging } from './pagination.js';
export { Messages } from './resources/messages.js';
export { FinalStatusError, WaitForTimeoutError } from './wait-for.js';
export type { WaitForOptions } from './wait-for.js';
export {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  TapbackError,
  UnprocessableEntityError,
} from './errors.js';
export type { ErrorDetail, TapbackErrorBody } from './errors.js';
export { MESSAGE_STATUSES, MESSAGE_TYPES, SEND_STYLES, SERVICES } from './models.js';
export type {
  MessageContent,
  MessageContentStatus,
  MessageData,
  MessageListPagination,
  MessageListResponse,
  MessageResponse,
  MessageResponseStatus,
  MessageRetrieveResponse,
  MessageStatus,
  MessageType,
  SendStyle,
  Service,
  TapbackResponseStatus,
} from './models.js';
export type { MessageGetStatusParams, MessageListOrderBy, MessageListParams, MessageSendParams } from './params.js';
export { DEFAULT_MAX_RETRIES } from './retry.js';
export { VERSION } from './version.js';
