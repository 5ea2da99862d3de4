/**
 * Exponential backoff with jitter, an abortable sleep, and a retry loop for transient failures.
 *
 * @module
 */
import { RetryableError, type RetryReason } from "./errors.ts";

/** How often and how patiently to retry. */
export interface RetryPolicy {
  /** Delay before the first retry, before jitter. */
  baseDelayMs: number;
  /** Cap of any single delay. */
  maxDelayMs: number;
  /** Attempts in total (first try included) before the error is passed on. */
  maxAttempts: number;
}

/** Default policy: 0.2 s, 0.4 s, … capped at 8 s, six attempts (about 15 s of trying). */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  baseDelayMs: 200,
  maxDelayMs: 8000,
  maxAttempts: 6,
};

/**
 * Delay before retry number `attempt` (0-based): `base × 2^attempt` capped at `max`, then "equal
 * jitter" (uniform between half and all of it) so that many clients do not retry in lock step
 * yet each still waits a meaningful minimum.
 */
export function backoffDelay(
  attempt: number,
  policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">,
  random: () => number = Math.random,
): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt, 30));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Called before each retry with its cause and the delay chosen. */
export type OnRetry = (reason: RetryReason, delayMs: number, error: RetryableError) => void;

/** Options of {@link withRetry}. */
export interface WithRetryOptions {
  policy?: RetryPolicy;
  signal?: AbortSignal;
  onRetry?: OnRetry;
  /** Which retryable errors to retry here; default all. Others are thrown at once. */
  retryIf?: (e: RetryableError) => boolean;
  random?: () => number;
}

/**
 * Runs `fn`, retrying {@link RetryableError}s with backoff (honouring `Retry-After` up to the
 * cap). Any other error, or the last retryable one, is thrown.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  opts: WithRetryOptions = {},
): Promise<T> {
  const policy = opts.policy ?? DEFAULT_RETRY_POLICY;
  for (let attempt = 0;; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (!(e instanceof RetryableError)) throw e;
      if (attempt + 1 >= policy.maxAttempts || (opts.retryIf && !opts.retryIf(e))) throw e;
      let delay = backoffDelay(attempt, policy, opts.random);
      if (e.retryAfterMs !== undefined) {
        delay = Math.max(delay, Math.min(e.retryAfterMs, policy.maxDelayMs));
      }
      opts.onRetry?.(e.reason, delay, e);
      await sleep(delay, opts.signal);
    }
  }
}
