/**
 * `liftline keygen`: a new key pair in the data folder, and the statement that registers it.
 *
 * @module
 */
import type { Config } from "../config/load.ts";
import { publicKeyBody, publicKeyFingerprint } from "../snowflake/keys.ts";
import { keyPaths, writeNewKeyPair } from "../snowflake/key_files.ts";

/** What keygen made. */
export interface KeygenResult {
  privateKeyPath: string;
  publicKeyPath: string;
  publicKeyPem: string;
  fingerprint: string;
  alterUserSql: string;
}

/**
 * Creates the key pair and returns what to print. Never returns or prints the private key.
 * Throws `Deno.errors.AlreadyExists` if a pair exists and `force` is not set.
 */
export async function keygen(config: Config, force = false): Promise<KeygenResult> {
  const pair = await writeNewKeyPair(config.dataDir, force);
  const paths = keyPaths(config.dataDir);
  return {
    privateKeyPath: paths.privateKey,
    publicKeyPath: paths.publicKey,
    publicKeyPem: pair.publicKeyPem,
    fingerprint: await publicKeyFingerprint(pair.publicKeyPem),
    alterUserSql: `ALTER USER ${config.SNOWFLAKE_USER} SET RSA_PUBLIC_KEY='${
      publicKeyBody(pair.publicKeyPem)
    }';`,
  };
}

/** The text keygen prints on stdout. */
export function formatKeygen(result: KeygenResult): string {
  return [
    `Private key: ${result.privateKeyPath} (PKCS#8 PEM, owner read/write only; keep it secret)`,
    `Public key:  ${result.publicKeyPath}`,
    "",
    result.publicKeyPem.trimEnd(),
    "",
    `Fingerprint: ${result.fingerprint}`,
    "(DESC USER shows it as RSA_PUBLIC_KEY_FP)",
    "",
    "Register the key with (as a role that can alter the user, e.g. ACCOUNTADMIN):",
    "",
    result.alterUserSql,
    "",
  ].join("\n");
}
