/**
 * Test fixtures for the report chain: seeded simulated days from the real generator, loaded into
 * an emulator that liftline's setup script (sql/) set up through SQL, through its Snowpipe
 * Streaming service (the pipe's COPY coercion and the commit path a streamed append ends in), plus
 * the resort capacities and the reference model's inputs, and what the tests read through SQL.
 */
import { type TableName, TABLES } from "../../src/config/load.ts";
import { generateRows } from "../../src/generator/mod.ts";
import {
  type EmulatorOptions,
  type LocalSqlClient,
  type RunningEmulator,
  startEmulator,
} from "../../src/emulator/mod.ts";
import type { DynamicOptions } from "../../src/emulator/dynamic/service.ts";
import { plainPayload } from "../../src/emulator/http_body.ts";
import { type ResortCapacityRow, resortCapacityRows, setupScript } from "../../sql/render.ts";
import facts from "../../src/generator/resorts.json" with { type: "json" };
import { ensureKeyPair } from "../../src/snowflake/key_files.ts";
import { SnowflakeSql } from "../../src/snowflake/sdk.ts";
import { LOCAL_ACCOUNT } from "../../src/snowflake/streaming.ts";
import { NAMES } from "../helpers/liftline_emulator.ts";
import type { RawTables } from "./model.ts";

/** RESORT_CAPACITY from resorts.json. */
export const CAPACITY: ResortCapacityRow[] = resortCapacityRows(facts);

/**
 * Capacities small enough that a few hundred tickets a day make every CAPACITY_STATUS and a
 * spread of percentages appear (the real ones need thousands of visitors an hour).
 */
export const SMALL_CAPACITY: ResortCapacityRow[] = CAPACITY.map((r, i) => ({
  ...r,
  maxCapacity: [60, 45, 70, 35, 40][i] ?? 50,
}));

/** The capacities as the model takes them. */
export const capacities = (rows: readonly ResortCapacityRow[]) =>
  rows.map((r) => ({ resort: r.resort, maxCapacity: r.maxCapacity }));

/** A Friday: nine days from it cross the Monday week boundary. */
export const FRIDAY_START = Date.parse("2026-11-27T14:00:00Z");
export const DAY_MS = 86_400_000;

/** Rows of a seeded simulation, as JSON text per table. */
export function simulate(
  days: number,
  options: { seed?: string; ticketsPerDay?: number; start?: number } = {},
): Record<TableName, string[]> {
  const start = options.start ?? FRIDAY_START;
  return generateRows({
    seed: options.seed ?? "reports-test",
    start,
    ticketsPerDay: options.ticketsPerDay ?? 300,
    until: start + days * DAY_MS,
  });
}

/** Parsed rows for the model. */
export function parseRows(rows: Partial<Record<TableName, readonly string[]>>): RawTables {
  return {
    RESORT_TICKET: (rows.RESORT_TICKET ?? []).map((r) => JSON.parse(r)),
    SEASON_PASS: (rows.SEASON_PASS ?? []).map((r) => JSON.parse(r)),
    LIFT_RIDE: (rows.LIFT_RIDE ?? []).map((r) => JSON.parse(r)),
  };
}

/** Concatenates row sets. */
export function concatRows(
  ...sets: Partial<Record<TableName, readonly string[]>>[]
): Record<TableName, string[]> {
  const out = { RESORT_TICKET: [], SEASON_PASS: [], LIFT_RIDE: [] } as Record<TableName, string[]>;
  for (const s of sets) for (const t of TABLES) out[t].push(...(s[t] ?? []));
  return out;
}

/** Rows keyed by column name, as a SQL client returns them. */
export type Row = Record<string, unknown>;

/** Runs one statement and returns its rows (what compare.ts reads through). */
export type Query = (sql: string, binds?: readonly (string | number | boolean | null)[]) => Promise<
  Row[]
>;

/** One row of DYNAMIC_TABLE_REFRESH_HISTORY, with STATISTICS parsed. */
export interface RefreshRow {
  NAME: string;
  STATE: string;
  STATE_CODE: string | null;
  STATE_MESSAGE: string | null;
  DATA_TIMESTAMP: Date;
  REFRESH_START_TIME: Date;
  REFRESH_END_TIME: Date | null;
  REFRESH_ACTION: string;
  REFRESH_TRIGGER: string;
  TARGET_LAG_SEC: number | null;
  STATISTICS: { numInsertedRows?: number; numDeletedRows?: number };
}

/** Refresh history through DYNAMIC_TABLE_REFRESH_HISTORY, newest first. */
export async function refreshHistory(
  query: Query,
  name?: string,
  limit = 10000,
): Promise<RefreshRow[]> {
  const arg = name === undefined
    ? `NAME_PREFIX => '${NAMES.database}.${NAMES.schema}.'`
    : `NAME => '${name}'`;
  const rows = await query(
    `SELECT * FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(${arg}, RESULT_LIMIT => ${limit}))`,
  );
  return rows.map((r) => ({
    ...r,
    TARGET_LAG_SEC: r.TARGET_LAG_SEC === null ? null : Number(r.TARGET_LAG_SEC),
    STATISTICS: typeof r.STATISTICS === "string"
      ? JSON.parse(r.STATISTICS)
      : (r.STATISTICS ?? {}) as RefreshRow["STATISTICS"],
  })) as unknown as RefreshRow[];
}

/** What SHOW DYNAMIC TABLES says of each table: target lag, data timestamp, scheduling state. */
export async function showDynamicTables(
  query: Query,
): Promise<Map<string, { targetLag: string; dataTimestamp: Date | null; state: string }>> {
  const rows = await query(`SHOW DYNAMIC TABLES IN SCHEMA ${NAMES.database}.${NAMES.schema}`);
  return new Map(rows.map((r) => [String(r.name), {
    targetLag: String(r.target_lag),
    dataTimestamp: r.data_timestamp instanceof Date ? r.data_timestamp : null,
    state: String(r.scheduling_state),
  }]));
}

/** Rides the chain reflects (HOURLY_LIFT_ACTIVITY) against rides committed, through SQL. */
export async function backlog(
  query: Query,
): Promise<{ reflectedRides: number; committedRides: number }> {
  const [r] = await query(
    `SELECT (SELECT COALESCE(SUM(TOTAL_RIDES), 0) FROM HOURLY_LIFT_ACTIVITY) AS REFLECTED,
            (SELECT COUNT(*) FROM LIFT_RIDE) AS COMMITTED`,
  );
  return { reflectedRides: Number(r.REFLECTED), committedRides: Number(r.COMMITTED) };
}

/** An emulator with liftline's objects (and chosen capacities), and what the tests do with it. */
export interface ReportsEmulator {
  readonly emu: RunningEmulator;
  readonly dir: string;
  readonly sql: LocalSqlClient;
  /** Runs a statement through the in-process SQL client; rows keyed by column name. */
  readonly query: Query;
  /** Commits JSON rows over the emulator's streaming service, like streamed appends. */
  load(rows: Partial<Record<TableName, readonly string[]>>): Promise<void>;
  /** `ALTER DYNAMIC TABLE name REFRESH`. */
  refresh(name: string): Promise<void>;
  /** Closes the client and the emulator; removes the folder when the fixture made it. */
  close(): Promise<void>;
}

/** Runs liftline's setup script with `resorts` as RESORT_CAPACITY through a SQL client. */
export async function provisionWith(
  sql: LocalSqlClient,
  resorts: readonly ResortCapacityRow[],
): Promise<void> {
  for (const s of setupScript({ ...NAMES, pipes: { ...NAMES.pipes } }, resorts)) {
    await sql.query(s.sql);
  }
}

/**
 * Starts an emulator (in `options.dataDir`, or a new temp folder) and, unless `provision` is
 * false, sets liftline's objects up in it with RESORT_CAPACITY from `capacity` (default
 * {@link CAPACITY}). The scheduler does not run unless `dynamic.autoRefresh` says so: the tests
 * refresh by hand.
 */
export async function startReportsEmulator(
  options: {
    capacity?: readonly ResortCapacityRow[];
    dynamic?: DynamicOptions;
    dataDir?: string;
    provision?: boolean;
  } & Partial<Omit<EmulatorOptions, "dynamic" | "dataDir">> = {},
): Promise<ReportsEmulator> {
  const { capacity = CAPACITY, provision = true, dynamic, dataDir, ...rest } = options;
  const dir = dataDir ?? await Deno.makeTempDir({ prefix: "liftline-reports-" });
  const emu = await startEmulator({
    commitDelayMs: 0,
    ...rest,
    dataDir: dir,
    dynamic: { autoRefresh: false, ...dynamic },
  });
  const sql = emu.localClient();
  const close = async () => {
    await sql.close().catch(() => {});
    await emu.close();
    if (dataDir === undefined) await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    if (provision) await provisionWith(sql, capacity);
  } catch (e) {
    await close();
    throw e;
  }
  const query: Query = async (text, binds = []) => (await sql.query(text, binds)).rows;
  return {
    emu,
    dir,
    sql,
    query,
    load: (rows) => loadRows(emu, rows),
    async refresh(name) {
      await sql.query(`ALTER DYNAMIC TABLE ${name} REFRESH`);
    },
    close,
  };
}

let channels = 0;
/** Rows per append: the streamer's default batch. */
const APPEND_ROWS = 10_000;

/**
 * Commits JSON rows into `emu`'s raw tables through its streaming service: per table, a new
 * channel on liftline's pipe and appends of {@link APPEND_ROWS} rows, each committed before the
 * next (the fixture's emulators commit within the append). Throws when a row was rejected.
 */
export async function loadRows(
  emu: RunningEmulator,
  rows: Partial<Record<TableName, readonly string[]>>,
): Promise<void> {
  const { streaming, options } = emu.context;
  const encoder = new TextEncoder();
  for (const table of TABLES) {
    const lines = rows[table];
    if (!lines || lines.length === 0) continue;
    const pipe = streaming.resolvePipe(options.database, options.schema, NAMES.pipes[table]);
    const channel = `fixture-${++channels}`;
    let token = (await streaming.open(pipe, channel)).next_continuation_token;
    for (let i = 0; i < lines.length; i += APPEND_ROWS) {
      const part = lines.slice(i, i + APPEND_ROWS);
      const body = encoder.encode(part.join("\n")) as Uint8Array<ArrayBuffer>;
      token =
        (await streaming.append(pipe, channel, token, String(i + part.length), plainPayload(body)))
          .next_continuation_token;
    }
    const status = streaming.status(pipe, [channel]).channel_statuses[channel];
    if (status.last_committed_offset_token !== String(lines.length)) {
      throw new Error(
        `${table}: committed ${status.last_committed_offset_token} of ${lines.length}`,
      );
    }
    if (status.rows_error_count > 0) {
      throw new Error(`${table}: fixture rows rejected: ${status.last_error_message}`);
    }
  }
}

/**
 * A snowflake-sdk connection to an emulator in this process or another one, signed in with the
 * data folder's key pair (the one the emulator trusts), on liftline's database and schema.
 */
export async function connectSdk(url: string, dir: string): Promise<SnowflakeSql> {
  const keys = await ensureKeyPair(dir);
  return await SnowflakeSql.connect({
    account: LOCAL_ACCOUNT,
    username: NAMES.user,
    privateKeyPem: keys.privateKeyPem,
    accessUrl: url,
    database: NAMES.database,
    schema: NAMES.schema,
    dataDir: dir,
  });
}
