/**
 * Credentials for the ingest host (spec §1.3, §2): discovers the ingest host on the control host,
 * exchanges the key-pair JWT for a scoped token, renews it before it expires, and re-exchanges it
 * once when the ingest host answers 401.
 *
 * @module
 */
import { decodeJwt } from "jose";
import { HEADER, JWT_BEARER_GRANT, PATHS, TOKEN_TYPE } from "./protocol.ts";
import { AuthError, classifyResponse, ForbiddenError } from "./errors.ts";
import type { HttpAnswer, HttpTransport } from "./http.ts";
import type { KeyPairJwt } from "./jwt.ts";
import { parseHostnameBody } from "./account.ts";
import { DEFAULT_RETRY_POLICY, type OnRetry, type RetryPolicy, withRetry } from "./backoff.ts";

/** Assumed scoped-token lifetime when the token does not say (Redpanda's choice, spec §1.3). */
const DEFAULT_TOKEN_TTL_MS = 55 * 60_000;

/** Options of {@link ScopedTokenManager}. */
export interface ScopedTokenManagerOptions {
  http: HttpTransport;
  /** Base URL of the control host (or of an emulator). */
  controlUrl: URL;
  jwt: KeyPairJwt;
  /** Role to act as (`session:role:<ROLE>` in the scope) instead of the user's default role. */
  role?: string;
  retry?: RetryPolicy;
  /** Clock (ms since epoch); tests replace it. */
  now?: () => number;
}

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Told about every retry (for metrics). */
  onRetry?: OnRetry;
}

/** Decides when a scoped token needs renewing: its `exp` when it is a JWT, else 55 minutes. */
export function tokenExpiry(token: string, obtainedAt: number): number {
  if (token.split(".").length === 3) {
    try {
      const exp = decodeJwt(token).exp;
      if (typeof exp === "number" && Number.isFinite(exp)) return exp * 1000;
    } catch {
      // Not a JWT after all: fall through to the assumed lifetime.
    }
  }
  return obtainedAt + DEFAULT_TOKEN_TTL_MS;
}

/** Reads the token from an exchange answer: plain text, a JSON string, or `{"token": …}`. */
export function parseTokenBody(answer: Pick<HttpAnswer, "text" | "body">): string {
  const b = answer.body;
  let token: unknown = b;
  if (b && typeof b === "object") token = (b as Record<string, unknown>).token;
  if (typeof token !== "string" || token.trim() === "") {
    throw new AuthError("the token exchange answered without a token", 200);
  }
  return token.trim();
}

/** Discovers the ingest host and keeps a valid scoped token for it. */
export class ScopedTokenManager {
  readonly #opts: ScopedTokenManagerOptions;
  readonly #now: () => number;
  #ingest: Promise<{ host: string; url: URL }> | undefined;
  #token: { value: string; renewAt: number } | undefined;
  #pending: Promise<string> | undefined;

  constructor(opts: ScopedTokenManagerOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
  }

  /** Base URL of the ingest host (discovered once; the control URL's scheme is kept). */
  async ingestUrl(opts: CallOptions = {}): Promise<URL> {
    return (await this.#ingestHost(opts)).url;
  }

  /** The ingest host name as used in the token scope. */
  async ingestHost(opts: CallOptions = {}): Promise<string> {
    return (await this.#ingestHost(opts)).host;
  }

  #ingestHost(opts: CallOptions): Promise<{ host: string; url: URL }> {
    if (!this.#ingest) {
      const p = this.#discover(opts);
      this.#ingest = p;
      // A failed discovery is retried by the next caller, not cached.
      p.catch(() => {
        if (this.#ingest === p) this.#ingest = undefined;
      });
    }
    return this.#ingest;
  }

  async #discover(opts: CallOptions): Promise<{ host: string; url: URL }> {
    const answer = await this.#controlCall(
      "GET",
      PATHS.hostname,
      undefined,
      "get ingest hostname",
      opts,
    );
    let host: string;
    try {
      host = parseHostnameBody(answer.text);
    } catch (e) {
      throw new AuthError(`get ingest hostname: ${(e as Error).message}`, answer.status);
    }
    const url = new URL(`${this.#opts.controlUrl.protocol}//${host}`);
    return { host, url };
  }

  /** A scoped token valid for a while yet (exchanged or renewed as needed). */
  async token(opts: CallOptions = {}): Promise<string> {
    const t = this.#token;
    if (t && this.#now() < t.renewAt) return t.value;
    if (!this.#pending) {
      const p = this.#exchange(opts).finally(() => {
        if (this.#pending === p) this.#pending = undefined;
      });
      this.#pending = p;
    }
    return await this.#pending;
  }

  /** Forgets `token` (the ingest host refused it) so that the next call exchanges a new one. */
  invalidate(token: string): void {
    if (this.#token?.value === token) this.#token = undefined;
  }

  async #exchange(opts: CallOptions): Promise<string> {
    const host = await this.ingestHost(opts);
    const scope = this.#opts.role ? `${host} session:role:${this.#opts.role}` : host;
    const form = new URLSearchParams({ grant_type: JWT_BEARER_GRANT, scope });
    const obtainedAt = this.#now();
    const answer = await this.#controlCall(
      "POST",
      PATHS.oauthToken,
      form,
      "scoped-token exchange",
      opts,
    );
    const value = parseTokenBody(answer);
    const expiresAt = tokenExpiry(value, obtainedAt);
    const life = Math.max(0, expiresAt - obtainedAt);
    // Renew a little early: a fifth of the lifetime, at most five minutes.
    const renewAt = expiresAt - Math.min(5 * 60_000, life / 5);
    this.#token = { value, renewAt };
    return value;
  }

  /**
   * A call to the control host with the key-pair JWT: transient failures are retried; a 401 is
   * retried once with a newly signed JWT, then reported as {@link AuthError}; 403 stops.
   */
  async #controlCall(
    method: "GET" | "POST",
    path: string,
    form: URLSearchParams | undefined,
    what: string,
    opts: CallOptions,
  ): Promise<HttpAnswer> {
    const jwt = this.#opts.jwt;
    const url = new URL(path, this.#opts.controlUrl);
    return await withRetry(async () => {
      for (let attempt = 0;; attempt++) {
        const headers: Record<string, string> = {
          [HEADER.authorization]: `Bearer ${await jwt.token()}`,
          [HEADER.tokenType]: TOKEN_TYPE.keypairJwt,
        };
        if (form) headers[HEADER.contentType] = "application/x-www-form-urlencoded";
        const answer = await this.#opts.http.send(
          { method, url, headers, body: form?.toString(), signal: opts.signal },
          what,
        );
        if (answer.status >= 200 && answer.status < 300) return answer;
        const err = classifyResponse(
          `${what} at ${url.host}`,
          answer.status,
          answer.body,
          answer.headers,
        );
        if (err instanceof AuthError) {
          if (attempt === 0) {
            jwt.invalidate();
            continue;
          }
          throw new AuthError(
            `${err.message}. Snowflake refused the key-pair JWT for ${jwt.subject} twice: check ` +
              `that the user's RSA_PUBLIC_KEY matches this private key (fingerprint ` +
              `${jwt.fingerprint}) and that SNOWFLAKE_ACCOUNT and SNOWFLAKE_USER are right`,
            err.status,
            err.code,
          );
        }
        if (err instanceof ForbiddenError) {
          throw new ForbiddenError(
            `${err.message}. ${jwt.subject} is not allowed to do this: grant the role the ` +
              `privileges from \`liftline setup\``,
            err.code,
          );
        }
        throw err;
      }
    }, {
      policy: this.#opts.retry ?? DEFAULT_RETRY_POLICY,
      signal: opts.signal,
      onRetry: opts.onRetry,
    });
  }
}
