/**
 * An emulator with liftline's objects in it: started empty, then set up through SQL with the
 * setup script (tables, pipes, RESORT_CAPACITY, dynamic tables, views), exactly as `run` sets up a
 * local target. For the tests that need liftline's tables rather than an empty account.
 */
import {
  type EmulatorOptions,
  type RunningEmulator,
  startEmulator,
} from "../../src/emulator/mod.ts";
import type { LocalSqlClient } from "../../src/emulator/sql/local_client.ts";
import { resortCapacityRows, setupScript } from "../../sql/render.ts";
import facts from "../../src/generator/resorts.json" with { type: "json" };

/** The names of the setup (the lab's defaults, which the emulator plays by default). */
export const NAMES = {
  warehouse: "STREAMING_INGEST",
  role: "STREAMING_INGEST",
  database: "STREAMING_INGEST",
  schema: "STREAMING_INGEST",
  user: "STREAMING_INGEST",
  pipes: {
    RESORT_TICKET: "RESORT_TICKET_PIPE",
    SEASON_PASS: "SEASON_PASS_PIPE",
    LIFT_RIDE: "LIFT_RIDE_PIPE",
  },
} as const;

/** Runs liftline's setup script through a SQL client (every statement, in order). */
export async function provision(sql: LocalSqlClient): Promise<void> {
  for (const s of setupScript({ ...NAMES, pipes: { ...NAMES.pipes } }, resortCapacityRows(facts))) {
    await sql.query(s.sql);
  }
}

/** A running emulator with liftline's objects, a SQL client, and what tests ask of it. */
export interface LiftlineEmulator {
  readonly emu: RunningEmulator;
  readonly dir: string;
  readonly sql: LocalSqlClient;
  /** Rows of a table, counted through SQL. */
  count(table: string): Promise<number>;
  /** Closes the client and the emulator (and removes the folder when the helper made it). */
  close(): Promise<void>;
}

/**
 * Starts an emulator (in `options.dataDir`, or a new temp folder) and sets liftline's objects up
 * in it. Dynamic tables refresh on schedule unless `options.dynamic.autoRefresh` is false.
 */
export async function startLiftlineEmulator(
  options: Partial<EmulatorOptions> = {},
): Promise<LiftlineEmulator> {
  const made = options.dataDir === undefined;
  const dir = options.dataDir ?? await Deno.makeTempDir({ prefix: "liftline-emu-" });
  const emu = await startEmulator({ commitDelayMs: 0, ...options, dataDir: dir });
  const sql = emu.localClient();
  try {
    await provision(sql);
  } catch (e) {
    await sql.close();
    await emu.close();
    throw e;
  }
  return {
    emu,
    dir,
    sql,
    async count(table) {
      const r = await sql.query(`SELECT COUNT(*) AS N FROM ${table}`);
      return Number(r.rows[0].N);
    },
    async close() {
      await sql.close().catch(() => {});
      await emu.close();
      if (made) await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
