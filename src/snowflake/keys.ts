/**
 * RSA key pairs for Snowflake key-pair authentication, with Web Crypto only: generation, PEM
 * encoding (PKCS#8 private, SubjectPublicKeyInfo public), and the public-key fingerprint that
 * Snowflake shows as `RSA_PUBLIC_KEY_FP`.
 *
 * @module
 */
import { Buffer } from "node:buffer";

const RSA_ALGORITHM = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;

/** A key pair as PEM text. */
export interface PemKeyPair {
  /** PKCS#8 `-----BEGIN PRIVATE KEY-----` text. */
  privateKeyPem: string;
  /** SubjectPublicKeyInfo `-----BEGIN PUBLIC KEY-----` text. */
  publicKeyPem: string;
}

function toPem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** The DER bytes inside a PEM block with the given label; throws when there is none. */
export function pemToDer(
  pem: string,
  label: "PRIVATE KEY" | "PUBLIC KEY",
): Uint8Array<ArrayBuffer> {
  const match = pem.match(new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`));
  if (!match) {
    if (label === "PRIVATE KEY" && /BEGIN (RSA|ENCRYPTED) PRIVATE KEY/.test(pem)) {
      throw new Error(
        "the private key must be an unencrypted PKCS#8 PEM (BEGIN PRIVATE KEY); convert it with " +
          "`openssl pkcs8 -topk8 -nocrypt`",
      );
    }
    throw new Error(`no ${label} PEM block found`);
  }
  const bytes = Buffer.from(match[1].replace(/\s+/g, ""), "base64");
  return new Uint8Array(bytes).slice();
}

/** Creates a new RSA-2048 key pair for RS256 signing. */
export async function generateKeyPair(): Promise<PemKeyPair> {
  const pair = await crypto.subtle.generateKey(
    { ...RSA_ALGORITHM, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ["sign", "verify"],
  );
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", pair.privateKey);
  const spki = await crypto.subtle.exportKey("spki", pair.publicKey);
  return { privateKeyPem: toPem(pkcs8, "PRIVATE KEY"), publicKeyPem: toPem(spki, "PUBLIC KEY") };
}

/** Imports a PKCS#8 PEM private key for RS256 signing. */
export function importPrivateKey(pem: string, extractable = false): Promise<CryptoKey> {
  const der = pemToDer(pem, "PRIVATE KEY");
  return crypto.subtle.importKey("pkcs8", der, RSA_ALGORITHM, extractable, ["sign"]);
}

/** Imports a SubjectPublicKeyInfo PEM public key for RS256 verification. */
export function importPublicKey(pem: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("spki", pemToDer(pem, "PUBLIC KEY"), RSA_ALGORITHM, true, [
    "verify",
  ]);
}

/** Derives the public key (SPKI PEM) from a PKCS#8 PEM private key. */
export async function publicKeyPemFromPrivate(privateKeyPem: string): Promise<string> {
  const priv = await importPrivateKey(privateKeyPem, true);
  const jwk = await crypto.subtle.exportKey("jwk", priv);
  const pub = await crypto.subtle.importKey(
    "jwk",
    { kty: "RSA", n: jwk.n, e: jwk.e, alg: "RS256", ext: true },
    RSA_ALGORITHM,
    true,
    ["verify"],
  );
  return toPem(await crypto.subtle.exportKey("spki", pub), "PUBLIC KEY");
}

/**
 * `SHA256:` + base64 of the SHA-256 of the DER SubjectPublicKeyInfo: what Snowflake stores as
 * `RSA_PUBLIC_KEY_FP` and what `openssl rsa -pubin -outform DER | openssl dgst -sha256 -binary |
 * openssl enc -base64` prints.
 */
export async function publicKeyFingerprint(publicKeyPem: string): Promise<string> {
  const der = pemToDer(publicKeyPem, "PUBLIC KEY");
  const digest = await crypto.subtle.digest("SHA-256", der);
  return `SHA256:${Buffer.from(digest).toString("base64")}`;
}

/** The public key's base64 body on one line, as `ALTER USER … SET RSA_PUBLIC_KEY` wants it. */
export function publicKeyBody(publicKeyPem: string): string {
  return Buffer.from(pemToDer(publicKeyPem, "PUBLIC KEY")).toString("base64");
}
