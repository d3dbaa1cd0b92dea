export type ErrorCode = "invalid" | "unauthenticated" | "forbidden" | "not_found" | "conflict" | "unsupported_media_type" | "rate_limited";

const STATUS: Record<ErrorCode, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unsupported_media_type: 415,
  rate_limited: 429,
};

/** A typed, user-safe error. The message is shown to the user; never put secrets in it. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fieldErrors?: Record<string, string[]>;
  /** The record a refusal is about, for its audit row (lib/action.ts) when the input alone does not say. */
  readonly target?: { type: string; id: string };
  constructor(code: ErrorCode, message: string, fieldErrors?: Record<string, string[]>, target?: { type: string; id: string }) {
    super(message);
    this.code = code;
    this.fieldErrors = fieldErrors;
    this.target = target;
  }
  get status() {
    return STATUS[this.code];
  }
}

export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}
