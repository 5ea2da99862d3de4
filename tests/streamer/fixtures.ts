/** Shared pieces of the streamer tests: rows with unique TXIDs, pipelines, warehouse checks. */
import { buildConfig, type Config, type TableName, TABLES } from "../../src/config/load.ts";
import type { EmulatorOptions, LocalSqlClient } from "../../src/emulator/mod.ts";
import { Outbox } from "../../src/queue/outbox.ts";
import { type LiftlineEmulator, startLiftlineEmulator } from "../helpers/liftline_emulator.ts";

/** A row of `table` with the given TXID, in the generator's shape. */
export function rowJson(
  table: TableName,
  txid: string,
  extra: Record<string, unknown> = {},
): string {
  const base = {
    TXID: txid,
    RFID: "0x" + txid.replace(/[^0-9a-f]/g, "").padEnd(24, "0").slice(0, 24),
  };
  switch (table) {
    case "LIFT_RIDE":
      return JSON.stringify({
        ...base,
        RESORT: "Vail",
        LIFT: "Eagle Bahn Gondola",
        RIDE_TIME: "2026-11-25T15:04:05Z",
        ACTIVATION_DAY_COUNT: 2,
        ...extra,
      });
    case "RESORT_TICKET":
      return JSON.stringify({
        ...base,
        RESORT: "Vail",
        PURCHASE_TIME: "2026-11-25T14:00:00Z",
        PRICE_USD: 219,
        EXPIRATION_TIME: "2026-11-29",
        DAYS: 2,
        NAME: "Ana Müller",
        ADDRESS: { STREET_ADDRESS: "1 Main St", CITY: "Vail", STATE: "CO", POSTALCODE: "81657" },
        PHONE: "+1 970 555 0100",
        EMAIL: "ana@example.com",
        EMERGENCY_CONTACT: { NAME: "Bo", PHONE: "+1 970 555 0101" },
        ...extra,
      });
    case "SEASON_PASS":
      return JSON.stringify({
        ...base,
        PURCHASE_TIME: "2026-11-25T14:00:00Z",
        PRICE_USD: 1051,
        EXPIRATION_TIME: "2027-11-25",
        NAME: "Chris Doe",
        ADDRESS: null,
        PHONE: "+1 970 555 0199",
        EMAIL: null,
        EMERGENCY_CONTACT: null,
        ...extra,
      });
  }
}

/**
 * Fills the outbox in `dir` with `perTable[t]` rows per table (TXID `<prefix>-<t>-<i>`), spread
 * over `channels` shards per table.
 */
export function fillOutbox(
  dir: string,
  perTable: Partial<Record<TableName, number>>,
  prefix = "tx",
  batch = 1000,
  channels = 1,
): Record<TableName, string[]> {
  const outbox = new Outbox(`${dir}/queue.db`, TABLES, { channels });
  const txids = { RESORT_TICKET: [], SEASON_PASS: [], LIFT_RIDE: [] } as Record<
    TableName,
    string[]
  >;
  try {
    for (const t of TABLES) {
      const n = perTable[t] ?? 0;
      for (let i = 0; i < n; i += batch) {
        const rows: string[] = [];
        for (let j = i; j < Math.min(n, i + batch); j++) {
          const txid = `${prefix}-${t}-${j}`;
          txids[t].push(txid);
          rows.push(rowJson(t, txid));
        }
        outbox.append({ [t]: rows });
      }
    }
  } finally {
    outbox.close();
  }
  return txids;
}

/** A local-target configuration for `dir` streaming to `emulatorUrl`. */
export function localConfig(
  dir: string,
  emulatorUrl: string,
  extra: Record<string, string> = {},
): Config {
  return buildConfig({ DATA_DIR: dir, TARGET: "local", EMULATOR_URL: emulatorUrl, ...extra });
}

/**
 * An emulator in `dir` with liftline's tables and pipes (set up through SQL), for the streamer to
 * stream into. Its dynamic tables do not refresh by themselves: these tests are about ingestion.
 */
export function startStreamerEmulator(
  dir: string,
  options: Partial<EmulatorOptions> = {},
): Promise<LiftlineEmulator> {
  return startLiftlineEmulator({ dynamic: { autoRefresh: false }, ...options, dataDir: dir });
}

/**
 * Asserts, through SQL, that every expected TXID is in the warehouse exactly once (and nothing
 * else with the same prefix is). Returns the total rows checked.
 */
export async function assertExactlyOnce(
  sql: Pick<LocalSqlClient, "query">,
  expected: Record<TableName, string[]>,
  prefix: string,
): Promise<number> {
  let total = 0;
  for (const t of TABLES) {
    const rows = (await sql.query(
      `SELECT TXID AS T, COUNT(*) AS N FROM ${t} WHERE TXID LIKE ? GROUP BY TXID`,
      [`${prefix}-%`],
    )).rows.map((r) => ({ t: String(r.T), n: Number(r.N) }));
    const dupes = rows.filter((r) => Number(r.n) !== 1);
    if (dupes.length) {
      throw new Error(
        `${t}: ${dupes.length} TXIDs more than once, e.g. ${dupes[0].t} ×${dupes[0].n}`,
      );
    }
    const got = new Set(rows.map((r) => r.t));
    const missing = expected[t].filter((x) => !got.has(x));
    if (missing.length) {
      throw new Error(`${t}: ${missing.length} TXIDs missing, e.g. ${missing[0]}`);
    }
    if (got.size !== expected[t].length) {
      throw new Error(`${t}: ${got.size} TXIDs found, ${expected[t].length} expected`);
    }
    total += got.size;
  }
  return total;
}

/** Rows left in the outbox of `dir`, per table (every shard). */
export function outboxDepth(dir: string): Record<TableName, number> {
  const outbox = new Outbox(`${dir}/queue.db`, TABLES);
  try {
    return Object.fromEntries(TABLES.map((t) => [t, outbox.depth(t).rows])) as Record<
      TableName,
      number
    >;
  } finally {
    outbox.close();
  }
}
