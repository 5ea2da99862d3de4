/** Starting the real emulator and a client for it, for the client and streamer tests. */
import { ensureKeyPair } from "../../src/snowflake/key_files.ts";
import { startLiftlineEmulator } from "../helpers/liftline_emulator.ts";
import {
  StreamingClient,
  type StreamingClientOptions,
} from "../../src/snowflake/streaming_client.ts";

/**
 * A running emulator in a temp dir, set up with liftline's objects, plus a client factory;
 * `close()` removes everything.
 */
export async function emulatorFixture(
  opts: { commitDelayMs?: number; faults?: string; authNow?: () => number } = {},
) {
  const dir = await Deno.makeTempDir({ prefix: "liftline-sf-" });
  const keys = await ensureKeyPair(dir);
  const liftline = await startLiftlineEmulator({
    dataDir: dir,
    commitDelayMs: opts.commitDelayMs ?? 0,
    faults: opts.faults,
    authNow: opts.authNow,
    dynamic: { autoRefresh: false },
  });
  const emu = liftline.emu;
  return {
    dir,
    emu,
    keys,
    /** Rows of a table, counted through SQL. */
    count: (table: string) => liftline.count(table),
    client: (extra: Partial<StreamingClientOptions> = {}) =>
      StreamingClient.create({
        account: "LIFTLINE",
        user: "STREAMING_INGEST",
        privateKeyPem: keys.privateKeyPem,
        controlUrl: emu.url,
        database: "STREAMING_INGEST",
        schema: "STREAMING_INGEST",
        retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 20 },
        ...extra,
      }),
    async close() {
      await liftline.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** A LIFT_RIDE row as JSON text. */
export function rideJson(txid: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    TXID: txid,
    RFID: "0x" + "ab".repeat(12),
    RESORT: "Vail",
    LIFT: "Gondola One",
    RIDE_TIME: "2026-11-25T15:00:00Z",
    ACTIVATION_DAY_COUNT: 1,
    ...extra,
  });
}
