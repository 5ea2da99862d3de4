/**
 * Raw-HTTP helpers for the emulator tests, built from Snowflake's REST API reference and not from
 * liftline's own client: JWTs are made here with jose, requests with plain fetch.
 */
import { SignJWT } from "jose";
import {
  generateKeyPair,
  importPrivateKey,
  publicKeyFingerprint,
} from "../../src/snowflake/keys.ts";
import {
  type EmulatorOptions,
  type LocalSqlClient,
  type RunningEmulator,
  startEmulator,
} from "../../src/emulator/mod.ts";
import { provision } from "../helpers/liftline_emulator.ts";

export const ACCOUNT = "LIFTLINE";
export const USER = "STREAMING_INGEST";
export const DB = "STREAMING_INGEST";
export const SCHEMA = "STREAMING_INGEST";
export const JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/** A key pair with its imported private key and fingerprint. */
export interface TestKeys {
  privateKeyPem: string;
  publicKeyPem: string;
  privateKey: CryptoKey;
  fingerprint: string;
}

let shared: Promise<TestKeys> | undefined;

/** A fresh RSA key pair (RSA generation is slow: tests share one per file via {@link testKeys}). */
export async function newKeys(): Promise<TestKeys> {
  const pair = await generateKeyPair();
  return {
    ...pair,
    privateKey: await importPrivateKey(pair.privateKeyPem),
    fingerprint: await publicKeyFingerprint(pair.publicKeyPem),
  };
}

/** One key pair shared by the tests of a module. */
export function testKeys(): Promise<TestKeys> {
  return shared ??= newKeys();
}

/** Options of {@link keypairJwt}. */
export interface JwtOptions {
  account?: string;
  user?: string;
  fingerprint?: string;
  iat?: number;
  exp?: number;
  /** Sign with this key instead. */
  signWith?: CryptoKey;
}

/** A key-pair JWT as the Snowflake docs describe it (RS256, iss/sub/iat/exp). */
export function keypairJwt(keys: TestKeys, o: JwtOptions = {}): Promise<string> {
  const account = o.account ?? ACCOUNT;
  const user = o.user ?? USER;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: "RS256", typ: "JWT" })
    .setIssuer(`${account}.${user}.${o.fingerprint ?? keys.fingerprint}`)
    .setSubject(`${account}.${user}`)
    .setIssuedAt(o.iat ?? now)
    .setExpirationTime(o.exp ?? now + 3540)
    .sign(o.signWith ?? keys.privateKey);
}

function b64url(text: string): string {
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** An unsigned (`alg: none`) token with otherwise perfect claims. */
export function unsignedJwt(keys: TestKeys): string {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: "none", typ: "JWT" }));
  const payload = b64url(JSON.stringify({
    iss: `${ACCOUNT}.${USER}.${keys.fingerprint}`,
    sub: `${ACCOUNT}.${USER}`,
    iat: now,
    exp: now + 600,
  }));
  return `${header}.${payload}.`;
}

/** A started emulator in a temp folder, trusting `keys`, with liftline's objects in it. */
export interface TestEmulator {
  emu: RunningEmulator;
  url: string;
  dir: string;
  keys: TestKeys;
  /** A SQL client of the emulator, in process (closed by {@link close}). */
  sql: LocalSqlClient;
  /** Rows of a table, counted through SQL. */
  count(table: string): Promise<number>;
  close(): Promise<void>;
}

/** Options of {@link startTestEmulator}. */
export type TestEmulatorOptions = Partial<EmulatorOptions> & {
  keys?: TestKeys;
  /**
   * Set liftline's objects up (tables, pipes, reports) through SQL; default true. A restart on
   * a data folder that has them already may skip it: the catalog is durable.
   */
  provision?: boolean;
};

/**
 * Starts an emulator on port 0 in a new temp folder (or `dir`) and, unless told not to, creates
 * liftline's objects in it with the setup script (the emulator starts as an empty account).
 */
export async function startTestEmulator(options: TestEmulatorOptions = {}): Promise<TestEmulator> {
  const keys = options.keys ?? (await testKeys());
  const dir = options.dataDir ?? (await Deno.makeTempDir({ prefix: "liftline-emu-test-" }));
  const { keys: _keys, provision: setUp = true, ...emulatorOptions } = options;
  const emu = await startEmulator({
    commitDelayMs: 0,
    ...emulatorOptions,
    dataDir: dir,
    publicKeyPem: options.publicKeyPem ?? keys.publicKeyPem,
  });
  const sql = emu.localClient();
  const close = async () => {
    await sql.close().catch(() => {});
    await emu.close();
    if (!options.dataDir) await Deno.remove(dir, { recursive: true });
  };
  try {
    if (setUp) await provision(sql);
  } catch (e) {
    await close();
    throw e;
  }
  return {
    emu,
    url: emu.url,
    dir,
    keys,
    sql,
    async count(table) {
      const r = await sql.query(`SELECT COUNT(*) AS N FROM ${table}`);
      return Number(r.rows[0].N);
    },
    close,
  };
}

/** A column's values in the order the rows were committed (a plain scan keeps that order). */
export async function columnInOrder(
  sql: LocalSqlClient,
  table: string,
  column = "TXID",
): Promise<unknown[]> {
  return (await sql.query(`SELECT ${column} AS V FROM ${table}`)).rows.map((r) => r.V);
}

/** Common headers of every streaming call. */
export function headers(token: string, extra: Record<string, string> = {}): Headers {
  return new Headers({ Authorization: `Bearer ${token}`, Accept: "application/json", ...extra });
}

/** Exchanges a key-pair JWT for a scoped token (form, JWT as bearer); returns the raw body. */
export async function exchange(url: string, jwt: string, scope = "127.0.0.1"): Promise<string> {
  const res = await fetch(`${url}/oauth/token`, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${jwt}`,
      Accept: "application/json",
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: JWT_GRANT, scope }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`token exchange failed: ${res.status} ${text}`);
  return text;
}

/** Key-pair JWT + scoped token for a test emulator. */
export async function scopedToken(t: TestEmulator): Promise<string> {
  return exchange(t.url, await keypairJwt(t.keys));
}

const enc = encodeURIComponent;

/** Path of a channel (open PUT, drop DELETE). */
export function channelPath(pipe: string, channel: string, db = DB, schema = SCHEMA): string {
  return `/v2/streaming/databases/${enc(db)}/schemas/${enc(schema)}/pipes/${enc(pipe)}/channels/${
    enc(channel)
  }`;
}

/** Path of an append. */
export function appendPath(pipe: string, channel: string, db = DB, schema = SCHEMA): string {
  return `/v2/streaming/data/databases/${enc(db)}/schemas/${enc(schema)}/pipes/${
    enc(pipe)
  }/channels/${enc(channel)}/rows`;
}

/** Path of the bulk channel status. */
export function statusPath(pipe: string, db = DB, schema = SCHEMA): string {
  return `/v2/streaming/databases/${enc(db)}/schemas/${enc(schema)}/pipes/${
    enc(pipe)
  }:bulk-channel-status`;
}

/** A response's status and parsed JSON (or text) body. */
export interface Answer {
  status: number;
  // deno-lint-ignore no-explicit-any
  body: any;
  headers: Headers;
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // plain text
  }
  return { status: res.status, body, headers: res.headers };
}

/** Opens a channel. */
export async function openChannel(
  url: string,
  token: string,
  pipe: string,
  channel: string,
  body: Record<string, unknown> = {},
): Promise<Answer> {
  return answer(
    await fetch(url + channelPath(pipe, channel), {
      method: "PUT",
      headers: headers(token, { "Content-Type": "application/json" }),
      body: JSON.stringify(body),
    }),
  );
}

/** Appends NDJSON rows. */
export async function appendRows(
  url: string,
  token: string,
  pipe: string,
  channel: string,
  continuationToken: string,
  body: string | Uint8Array<ArrayBuffer>,
  query: Record<string, string> = {},
  extraHeaders: Record<string, string> = {},
): Promise<Answer> {
  const qs = new URLSearchParams({ continuationToken, ...query });
  return answer(
    await fetch(`${url}${appendPath(pipe, channel)}?${qs}`, {
      method: "POST",
      headers: headers(token, { "Content-Type": "application/x-ndjson", ...extraHeaders }),
      body,
    }),
  );
}

/** Bulk channel status. */
export async function channelStatus(
  url: string,
  token: string,
  pipe: string,
  names: string[],
): Promise<Answer> {
  return answer(
    await fetch(url + statusPath(pipe), {
      method: "POST",
      headers: headers(token, { "Content-Type": "application/json" }),
      body: JSON.stringify({ channel_names: names }),
    }),
  );
}

/** Drops a channel. */
export async function dropChannel(
  url: string,
  token: string,
  pipe: string,
  channel: string,
  body?: Record<string, unknown>,
): Promise<Answer> {
  return answer(
    await fetch(url + channelPath(pipe, channel), {
      method: "DELETE",
      headers: headers(token, { "Content-Type": "application/json" }),
      body: body ? JSON.stringify(body) : undefined,
    }),
  );
}

/** NDJSON of rows. */
export function ndjson(rows: unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
}

/** A LIFT_RIDE row with a fresh TXID. */
export function ride(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    TXID: crypto.randomUUID(),
    RFID: "0x0123456789abcdef01234567",
    RESORT: "Vail",
    LIFT: "Gondola One",
    RIDE_TIME: "2026-11-25T15:04:05.123+00:00",
    ACTIVATION_DAY_COUNT: 1,
    ...overrides,
  };
}

/** Polls `check` every 25 ms until it returns true or `timeoutMs` passes. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return await check();
}

/** Sends raw bytes over TCP and returns the raw answer (the status line first). */
export async function rawHttp(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    await conn.write(new TextEncoder().encode(request));
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(65536);
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
      const text = new TextDecoder().decode(concatBytes(chunks));
      // Responses here are small: stop once the head and the declared body are in.
      const head = text.indexOf("\r\n\r\n");
      if (head !== -1) {
        const len = /content-length:\s*(\d+)/i.exec(text.slice(0, head));
        if (len && text.length >= head + 4 + Number(len[1])) return text;
      }
    }
    return new TextDecoder().decode(concatBytes(chunks));
  } finally {
    conn.close();
  }
}

/** The bytes of `chunks`, joined. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
