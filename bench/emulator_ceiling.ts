/**
 * `emulator_insert_ceiling_rows_per_s`: the embedded emulator's own insert path without HTTP, the
 * ceiling beside which `streamer_rows_per_s` is read. Each batch goes through exactly what an
 * append's commit does (`commitBodies` of `warehouse/ingest.ts`): NDJSON split, JSON.parse, COPY
 * coercion (Pipe.parseChunks), DuckDB's appender, and the channel's offset advanced in the same
 * transaction. The warehouse is an emulator's, set up with liftline's objects through SQL (the
 * raw tables, their pipes, and the dynamic tables that read them).
 *
 * Run alone: `deno run -A bench/emulator_ceiling.ts`.
 *
 * @module
 */
import { commitBodies } from "../src/emulator/warehouse/ingest.ts";
import type { Pipe } from "../src/emulator/pipe.ts";
import { type AppendPayload, plainPayload } from "../src/emulator/http_body.ts";
import type { ChannelRecord } from "../src/emulator/warehouse/warehouse.ts";
import resorts from "../src/generator/resorts.json" with { type: "json" };
import { startLiftlineEmulator } from "../tests/helpers/liftline_emulator.ts";

/** Options of {@link measureEmulatorInsertCeiling}. */
export interface CeilingOptions {
  /** Rows to push through (default 300,000). */
  rows?: number;
  /** Rows per batch, like one append (default 10,000). */
  batchRows?: number;
}

function hex(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

const RESORTS = (resorts as { resorts: { name: string; lifts: string[] }[] }).resorts;

/** NDJSON bodies shaped like the generator's rows, by table, in the streams' proportions. */
function makeBodies(total: number, batchRows: number) {
  const bodies: { table: string; text: string; rows: number }[] = [];
  let t = Date.UTC(2026, 10, 25, 15);
  const iso = (ms: number) => new Date(ms).toISOString().replace("Z", "+00:00");
  const rfids = Array.from({ length: 5000 }, () => `0x${hex(12)}`);
  const person = () => ({
    NAME: "Alex Example",
    ADDRESS: Math.random() < 0.2
      ? null
      : { STREET_ADDRESS: "12 Main St", CITY: "Denver", STATE: "CO", POSTALCODE: "80202" },
    PHONE: "+1 303 555 0100",
    EMAIL: "alex@example.com",
    EMERGENCY_CONTACT: { NAME: "Sam Example", PHONE: "+1 303 555 0199" },
  });
  let made = 0;
  while (made < total) {
    // Rides are ~95% of the volume (≈30 rides per ticket), tickets ~4%, passes ~1%.
    for (
      const [table, share] of [["LIFT_RIDE", 0.95], ["RESORT_TICKET", 0.04], [
        "SEASON_PASS",
        0.01,
      ]] as const
    ) {
      const n = Math.max(1, Math.round(batchRows * share));
      const lines: string[] = [];
      for (let i = 0; i < n; i++) {
        t += 37;
        const base = { TXID: crypto.randomUUID(), RFID: rfids[(Math.random() * rfids.length) | 0] };
        if (table === "LIFT_RIDE") {
          lines.push(JSON.stringify({
            ...base,
            RESORT: RESORTS[i % RESORTS.length].name,
            LIFT: RESORTS[i % RESORTS.length].lifts[i % 7],
            RIDE_TIME: iso(t),
            ACTIVATION_DAY_COUNT: 1 + (i % 4),
          }));
        } else {
          lines.push(JSON.stringify({
            ...base,
            ...(table === "RESORT_TICKET"
              ? { RESORT: RESORTS[i % RESORTS.length].name, DAYS: 2 }
              : {}),
            PURCHASE_TIME: iso(t),
            PRICE_USD: 389.5,
            EXPIRATION_TIME: iso(t + 4 * 86_400_000).slice(0, 10),
            ...person(),
          }));
        }
      }
      bodies.push({ table, text: lines.join("\n") + "\n", rows: n });
      made += n;
    }
  }
  return bodies;
}

/** Measures rows/s through parse + coerce + commit into a fresh warehouse in a temp folder. */
export async function measureEmulatorInsertCeiling(options: CeilingOptions = {}): Promise<number> {
  const total = options.rows ?? 300_000;
  const bodies = makeBodies(total, options.batchRows ?? 10_000);
  const e = await startLiftlineEmulator({ dynamic: { autoRefresh: false } });
  try {
    const { warehouse, streaming, options: names } = e.emu.context;
    const pipes = new Map<string, { pipe: Pipe; channel: ChannelRecord }>();
    for (const table of ["RESORT_TICKET", "SEASON_PASS", "LIFT_RIDE"]) {
      const pipe = streaming.resolvePipe(names.database, names.schema, `${table}_PIPE`);
      pipes.set(table, { pipe, channel: await warehouse.openChannel(pipe.name, "bench") });
    }
    let offset = 0;
    // As the emulator's commit sees an uncompressed append: the body's bytes in the server's
    // 64 KB chunks.
    const encoder = new TextEncoder();
    const inChunks = (text: string): AppendPayload => {
      const bytes = encoder.encode(text);
      const wire: Uint8Array<ArrayBuffer>[] = [];
      for (let at = 0; at < bytes.length; at += 65_536) {
        wire.push(bytes.subarray(at, at + 65_536));
      }
      return plainPayload(...wire);
    };
    const run = async (b: { table: string; payload: AppendPayload; rows: number }) => {
      const { pipe, channel } = pipes.get(b.table)!;
      offset += b.rows;
      const { counts } = await commitBodies(warehouse, channel, pipe, [
        { payload: b.payload, endOffsetToken: String(offset) },
      ]);
      if (counts.errors > 0) throw new Error(`rows rejected: ${counts.lastErrorMessage}`);
    };
    // One round untimed: JIT warm-up and first page allocations.
    const encoded = bodies.map((b) => ({
      table: b.table,
      payload: inChunks(b.text),
      rows: b.rows,
    }));
    const warm = encoded.splice(0, 3);
    for (const b of warm) await run(b);
    const rows = encoded.reduce((n, b) => n + b.rows, 0);
    const t0 = performance.now();
    for (const b of encoded) await run(b);
    const seconds = (performance.now() - t0) / 1000;
    // Every row landed, once.
    let landed = 0;
    for (const table of pipes.keys()) landed += await e.count(table);
    const sent = rows + warm.reduce((n, b) => n + b.rows, 0);
    if (landed !== sent) throw new Error(`${landed} rows landed of ${sent}`);
    return Math.round(rows / seconds);
  } finally {
    await e.close();
  }
}

if (import.meta.main) {
  const value = await measureEmulatorInsertCeiling();
  console.log(JSON.stringify({
    name: "emulator_insert_ceiling_rows_per_s",
    value,
    unit: "rows/s",
    note: "NDJSON parse + COPY coercion + DuckDB appender + commit transaction, no HTTP; " +
      "95% rides, 10k-row batches",
  }));
}
