// Errors that modules throw; only the exception filter knows which HTTP status each code becomes.
export type ErrorCode =
  | 'INVALID_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'TOO_MANY_REQUESTS'
  | 'OVERLOADED'
  | 'UNAVAILABLE';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    // extra fields for the answer, e.g. the id of the ETL run that holds the lease
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const STATUS_OF: Record<ErrorCode, number> = {
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_REQUESTS: 429,
  OVERLOADED: 503,
  UNAVAILABLE: 503,
};
