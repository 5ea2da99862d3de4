/**
 * The emulator's HTTP endpoints as a `fetch` that runs in the process that embeds it: the same
 * requests and responses as over a socket, without one. The embedded streamer sends its appends
 * this way; at full speed, a loopback connection held each body three times (the client's send
 * buffer, the server's receive buffer and the channel's copy), about 40 MB in all, and parsing the
 * HTTP on both sides took a core's time the streamer and the emulator need.
 *
 * @module
 */

import { isResetResponse } from "./faults.ts";

/** A Web-standard request handler, such as a Hono app's `fetch`. */
export type RequestHandler = (request: Request) => Response | Promise<Response>;

/**
 * A `fetch` that hands each request to `handler`. An aborted signal rejects the call, as `fetch`
 * does: the caller's timeouts keep working while the handler runs on.
 */
export function localFetch(handler: RequestHandler): typeof fetch {
  return (input, init) => {
    let request: Request;
    try {
      request = new Request(input, init);
    } catch (e) {
      // As fetch: a request that cannot be made rejects the call.
      return Promise.reject(e);
    }
    const signal = request.signal;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<Response>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      Promise.resolve()
        .then(() => handler(request))
        .then((response) => {
          // EMULATOR_FAULTS' reset: over a socket the client's fetch fails; so must this one.
          if (isResetResponse(response)) throw new TypeError("connection reset (EMULATOR_FAULTS)");
          return response;
        })
        .then(resolve, reject)
        .finally(() => signal.removeEventListener("abort", onAbort));
    });
  };
}
