/**
 * Key-pair JWTs for the control host (spec §1.1), signed RS256 with jose and renewed before they
 * expire.
 *
 * @module
 */
import { SignJWT } from "jose";
import { importPrivateKey, publicKeyFingerprint, publicKeyPemFromPrivate } from "./keys.ts";
import { jwtAccount } from "./account.ts";

/** Options of {@link KeyPairJwt.create}. */
export interface KeyPairJwtOptions {
  /** Account identifier in any documented form (locator, locator.region, org-account, …). */
  account: string;
  /** Login name of the user the public key is registered on. */
  user: string;
  /** PKCS#8 PEM private key. */
  privateKeyPem: string;
  /** Lifetime written into `exp`; Snowflake honours at most one hour. Default 59 min. */
  lifetimeSeconds?: number;
  /** Age at which a new token is issued. Default 54 min (as ingest-java does). */
  renewAfterSeconds?: number;
  /** Clock (ms since epoch); tests replace it. */
  now?: () => number;
}

/** A JWT source for one user and key: hands out a cached token, issuing a new one when due. */
export class KeyPairJwt {
  /** `ACCOUNT.USER.SHA256:fingerprint`. */
  readonly issuer: string;
  /** `ACCOUNT.USER`. */
  readonly subject: string;
  /** `SHA256:…` of the public key (Snowflake's `RSA_PUBLIC_KEY_FP`). */
  readonly fingerprint: string;
  readonly #key: CryptoKey;
  readonly #lifetime: number;
  readonly #renewAfter: number;
  readonly #now: () => number;
  #cached: { token: string; issuedAt: number } | undefined;

  private constructor(
    key: CryptoKey,
    account: string,
    user: string,
    fingerprint: string,
    opts: KeyPairJwtOptions,
  ) {
    this.#key = key;
    this.fingerprint = fingerprint;
    this.subject = `${account}.${user}`;
    this.issuer = `${this.subject}.${fingerprint}`;
    this.#lifetime = opts.lifetimeSeconds ?? 59 * 60;
    this.#renewAfter = Math.min(opts.renewAfterSeconds ?? 54 * 60, this.#lifetime);
    this.#now = opts.now ?? Date.now;
  }

  /** Imports the key and derives the fingerprint. Throws a clear error for a bad key. */
  static async create(opts: KeyPairJwtOptions): Promise<KeyPairJwt> {
    const key = await importPrivateKey(opts.privateKeyPem);
    const fingerprint = await publicKeyFingerprint(
      await publicKeyPemFromPrivate(opts.privateKeyPem),
    );
    // Snowflake rejects lower-case names in the claims (spec §1.1).
    return new KeyPairJwt(
      key,
      jwtAccount(opts.account),
      opts.user.trim().toUpperCase(),
      fingerprint,
      opts,
    );
  }

  /** A token valid for at least `lifetime − renewAfter` more seconds. */
  async token(): Promise<string> {
    const now = this.#now();
    if (this.#cached && now - this.#cached.issuedAt < this.#renewAfter * 1000) {
      return this.#cached.token;
    }
    const iat = Math.floor(now / 1000);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: "RS256", typ: "JWT" })
      .setIssuer(this.issuer)
      .setSubject(this.subject)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.#lifetime)
      .sign(this.#key);
    this.#cached = { token, issuedAt: now };
    return token;
  }

  /** Drops the cached token so that the next {@link token} call issues a new one. */
  invalidate(): void {
    this.#cached = undefined;
  }
}
