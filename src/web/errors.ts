/**
 * How the web app answers a failure no route handled.
 *
 * @module
 */
import type { Context } from "hono";

/**
 * The last resort for a failure no route handled: hono's own HTTPException (a malformed
 * request) keeps its 4xx; anything else is logged and answered 500 without details.
 */
export function answerError(err: Error, c: Context): Response {
  const status = (err as { status?: unknown }).status;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return c.text(`bad request: ${err.message}\n`, status as 400);
  }
  console.error(`liftline web: ${c.req.method} ${c.req.path} failed: ${err.message}`);
  return c.text("internal error\n", 500);
}
