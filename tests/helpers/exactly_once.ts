/**
 * Exactly-once checks of a whole run against the generator's model: the warehouse must hold every
 * row a seeded span produces, each TXID once, and the queue must be empty.
 *
 * @module
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { TABLES } from "../../src/config/load.ts";
import { startEmulator } from "../../src/emulator/mod.ts";
import { generateRows } from "../../src/generator/model.ts";

/** A seeded world-time span, as given to `liftline generate|run`. */
export interface SeededSpan {
  seed: string;
  /** ISO instants, START_TIME and UNTIL. */
  start: string;
  until: string;
  /** TICKETS_PER_DAY (default 8500, the program's default). */
  ticketsPerDay?: number;
}

/**
 * Rows queued for `table` in an open queue database: every shard of it (`LIFT_RIDE`,
 * `LIFT_RIDE__1`, …, one per channel; see src/queue/outbox.ts).
 */
export function queuedIn(db: DatabaseSync, table: string): number {
  const shards = db.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND (name = ? OR name GLOB ?)",
  ).all(table, `${table}__[0-9]*`) as { name: string }[];
  return shards.reduce(
    (a, { name }) =>
      a + Number((db.prepare(`SELECT count(*) AS n FROM ${name}`).get() as { n: number }).n),
    0,
  );
}

/** Rows queued for `table` (every shard) in the queue database at `path`. */
export function queuedRowsOf(path: string, table: string): number {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return queuedIn(db, table);
  } finally {
    db.close();
  }
}

/** Rows left in the queue database at `path`, all tables (and all their shards) together. */
export function queuedRows(path: string): number {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return TABLES.reduce((a, t) => a + queuedIn(db, t), 0);
  } finally {
    db.close();
  }
}

/**
 * Every TXID per table in the emulator warehouse of the data folder `dataDir`, with how often it is
 * there, read through SQL by an emulator started on that folder (the emulator that wrote it must
 * have exited: DuckDB's file is held by one process at a time).
 */
export async function warehouseTxids(
  dataDir: string,
): Promise<Record<string, Map<string, number>>> {
  const emu = await startEmulator({ dataDir, dynamic: { autoRefresh: false } });
  const sql = emu.localClient();
  try {
    const out: Record<string, Map<string, number>> = {};
    for (const t of TABLES) {
      const r = await sql.query(`SELECT TXID AS ID, COUNT(*) AS N FROM ${t} GROUP BY TXID`);
      out[t] = new Map(r.rows.map((row) => [String(row.ID), Number(row.N)]));
    }
    return out;
  } finally {
    await sql.close();
    await emu.close();
  }
}

/**
 * Asserts that the emulator warehouse in `dataDir` holds exactly the rows of `span`, each TXID
 * once (none missing, none twice, none extra). Returns how many rows that is.
 */
export async function assertEveryRowOnce(dataDir: string, span: SeededSpan): Promise<number> {
  const want = generateRows({
    seed: span.seed,
    start: Date.parse(span.start),
    until: Date.parse(span.until),
    ticketsPerDay: span.ticketsPerDay ?? 8500,
  });
  const got = await warehouseTxids(dataDir);
  let total = 0;
  for (const t of TABLES) {
    const expected = want[t].map((json) => JSON.parse(json).TXID as string);
    const twice = [...got[t]].filter(([, n]) => n !== 1);
    assert.deepEqual(twice, [], `${t}: TXIDs that landed more than once`);
    const missing = expected.filter((id) => !got[t].has(id));
    assert.equal(missing.length, 0, `${t}: ${missing.length} rows missing, e.g. ${missing[0]}`);
    assert.equal(got[t].size, expected.length, `${t}: no rows beyond the generated ones`);
    total += expected.length;
  }
  return total;
}

/** Waits up to `ms` for a child to exit by itself; undefined when it did not. */
export async function exitWithin(
  child: Deno.ChildProcess,
  ms: number,
): Promise<Deno.CommandStatus | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((r) => timer = setTimeout(() => r(undefined), ms));
  try {
    return await Promise.race([child.status, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
