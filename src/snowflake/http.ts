/**
 * One HTTP exchange with Snowflake: the headers every call carries, a per-request timeout, the
 * answer read in full (so connections are always released), and network failures turned into
 * {@link RetryableError}. Whether an answer is a failure is decided by the caller with
 * `classifyResponse` from errors.ts.
 *
 * @module
 */
import { HEADER } from "./protocol.ts";
import { RetryableError } from "./errors.ts";

/** `User-Agent` of every request, after Snowflake's recommended shape (spec §1.2). */
export const USER_AGENT = `liftline/0.1.0 (deno ${Deno.version.deno}; ${Deno.build.os}) ` +
  "SnowpipeStreamingRest";

/** A request to send. */
export interface HttpRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  url: URL;
  headers?: Record<string, string>;
  body?: BodyInit | null;
  /** The caller's cancellation (shutdown). */
  signal?: AbortSignal;
  /** Overrides the transport's timeout for this request. */
  timeoutMs?: number;
}

/** An answer, any status. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** Raw body text. */
  text: string;
  /** Body parsed as JSON when it is JSON, else the text. */
  body: unknown;
}

/** Options of {@link HttpTransport}. */
export interface HttpTransportOptions {
  /** The fetch to use (tests may pass their own). */
  fetch?: typeof fetch;
  /** Per-request timeout; default 60 s (as Redpanda's client). */
  timeoutMs?: number;
  userAgent?: string;
}

/** Parses a body as JSON when it looks like JSON; otherwise returns the text itself. */
export function parseBody(text: string): unknown {
  const t = text.trimStart();
  if (t.startsWith("{") || t.startsWith("[") || t.startsWith('"')) {
    try {
      return JSON.parse(t);
    } catch {
      return text;
    }
  }
  return text;
}

/** Sends requests with the common headers; throws only for network failures and timeouts. */
export class HttpTransport {
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #userAgent: string;

  constructor(opts: HttpTransportOptions = {}) {
    this.#fetch = opts.fetch ?? fetch;
    this.#timeoutMs = opts.timeoutMs ?? 60_000;
    this.#userAgent = opts.userAgent ?? USER_AGENT;
  }

  /**
   * Sends `req`; `what` names the call in error messages. Rejects with the caller's abort reason
   * when `req.signal` aborts, and with a {@link RetryableError} on network failure or timeout.
   */
  async send(req: HttpRequest, what: string): Promise<HttpAnswer> {
    const timeout = AbortSignal.timeout(req.timeoutMs ?? this.#timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const headers: Record<string, string> = {
      [HEADER.accept]: "application/json",
      [HEADER.userAgent]: this.#userAgent,
      ...req.headers,
    };
    try {
      const res = await this.#fetch(req.url, {
        method: req.method,
        headers,
        body: req.body ?? undefined,
        signal,
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, text, body: parseBody(text) };
    } catch (e) {
      if (req.signal?.aborted) throw req.signal.reason;
      if (timeout.aborted) {
        throw new RetryableError(
          `${what}: no answer within ${req.timeoutMs ?? this.#timeoutMs} ms`,
          "timeout",
          {
            cause: e,
          },
        );
      }
      throw new RetryableError(`${what}: ${(e as Error).message ?? String(e)}`, "network", {
        cause: e,
      });
    }
  }
}
