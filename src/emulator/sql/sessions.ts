/**
 * SQL sessions of the emulator: created by a verified key-pair login, identified by an opaque
 * session token (for statements) and a master token (for renewing the session token), both
 * expiring like Snowflake's (1 hour and 4 hours), deleted on logout.
 *
 * @module
 */
import { Buffer } from "node:buffer";

/** Snowflake's session-token error codes, which snowflake-sdk acts on. */
export const SESSION_CODES = {
  invalid: "390104",
  gone: "390111",
  expired: "390112",
  masterExpired: "390114",
} as const;

/** One SQL session. */
export interface SqlSession {
  readonly id: number;
  readonly account: string;
  readonly user: string;
  token: string;
  readonly masterToken: string;
  tokenExpiresAt: number;
  readonly masterExpiresAt: number;
  database: string | null;
  schema: string | null;
  warehouse: string | null;
  role: string | null;
}

/** Why a token was refused. */
export class SessionError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "SessionError";
    this.code = code;
  }
}

function newToken(prefix: string): string {
  return `${prefix}${
    Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url")
  }`;
}

/** Options of {@link SessionStore}. */
export interface SessionStoreOptions {
  /** Session token lifetime; default 3600 s. */
  sessionTtlSeconds?: number;
  /** Master token lifetime; default 14400 s. */
  masterTtlSeconds?: number;
  /** Clock; tests replace it. */
  now?: () => number;
  /** Called when a session ends (logout or expiry). */
  onEnd?: (session: SqlSession) => void;
}

/** The live sessions of one emulator. */
export class SessionStore {
  readonly #byToken = new Map<string, SqlSession>();
  readonly #byMaster = new Map<string, SqlSession>();
  readonly #sessionTtl: number;
  readonly #masterTtl: number;
  readonly #now: () => number;
  readonly #onEnd: (session: SqlSession) => void;
  #nextId = 1;
  #renewals = 0;

  constructor(options: SessionStoreOptions = {}) {
    this.#sessionTtl = (options.sessionTtlSeconds ?? 3600) * 1000;
    this.#masterTtl = (options.masterTtlSeconds ?? 14_400) * 1000;
    this.#now = options.now ?? Date.now;
    this.#onEnd = options.onEnd ?? (() => {});
  }

  /** Seconds a new session token is valid. */
  get sessionTtlSeconds(): number {
    return this.#sessionTtl / 1000;
  }

  /** Seconds a master token is valid. */
  get masterTtlSeconds(): number {
    return this.#masterTtl / 1000;
  }

  /** Opens a session for an authenticated principal. */
  create(
    principal: { account: string; user: string },
    names: Pick<SqlSession, "database" | "schema" | "warehouse" | "role">,
  ): SqlSession {
    this.#sweep();
    const now = this.#now();
    const s: SqlSession = {
      id: this.#nextId++,
      account: principal.account,
      user: principal.user,
      token: newToken("ver:1-hint:liftline-"),
      masterToken: newToken("ver:1-hint:liftline-master-"),
      tokenExpiresAt: now + this.#sessionTtl,
      masterExpiresAt: now + this.#masterTtl,
      ...names,
    };
    this.#byToken.set(s.token, s);
    this.#byMaster.set(s.masterToken, s);
    return s;
  }

  /** The session of a session token; throws {@link SessionError} for an unknown or old one. */
  byToken(token: string): SqlSession {
    const s = this.#byToken.get(token);
    if (!s) throw new SessionError(SESSION_CODES.invalid, "Invalid session token.");
    if (this.#now() >= s.tokenExpiresAt) {
      throw new SessionError(SESSION_CODES.expired, "Session token expired.");
    }
    return s;
  }

  /** Issues a new session token for the session of `masterToken` (`/session/token-request`). */
  renew(masterToken: string, oldSessionToken?: string): SqlSession {
    const s = this.#byMaster.get(masterToken);
    if (!s) throw new SessionError(SESSION_CODES.gone, "Session no longer exists.");
    if (this.#now() >= s.masterExpiresAt) {
      throw new SessionError(SESSION_CODES.masterExpired, "Master token expired.");
    }
    if (oldSessionToken !== undefined && oldSessionToken !== s.token) {
      throw new SessionError(SESSION_CODES.invalid, "The old session token does not match.");
    }
    this.#byToken.delete(s.token);
    this.#renewals++;
    s.token = newToken("ver:1-hint:liftline-");
    s.tokenExpiresAt = this.#now() + this.#sessionTtl;
    this.#byToken.set(s.token, s);
    return s;
  }

  /** Ends the session of a session token; false when there was none. */
  delete(token: string): boolean {
    const s = this.#byToken.get(token);
    if (!s) return false;
    this.#byToken.delete(s.token);
    this.#byMaster.delete(s.masterToken);
    this.#onEnd(s);
    return true;
  }

  /** Session tokens renewed so far. */
  get renewals(): number {
    return this.#renewals;
  }

  /** Live sessions. */
  get size(): number {
    return this.#byToken.size;
  }

  /** Drops sessions whose master token has expired. */
  #sweep(): void {
    const now = this.#now();
    for (const s of this.#byMaster.values()) {
      if (now >= s.masterExpiresAt) {
        this.#byMaster.delete(s.masterToken);
        this.#byToken.delete(s.token);
        this.#onEnd(s);
      }
    }
  }
}
