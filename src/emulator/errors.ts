/**
 * Errors the emulator answers with: the documented `{"code","message"}` body and an HTTP status.
 *
 * @module
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorBody } from "../snowflake/protocol.ts";

/** A request the emulator refuses; routes throw it and the app's error handler answers it. */
export class ApiError extends Error {
  /** HTTP status of the answer. */
  readonly status: ContentfulStatusCode;
  /** Stable error code (`code` of the body). */
  readonly code: string;

  constructor(status: ContentfulStatusCode, code: string, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }

  /** The documented error body. */
  body(): ErrorBody {
    return { code: this.code, message: this.message };
  }
}

/** A JSON error response with the documented body. */
export function errorResponse(status: number, code: string, message: string): Response {
  return Response.json({ code, message } satisfies ErrorBody, { status });
}
