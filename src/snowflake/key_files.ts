/**
 * The key pair's files in the data folder: `rsa_key.p8` (owner-only) and `rsa_key.pub`, the
 * file names of Snowflake's key-pair guide.
 *
 * @module
 */
import { join } from "node:path";
import { generateKeyPair, type PemKeyPair, publicKeyPemFromPrivate } from "./keys.ts";

/** File name of the PKCS#8 private key. */
export const PRIVATE_KEY_FILE = "rsa_key.p8";
/** File name of the public key. */
export const PUBLIC_KEY_FILE = "rsa_key.pub";

/** Paths of the key files in `dataDir`. */
export function keyPaths(dataDir: string): { privateKey: string; publicKey: string } {
  return { privateKey: join(dataDir, PRIVATE_KEY_FILE), publicKey: join(dataDir, PUBLIC_KEY_FILE) };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * Writes a new key pair into `dataDir`. The private key is created with mode 0600 from the start
 * (never world-readable, not even briefly). Refuses to overwrite unless `overwrite` is set.
 */
export async function writeNewKeyPair(dataDir: string, overwrite = false): Promise<PemKeyPair> {
  const paths = keyPaths(dataDir);
  if (!overwrite && (await exists(paths.privateKey))) {
    throw new Deno.errors.AlreadyExists(`${paths.privateKey} already exists`);
  }
  await Deno.mkdir(dataDir, { recursive: true });
  const pair = await generateKeyPair();
  const tmp = `${paths.privateKey}.tmp`;
  await Deno.writeTextFile(tmp, pair.privateKeyPem, { mode: 0o600, createNew: !overwrite });
  await Deno.chmod(tmp, 0o600);
  await Deno.rename(tmp, paths.privateKey);
  await Deno.writeTextFile(paths.publicKey, pair.publicKeyPem, { mode: 0o644 });
  return pair;
}

/**
 * The key pair in `dataDir`, created on first use. If only the private key exists, the public key
 * is derived from it and written.
 */
export async function ensureKeyPair(dataDir: string): Promise<PemKeyPair> {
  const paths = keyPaths(dataDir);
  if (!(await exists(paths.privateKey))) {
    try {
      return await writeNewKeyPair(dataDir);
    } catch (e) {
      // Another process of the same data folder won the race; use its pair.
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    }
  }
  const privateKeyPem = await Deno.readTextFile(paths.privateKey);
  let publicKeyPem: string;
  try {
    publicKeyPem = await Deno.readTextFile(paths.publicKey);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    publicKeyPem = await publicKeyPemFromPrivate(privateKeyPem);
    await Deno.writeTextFile(paths.publicKey, publicKeyPem);
  }
  return { privateKeyPem, publicKeyPem };
}
