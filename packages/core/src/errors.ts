/**
 * The one error type of hpo. `code` is a stable literal that clients may switch on; the HTTP
 * status for each code is decided here and nowhere else. Messages name the thing and the
 * operation, e.g. `sweep "digits-adam": parameters.lr.min must be > 0, got -1`.
 */
export const ERROR_STATUS = {
  INVALID_SPEC: 400,
  INVALID_REQUEST: 400,
  INVALID_DATASET: 422,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNAVAILABLE: 503,
  TRAINING_FAILED: 500,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface Issue {
  /** Dotted field path, e.g. "parameters.learning_rate.min". */
  readonly path: string;
  readonly message: string;
}

export class HpoError extends Error {
  override readonly name = "HpoError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function isHpoError(e: unknown): e is HpoError {
  return e instanceof HpoError;
}
