/**
 * An emulator in a temp folder, set up with liftline's objects through SQL (or left an empty
 * account), plus what the SQL API tests need of it: snowflake-sdk connections through liftline's
 * wrapper (src/snowflake/sdk.ts), the in-process SQL client, and rows streamed in through the
 * project's Snowpipe Streaming client, exactly as the streamer sends them.
 */
import { type TableName, TABLES } from "../../../src/config/load.ts";
import type { EmulatorOptions, RunningEmulator } from "../../../src/emulator/mod.ts";
import type { DynamicOptions } from "../../../src/emulator/dynamic/service.ts";
import type { SessionStoreOptions } from "../../../src/emulator/sql/sessions.ts";
import type { LocalSqlClient } from "../../../src/emulator/sql/local_client.ts";
import { startEmulator } from "../../../src/emulator/mod.ts";
import { ensureKeyPair } from "../../../src/snowflake/key_files.ts";
import type { PemKeyPair } from "../../../src/snowflake/keys.ts";
import { SnowflakeSql, type SnowflakeSqlOptions } from "../../../src/snowflake/sdk.ts";
import { type ChannelState, StreamingClient } from "../../../src/snowflake/streaming_client.ts";
import { type ConformanceEmulator, Session } from "./conformance/harness.ts";
import { startLiftlineEmulator } from "../../helpers/liftline_emulator.ts";

/** A running emulator for one test. */
export interface SqlEmulator {
  dir: string;
  emu: RunningEmulator;
  /** The data folder's key pair, which the emulator trusts. */
  keys: PemKeyPair;
  /** An in-process SQL client of the emulator (as the embedded program reads it). */
  sql: LocalSqlClient;
  /** SDK options that sign in as the emulator's user. */
  sdkOptions(extra?: Partial<SnowflakeSqlOptions>): SnowflakeSqlOptions;
  /** A snowflake-sdk connection (closed for you). */
  connect(extra?: Partial<SnowflakeSqlOptions>): Promise<SnowflakeSql>;
  /**
   * Streams JSON rows into liftline's raw tables over Snowpipe Streaming v2 with the project's
   * client (channel `channel` of each table's `<TABLE>_PIPE`), and waits until they committed.
   * Throws when a row was rejected.
   */
  stream(rows: Partial<Record<TableName, readonly string[]>>, channel?: string): Promise<void>;
}

/** Settings of {@link withSqlEmulator}. */
export interface SqlEmulatorOptions {
  /** Set liftline's objects up through SQL (default true); false leaves an empty account. */
  liftline?: boolean;
  /** Dynamic tables: default `{ autoRefresh: false }` (tests refresh through SQL). */
  dynamic?: DynamicOptions;
  /** Session and master token lifetimes. */
  sessions?: SessionStoreOptions;
  /** The limits of open transactions (the emulator's defaults otherwise). */
  transactions?: Pick<
    EmulatorOptions,
    "transactionIdleMs" | "transactionContendedIdleMs" | "transactionContendedHoldMs"
  >;
}

/** Rows per append request. */
const ROWS_PER_APPEND = 5_000;

/** Streams rows into each table's pipe with {@link StreamingClient}; waits for the commits. */
export async function streamRows(
  client: StreamingClient,
  rows: Partial<Record<TableName, readonly string[]>>,
  channel = "sql-test",
): Promise<void> {
  for (const table of TABLES) {
    const lines = rows[table];
    if (!lines || lines.length === 0) continue;
    const pipe = `${table}_PIPE`;
    const opened = await client.openChannel(pipe, channel);
    const first = Number(opened.status.committedOffsetToken ?? 0) + 1;
    let token = opened.continuationToken;
    for (let i = 0; i < lines.length; i += ROWS_PER_APPEND) {
      const part = lines.slice(i, i + ROWS_PER_APPEND)
        .map((json, j) => ({ id: first + i + j, json }));
      for (const body of await client.prepareAppend(part)) {
        token = await client.appendRows(pipe, channel, token, body);
      }
    }
    const last = String(first + lines.length - 1);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const st = (await client.channelStatus(pipe, [channel])).get(channel);
      if (st && st.rowsErrorCount > opened.status.rowsErrorCount) {
        throw new Error(`${pipe} rejected rows: ${st.lastErrorMessage}`);
      }
      if (st?.committedOffsetToken === last) break;
      if (Date.now() > deadline) {
        throw new Error(`${pipe}: offset ${last} not committed (at ${st?.committedOffsetToken})`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/** Runs `fn` with a fresh emulator; closes everything and removes the folder afterwards. */
export async function withSqlEmulator(
  fn: (e: SqlEmulator) => Promise<void>,
  options: SqlEmulatorOptions = {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "liftline-sql-" });
  const open: SnowflakeSql[] = [];
  let emu: RunningEmulator | undefined;
  let sql: LocalSqlClient | undefined;
  try {
    const emulatorOptions = {
      dataDir: dir,
      commitDelayMs: 0,
      dynamic: options.dynamic ?? { autoRefresh: false },
      sessions: options.sessions,
      ...options.transactions,
    };
    if (options.liftline ?? true) {
      const started = await startLiftlineEmulator(emulatorOptions);
      emu = started.emu;
      sql = started.sql;
    } else {
      emu = await startEmulator(emulatorOptions);
      sql = emu.localClient();
    }
    const running = emu;
    // The emulator wrote its key pair into the folder; this reads the same pair.
    const keys = await ensureKeyPair(dir);
    const sdkOptions = (extra: Partial<SnowflakeSqlOptions> = {}): SnowflakeSqlOptions => ({
      account: "LIFTLINE",
      username: "STREAMING_INGEST",
      privateKeyPem: keys.privateKeyPem,
      accessUrl: running.url,
      database: "STREAMING_INGEST",
      schema: "STREAMING_INGEST",
      dataDir: dir,
      ...extra,
    });
    let client: Promise<StreamingClient> | undefined;
    await fn({
      dir,
      emu: running,
      keys,
      sql,
      sdkOptions,
      async connect(extra) {
        const c = await SnowflakeSql.connect(sdkOptions(extra));
        open.push(c);
        return c;
      },
      async stream(rows, channel) {
        client ??= testStreamingClient(running.url, keys.privateKeyPem);
        await streamRows(await client, rows, channel);
      },
    });
  } finally {
    for (const c of open) await c.close().catch(() => {});
    await sql?.close().catch(() => {});
    await emu?.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** The project's Snowpipe Streaming client for the emulator at `url`, with short retries. */
export function testStreamingClient(url: string, privateKeyPem: string): Promise<StreamingClient> {
  return StreamingClient.create({
    account: "LIFTLINE",
    user: "STREAMING_INGEST",
    privateKeyPem,
    controlUrl: url,
    database: "STREAMING_INGEST",
    schema: "STREAMING_INGEST",
    retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 20 },
  });
}

/**
 * Appends `json` (one row each) on `channel` of `pipe`, opened (or reopened) first and numbered
 * on from its committed offset; resolves with the channel's status once they all committed
 * (fails after 60 s).
 */
export async function appendAndCommit(
  client: StreamingClient,
  pipe: string,
  channel: string,
  json: readonly string[],
): Promise<ChannelState> {
  const opened = await client.openChannel(pipe, channel);
  let token = opened.continuationToken;
  const first = Number(opened.status.committedOffsetToken ?? 0) + 1;
  const rows = json.map((line, i) => ({ id: first + i, json: line }));
  for (const body of await client.prepareAppend(rows)) {
    token = await client.appendRows(pipe, channel, token, body);
  }
  const last = String(first + json.length - 1);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const st = (await client.channelStatus(pipe, [channel])).get(channel);
    if (st?.committedOffsetToken === last) return st;
    if (Date.now() > deadline) {
      throw new Error(`${pipe}: offset ${last} not committed (at ${st?.committedOffsetToken})`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** An emulator and a snowflake-sdk session on it (see {@link openSession}). */
export interface OpenSession {
  readonly emu: RunningEmulator;
  readonly db: Session;
  readonly privateKeyPem: string;
  /** Closes the session and stops the emulator; the folder stays (a second start reads it). */
  close(): Promise<void>;
}

/**
 * Starts an emulator in `dataDir` (an empty account; commits at once, dynamic tables refreshed
 * only when asked unless `options` say otherwise) and signs a snowflake-sdk session in to it (the
 * conformance harness's raw driver).
 */
export async function openSession(
  dataDir: string,
  options: Partial<EmulatorOptions> = {},
): Promise<OpenSession> {
  const emu = await startEmulator({
    dataDir,
    commitDelayMs: 0,
    dynamic: { autoRefresh: false },
    ...options,
  });
  try {
    const { privateKeyPem } = await ensureKeyPair(dataDir);
    const handle: ConformanceEmulator = {
      url: emu.url,
      dataDir,
      privateKeyPem,
      close: () => emu.close(),
    };
    const db = await Session.connect(handle);
    return {
      emu,
      db,
      privateKeyPem,
      async close() {
        await db.close().catch(() => {});
        await emu.close();
      },
    };
  } catch (e) {
    await emu.close();
    throw e;
  }
}
