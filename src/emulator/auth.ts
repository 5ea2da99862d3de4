/**
 * The emulator's authentication, as strict as Snowflake's: key-pair JWTs (RS256) verified against
 * the trusted public key, and the scoped tokens it issues in exchange (HS256 JWTs signed with a
 * secret made at start, so they die with the process; clients re-exchange on 401 as they must
 * with the real service).
 *
 * @module
 */
import { decodeProtectedHeader, jwtVerify, SignJWT } from "jose";
import { importPublicKey, publicKeyFingerprint } from "../snowflake/keys.ts";

/** Who a token speaks for. */
export interface Principal {
  /** Upper-case account name. */
  readonly account: string;
  /** Upper-case user name. */
  readonly user: string;
}

/** What a scoped token grants. */
export interface ScopedPrincipal extends Principal {
  /** The host the token was scoped to. */
  readonly scope: string;
  /** Role asked for with `session:role:<ROLE>`, if any. */
  readonly role?: string;
  /** Expiry, seconds since the epoch. */
  readonly exp: number;
}

/** Which token kinds a route accepts. */
export type TokenKind = "keypair" | "scoped";

/** A token the emulator refuses; answered with 401. */
export class AuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AuthError";
  }
}

/** Settings of {@link EmulatorAuth.create}. */
export interface AuthOptions {
  /** Account name, upper-case. */
  readonly account: string;
  /** User name, upper-case. */
  readonly user: string;
  /** The trusted public key (SPKI PEM). */
  readonly publicKeyPem: string;
  /** Lifetime of issued scoped tokens in seconds (default 3600). */
  readonly tokenTtlSeconds?: number;
  /** The clock tokens are issued and judged by, ms since the epoch (default `Date.now`). */
  readonly now?: () => number;
}

/** Snowflake honours a key-pair JWT for at most one hour after it was issued. */
export const MAX_KEYPAIR_JWT_SECONDS = 3600;
const CLOCK_SKEW_SECONDS = 60;
const SCOPED_ISSUER = "liftline-emulator";
/** Tokens remembered as verified (a client sends the same one with every request). */
const VERIFIED_CACHE_SIZE = 512;

/** A token verified before, and until when (ms since the epoch) it stays valid. */
interface Verified<P> {
  readonly principal: P;
  readonly validUntilMs: number;
}

/** Underscores and hyphens in account names are treated alike (which one JWTs keep is unconfirmed). */
function sameAccount(a: string, b: string): boolean {
  return a.replaceAll("_", "-") === b.replaceAll("_", "-");
}

/** Verifies key-pair JWTs and issues and verifies scoped tokens. */
export class EmulatorAuth {
  /** Expected account (upper-case). */
  readonly account: string;
  /** Expected user (upper-case). */
  readonly user: string;
  /** `SHA256:…` fingerprint of the trusted public key. */
  readonly fingerprint: string;
  /** Lifetime of issued scoped tokens in seconds. */
  readonly tokenTtlSeconds: number;
  readonly #publicKey: CryptoKey;
  readonly #secret: Uint8Array;
  readonly #now: () => number;
  // A signature check costs about 0.2 ms (HMAC) to 1 ms (RSA), on every append at full speed.
  // What it proved does not change until the token expires: the key and the secret are fixed
  // for the life of this object.
  readonly #keypairVerified = new Map<string, Verified<Principal>>();
  readonly #scopedVerified = new Map<string, Verified<ScopedPrincipal>>();

  private constructor(options: AuthOptions, fingerprint: string, publicKey: CryptoKey) {
    this.account = options.account;
    this.user = options.user;
    this.fingerprint = fingerprint;
    this.tokenTtlSeconds = options.tokenTtlSeconds ?? 3600;
    this.#publicKey = publicKey;
    this.#secret = crypto.getRandomValues(new Uint8Array(32));
    this.#now = options.now ?? Date.now;
  }

  /** Imports the trusted key and makes the scoped-token secret. */
  static async create(options: AuthOptions): Promise<EmulatorAuth> {
    const fingerprint = await publicKeyFingerprint(options.publicKeyPem);
    const key = await importPublicKey(options.publicKeyPem);
    return new EmulatorAuth(options, fingerprint, key);
  }

  /**
   * Verifies a key-pair JWT: RS256 signature by the trusted key, `iss` =
   * `<ACCOUNT>.<USER>.SHA256:<fingerprint>`, `sub` = `<ACCOUNT>.<USER>` (upper-case), `exp` in the
   * future and at most one hour after `iat` (seconds or milliseconds), `iat` not in the future.
   */
  async verifyKeypairJwt(token: string): Promise<Principal> {
    const known = remembered(this.#keypairVerified, token, this.#now());
    if (known) return known;
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.#publicKey, {
        currentDate: new Date(this.#now()),
        algorithms: ["RS256"],
        requiredClaims: ["iss", "sub", "iat", "exp"],
      }));
    } catch (e) {
      throw new AuthError(`JWT token is invalid: ${(e as Error).message}`);
    }
    const iss = String(payload.iss);
    const sub = String(payload.sub);
    const dot = sub.indexOf(".");
    const account = sub.slice(0, dot);
    const user = sub.slice(dot + 1);
    if (dot <= 0 || !sameAccount(account, this.account) || user !== this.user) {
      throw new AuthError("JWT token is invalid: sub is not <ACCOUNT>.<USER> of this account");
    }
    if (iss !== `${account}.${user}.${this.fingerprint}`) {
      throw new AuthError(
        "JWT token is invalid: iss must be <ACCOUNT>.<USER>.SHA256:<fingerprint of the trusted key>",
      );
    }
    const now = this.#now() / 1000;
    // `iat` may be in milliseconds; anything past year 5138 in seconds is read as milliseconds.
    const iat = (payload.iat as number) > 1e11 ? (payload.iat as number) / 1000 : payload.iat!;
    // snowflake-sdk (Node) writes `exp` in milliseconds too, and Snowflake accepts it.
    const exp = (payload.exp as number) > 1e11 ? (payload.exp as number) / 1000 : payload.exp!;
    if (iat > now + CLOCK_SKEW_SECONDS) {
      throw new AuthError("JWT token is invalid: iat is in the future");
    }
    if (exp <= now - CLOCK_SKEW_SECONDS) {
      throw new AuthError("JWT token is invalid: it has expired");
    }
    if (exp - iat > MAX_KEYPAIR_JWT_SECONDS || now > iat + MAX_KEYPAIR_JWT_SECONDS) {
      throw new AuthError("JWT token is invalid: lifetime is more than one hour after iat");
    }
    const principal = { account: this.account, user };
    remember(this.#keypairVerified, token, {
      principal,
      validUntilMs: Math.min(exp, iat + MAX_KEYPAIR_JWT_SECONDS) * 1000,
    });
    return principal;
  }

  /** Issues a scoped token (HS256 JWT) for `principal`, valid for the token TTL. */
  issueScopedToken(principal: Principal & { scope: string; role?: string }): Promise<string> {
    const now = this.#now() / 1000;
    const claims: Record<string, string> = { scope: principal.scope };
    if (principal.role) claims.role = principal.role;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuer(SCOPED_ISSUER)
      .setSubject(`${principal.account}.${principal.user}`)
      .setIssuedAt(Math.floor(now))
      // Fractional NumericDate (RFC 7519 allows it): a token_ttl of 1 s lives 1 s, not 0–2 s.
      .setExpirationTime(Math.round((now + this.tokenTtlSeconds) * 1000) / 1000)
      .sign(this.#secret);
  }

  /** Verifies a scoped token this emulator issued (signature, issuer, expiry). */
  async verifyScopedToken(token: string): Promise<ScopedPrincipal> {
    const known = remembered(this.#scopedVerified, token, this.#now());
    if (known) return known;
    try {
      const { payload } = await jwtVerify(token, this.#secret, {
        currentDate: new Date(this.#now()),
        algorithms: ["HS256"],
        issuer: SCOPED_ISSUER,
        requiredClaims: ["sub", "exp", "scope"],
      });
      // jose compares whole seconds; expiry is honoured to the millisecond.
      if (payload.exp! * 1000 <= this.#now()) throw new Error('"exp" claim timestamp check failed');
      const sub = String(payload.sub);
      const dot = sub.indexOf(".");
      const principal: ScopedPrincipal = {
        account: sub.slice(0, dot),
        user: sub.slice(dot + 1),
        scope: String(payload.scope),
        role: typeof payload.role === "string" ? payload.role : undefined,
        exp: payload.exp!,
      };
      remember(this.#scopedVerified, token, { principal, validUntilMs: payload.exp! * 1000 });
      return principal;
    } catch (e) {
      throw new AuthError(`scoped token is invalid: ${(e as Error).message}`);
    }
  }

  /**
   * Verifies a bearer token of one of the `allowed` kinds. The kind is told by the token's own
   * algorithm (RS256 key-pair JWT, HS256 scoped token), not by the optional type header; `none`
   * and anything else are refused.
   */
  async verifyBearer(token: string, allowed: readonly TokenKind[]): Promise<Principal> {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new AuthError("bearer token is not a JWT");
    }
    if (alg === "RS256" && allowed.includes("keypair")) return await this.verifyKeypairJwt(token);
    if (alg === "HS256" && allowed.includes("scoped")) return await this.verifyScopedToken(token);
    throw new AuthError(
      `this endpoint needs ${
        allowed.map((k) => k === "keypair" ? "a KEYPAIR_JWT" : "a scoped token").join(" or ")
      }`,
    );
  }
}

/** The principal of `token` if it was verified and is still valid at `nowMs`. */
function remembered<P>(
  cache: Map<string, Verified<P>>,
  token: string,
  nowMs: number,
): P | undefined {
  const v = cache.get(token);
  if (!v) return undefined;
  if (nowMs < v.validUntilMs) return v.principal;
  cache.delete(token);
  return undefined;
}

/** Remembers a verified token, forgetting the oldest beyond {@link VERIFIED_CACHE_SIZE}. */
function remember<P>(cache: Map<string, Verified<P>>, token: string, v: Verified<P>): void {
  cache.set(token, v);
  if (cache.size > VERIFIED_CACHE_SIZE) cache.delete(cache.keys().next().value!);
}
