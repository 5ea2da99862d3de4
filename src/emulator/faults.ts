/**
 * Fault injection on the streaming endpoints (`EMULATOR_FAULTS`), so that the client's retry,
 * reopen and re-authentication paths run against something that misbehaves the way the real
 * service does.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { ERROR_CODE, type ErrorBody } from "../snowflake/protocol.ts";

/** Parsed `EMULATOR_FAULTS`. Probabilities are per request, in [0, 1]. */
export interface FaultConfig {
  /** Answer 429 with a backpressure body. */
  readonly http429: number;
  /** Answer 500 `ERR_GENERAL_EXCEPTION_RETRY_REQUEST`. */
  readonly http500: number;
  /** Answer 503 with the bare JSON-string body seen from the live service. */
  readonly http503: number;
  /** Break the connection instead of answering. */
  readonly reset: number;
  /** Added to every request, in milliseconds. */
  readonly latencyMs: number;
  /** Invalidate every channel every this many seconds; 0 = never. */
  readonly invalidateSeconds: number;
  /** Lifetime of scoped tokens in seconds; undefined = the default (1 h). */
  readonly tokenTtlSeconds?: number;
}

/** No faults at all. */
export const NO_FAULTS: FaultConfig = Object.freeze({
  http429: 0,
  http500: 0,
  http503: 0,
  reset: 0,
  latencyMs: 0,
  invalidateSeconds: 0,
});

const VARIABLE = "EMULATOR_FAULTS";

/**
 * A bad fault specification. It names the setting it came from, so that a command line can
 * report it as any other bad setting (the emulator depends on no configuration module).
 */
export class FaultSpecError extends Error {
  /** The setting at fault: EMULATOR_FAULTS. */
  readonly variable = VARIABLE;
  /** What is wrong, without the setting's name. */
  readonly problem: string;

  constructor(problem: string) {
    super(`${VARIABLE} ${problem}`);
    this.name = "FaultSpecError";
    this.problem = problem;
  }
}
const KEYS = ["http429", "http500", "http503", "reset", "latency", "invalidate", "token_ttl"];
const SYNTAX = "http429=P,http500=P,http503=P,reset=P,latency=MS,invalidate=S,token_ttl=S";

/**
 * Parses `EMULATOR_FAULTS`: a comma-separated list of `key=value` (see {@link FaultConfig}); an
 * empty text means no faults. Throws {@link FaultSpecError} on an unknown or
 * repeated key or a bad value.
 */
export function parseFaults(text: string): FaultConfig {
  const out: { -readonly [K in keyof FaultConfig]: FaultConfig[K] } = { ...NO_FAULTS };
  const seen = new Set<string>();
  for (const raw of text.split(",")) {
    const item = raw.trim();
    if (item === "") continue;
    const eq = item.indexOf("=");
    if (eq === -1) {
      throw new FaultSpecError(`item "${item}" is not key=value (syntax: ${SYNTAX})`);
    }
    const key = item.slice(0, eq).trim().toLowerCase();
    const value = item.slice(eq + 1).trim();
    if (!KEYS.includes(key)) {
      throw new FaultSpecError(`has an unknown key "${key}" (known: ${KEYS.join(", ")})`);
    }
    if (seen.has(key)) throw new FaultSpecError(`repeats the key "${key}"`);
    seen.add(key);
    const n = /^\d+(\.\d+)?$|^\.\d+$/.test(value) ? Number(value) : NaN;
    const bad = (what: string) =>
      new FaultSpecError(`${key}=${value} is invalid: ${key} must be ${what}`);
    switch (key) {
      case "http429":
      case "http500":
      case "http503":
      case "reset":
        if (!(n >= 0 && n <= 1)) throw bad("a probability between 0 and 1");
        out[key] = n;
        break;
      case "latency":
        if (!(Number.isInteger(n) && n >= 0)) {
          throw bad("a whole number of milliseconds (0 or more)");
        }
        out.latencyMs = n;
        break;
      case "invalidate":
        if (!(n > 0)) throw bad("a number of seconds greater than 0");
        out.invalidateSeconds = n;
        break;
      case "token_ttl":
        if (!(n > 0)) throw bad("a number of seconds greater than 0");
        out.tokenTtlSeconds = n;
        break;
    }
  }
  return Object.freeze(out);
}

/** Whether any per-request fault is configured. */
export function hasRequestFaults(f: FaultConfig): boolean {
  return f.http429 > 0 || f.http500 > 0 || f.http503 > 0 || f.reset > 0 || f.latencyMs > 0;
}

/** Backpressure code the connector treats as "abandon the batch, retry" on 429 (spec §7). */
export const THROTTLED_CODE = "MemoryThresholdExceeded";

/**
 * A response no HTTP client accepts, standing in for a dropped connection. Deno.serve gives a
 * handler no access to its socket, and a body stream that errors still lets the headers out (the
 * client's fetch would resolve). A response head with more headers and bytes than clients allow
 * (hyper: 100 headers; undici: 16 KiB) makes the client's fetch itself fail with a network error,
 * which is what a reset looks like to it.
 */
export function resetResponse(): Response {
  const headers = new Headers();
  const filler = "x".repeat(120);
  for (let i = 0; i < 160; i++) headers.set(`${RESET_HEADER}${i}`, filler);
  return new Response(null, { status: 200, headers });
}

const RESET_HEADER = "x-emulator-reset-";

/**
 * True for {@link resetResponse}: a caller in the same process (see `local_fetch.ts`) gets it
 * as it is, and must turn it into the network error it stands for.
 */
export function isResetResponse(response: Response): boolean {
  return response.headers.has(`${RESET_HEADER}0`);
}

/**
 * Hono middleware applying the per-request faults: first the latency, then with their
 * probabilities a reset, 429, 500 or 503 instead of handling the request. The first fault of each
 * kind is logged (at info, with `log`), so that whoever set EMULATOR_FAULTS sees them take effect.
 */
export function faultMiddleware(
  faults: FaultConfig,
  random: () => number = Math.random,
  log?: { info(message: string, fields?: Record<string, unknown>): void },
): MiddlewareHandler {
  const seen = new Set<string>();
  const injected = (kind: string) => {
    if (seen.has(kind)) return;
    seen.add(kind);
    log?.info("injected fault (EMULATOR_FAULTS); further ones of this kind are not logged", {
      kind,
    });
  };
  return async (c, next) => {
    if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
    if (faults.reset > 0 && random() < faults.reset) {
      injected("reset");
      return resetResponse();
    }
    if (faults.http429 > 0 && random() < faults.http429) {
      injected("http429");
      return c.json(
        {
          code: THROTTLED_CODE,
          message: "Too many requests: the receiver is over its memory threshold (injected fault)",
        } satisfies ErrorBody,
        429,
      );
    }
    if (faults.http500 > 0 && random() < faults.http500) {
      injected("http500");
      return c.json(
        {
          code: ERROR_CODE.generalRetry,
          message: "Internal error, please retry the request (injected fault)",
        } satisfies ErrorBody,
        500,
      );
    }
    if (faults.http503 > 0 && random() < faults.http503) {
      injected("http503");
      // The live service answers some 503s with a bare JSON string (spec §3.4, §4).
      return c.json(ERROR_CODE.generalRetry, 503);
    }
    await next();
  };
}
