/**
 * Typed failures of the Snowpipe Streaming REST API, and the one place that maps an HTTP answer
 * to them (spec §4 and §7). Callers act on the class, never on raw status codes:
 *
 * - {@link RetryableError}: 429, 408, 5xx, 409 open-in-progress, network errors and success
 *   answers cut short → back off, retry.
 * - {@link ChannelInvalidError}: 409 invalidation, stale continuation token, missing channel, fatal
 *   channel status codes → reopen the channel and resume from its committed offset.
 * - {@link AuthError}: 401 that a fresh token did not fix → stop.
 * - {@link ForbiddenError}: 403 → stop.
 * - {@link SnowflakeApiError}: any other refusal (unknown pipe, bad request, …) → stop.
 *
 * @module
 */
import { ERROR_CODE, errorCodeOf } from "./protocol.ts";

/** Every reason a request is retried, so that each `liftline_retries_total` series exists from the start. */
export const RETRY_REASONS = ["429", "408", "409", "5xx", "network", "timeout"] as const;
/** Why a request is retried; used as the `reason` label of `liftline_retries_total`. */
export type RetryReason = (typeof RETRY_REASONS)[number];

/** Base class: every failure carries what was attempted, and the HTTP status/code if any. */
export class SnowflakeError extends Error {
  /** HTTP status, when there was an answer. */
  readonly status: number | undefined;
  /** Stable error code from the body (`code`, `error_code` or a bare string), when present. */
  readonly code: string | undefined;

  constructor(message: string, status?: number, code?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SnowflakeError";
    this.status = status;
    this.code = code;
  }
}

/** A transient failure: the same request may succeed later. */
export class RetryableError extends SnowflakeError {
  /** Cause category for metrics. */
  readonly reason: RetryReason;
  /** Server's `Retry-After`, in ms, when given. */
  readonly retryAfterMs: number | undefined;
  /**
   * True when the server certainly did not act on the request (429, 503 and 409-in-progress are
   * answered instead of handling it); false when it may have (500, a dropped connection), which
   * matters for appends: an append with an unknown outcome must not simply be sent again.
   */
  readonly notProcessed: boolean;

  constructor(
    message: string,
    reason: RetryReason,
    opts:
      & { status?: number; code?: string; retryAfterMs?: number; notProcessed?: boolean }
      & ErrorOptions = {},
  ) {
    super(message, opts.status, opts.code, opts);
    this.name = "RetryableError";
    this.reason = reason;
    this.retryAfterMs = opts.retryAfterMs;
    this.notProcessed = opts.notProcessed ?? false;
  }
}

/** The channel must be reopened (and the stream resumed from its committed offset). */
export class ChannelInvalidError extends SnowflakeError {
  constructor(message: string, status?: number, code?: string) {
    super(message, status, code);
    this.name = "ChannelInvalidError";
  }
}

/** Authentication failed even with freshly issued credentials. */
export class AuthError extends SnowflakeError {
  constructor(message: string, status = 401, code?: string) {
    super(message, status, code);
    this.name = "AuthError";
  }
}

/** The user lacks a privilege (HTTP 403). */
export class ForbiddenError extends SnowflakeError {
  constructor(message: string, code?: string) {
    super(message, 403, code);
    this.name = "ForbiddenError";
  }
}

/** Any other refusal: not transient, not fixed by reopening. */
export class SnowflakeApiError extends SnowflakeError {
  constructor(message: string, status?: number, code?: string) {
    super(message, status, code);
    this.name = "SnowflakeApiError";
  }
}

/** True for failures after which continuing cannot help (credentials, privileges, setup). */
export function isFatal(e: unknown): boolean {
  return e instanceof AuthError || e instanceof ForbiddenError || e instanceof SnowflakeApiError;
}

/** Codes that say the pipe, its table, schema or database does not exist (or is not granted). */
const MISSING_OBJECT_CODES: ReadonlySet<string> = new Set([
  ERROR_CODE.pipeDoesNotExist,
  ERROR_CODE.tableDoesNotExist,
  ERROR_CODE.schemaDoesNotExist,
  ERROR_CODE.databaseDoesNotExist,
]);

/** True when the target says the pipe (or what holds it) does not exist or is not granted. */
export function isMissingObject(e: unknown): boolean {
  return e instanceof SnowflakeError && e.code !== undefined && MISSING_OBJECT_CODES.has(e.code);
}

/** Error codes that mean "reopen the channel" wherever they appear. */
const REOPEN_CODES: ReadonlySet<string> = new Set([
  ERROR_CODE.staleContinuationToken,
  ERROR_CODE.channelDoesNotExist,
  "STALE_PIPE_CACHE",
  ERROR_CODE.channelInvalidRowSequencer,
  ERROR_CODE.channelInvalidClientSequencer,
  ERROR_CODE.channelMustBeReopened,
  ERROR_CODE.channelMustBeReopenedRowSeqGap,
]);

/** Codes that say the server refused without acting (safe to resend as is). */
const NOT_PROCESSED_CODES: ReadonlySet<string> = new Set([
  ERROR_CODE.generalRetry,
  "ReceiverSaturated",
  "MemoryThresholdExceeded",
  "MemoryThresholdExceededInContainer",
  "HttpRetryableClientError",
]);

/** Parses a `Retry-After` header (seconds or HTTP date) into ms. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Message text of an error body, for humans. */
function messageOf(body: unknown): string | undefined {
  if (body && typeof body === "object") {
    const m = (body as Record<string, unknown>).message;
    if (typeof m === "string") return m;
  }
  if (typeof body === "string" && body.length <= 300) return body;
  return undefined;
}

/**
 * Maps a non-2xx answer to a typed error. `what` names the call (e.g. `append to channel X`) so
 * that messages say what failed.
 */
export function classifyResponse(
  what: string,
  status: number,
  body: unknown,
  headers?: Headers,
): SnowflakeError {
  const code = errorCodeOf(body);
  const msg = messageOf(body);
  const detail = `${what}: HTTP ${status}${code ? ` ${code}` : ""}${
    msg && msg !== code ? ` (${msg})` : ""
  }`;
  // A missing pipe, table or database is a setup problem that reopening cannot fix, so only the
  // channel-level codes lead to a reopen.
  if (code && REOPEN_CODES.has(code)) return new ChannelInvalidError(detail, status, code);
  if (status === 401) return new AuthError(detail, status, code);
  if (status === 403) return new ForbiddenError(detail, code);
  if (status === 409) {
    if (code === ERROR_CODE.openChannelInProgress) {
      return new RetryableError(detail, "409", { status, code, notProcessed: true });
    }
    if (code === ERROR_CODE.channelHasUncommittedData) {
      return new SnowflakeApiError(detail, status, code);
    }
    // Any other conflict is the documented "channel invalidated (superseded)".
    return new ChannelInvalidError(detail, status, code);
  }
  if (status === 429 || status === 408 || status >= 500) {
    const reason: RetryReason = status === 429 ? "429" : status === 408 ? "408" : "5xx";
    return new RetryableError(detail, reason, {
      status,
      code,
      retryAfterMs: parseRetryAfter(headers?.get("retry-after") ?? null),
      notProcessed: status === 429 || status === 503 ||
        (code !== undefined && NOT_PROCESSED_CODES.has(code)),
    });
  }
  return new SnowflakeApiError(detail, status, code);
}
