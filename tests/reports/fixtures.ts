/**
 * Test fixtures for the report chain: seeded simulated days from the real generator, loaded into
 * a real warehouse through the pipe's COPY coercion and the warehouse's commit path (what a
 * streamed append ends in), plus the resort capacities and the reference model's inputs.
 */
import { join } from "node:path";
import { type TableName, TABLES } from "../../src/config/load.ts";
import { generateRows } from "../../src/generator/mod.ts";
import { Pipe } from "../../src/emulator/pipe.ts";
import { Warehouse, WAREHOUSE_FILE } from "../../src/emulator/warehouse.ts";
import { type ResortCapacityRow, resortCapacityRows } from "../../sql/render.ts";
import facts from "../../src/generator/resorts.json" with { type: "json" };
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

/** A warehouse in a fresh temp folder. */
export interface TempWarehouse {
  dir: string;
  warehouse: Warehouse;
  /** Loads JSON rows as one committed batch per table, like a streamed append. */
  load(rows: Partial<Record<TableName, readonly string[]>>): void;
  close(): Promise<void>;
}

/** Opens a warehouse in a new temp folder. */
export async function tempWarehouse(): Promise<TempWarehouse> {
  const dir = await Deno.makeTempDir({ prefix: "liftline-reports-" });
  const warehouse = new Warehouse(join(dir, WAREHOUSE_FILE));
  return {
    dir,
    warehouse,
    load: (rows) => loadRows(warehouse, rows),
    async close() {
      warehouse.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Loads JSON rows into `warehouse` through the pipe's coercion and the commit path. */
export function loadRows(
  warehouse: Warehouse,
  rows: Partial<Record<TableName, readonly string[]>>,
): void {
  for (const table of TABLES) {
    const lines = rows[table];
    if (!lines || lines.length === 0) continue;
    const pipe = new Pipe(`${table}_PIPE`, warehouse.table(table));
    const channel = warehouse.openChannel(pipe.name, "fixture");
    for (let i = 0; i < lines.length; i += 20_000) {
      const part = lines.slice(i, i + 20_000);
      const counts = warehouse.commitBodies(
        channel.id,
        table,
        [{
          chunks: [new TextEncoder().encode(part.join("\n"))],
          endOffsetToken: String(i + part.length),
        }],
        (chunks, onRow) => pipe.parseChunks(chunks, onRow),
      );
      if (!counts) throw new Error("fixture channel vanished");
      if (counts.errors > 0) throw new Error(`fixture rows rejected: ${counts.lastErrorMessage}`);
    }
  }
}
