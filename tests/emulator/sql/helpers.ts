/**
 * An emulator with its SQL extension in a temp folder, plus a snowflake-sdk connection to it.
 */
import { type RunningEmulator, startEmulator } from "../../../src/emulator/mod.ts";
import {
  type SqlExtension,
  sqlExtension,
  type SqlExtensionOptions,
} from "../../../src/emulator/sql/mod.ts";
import { ensureKeyPair } from "../../../src/snowflake/key_files.ts";
import type { PemKeyPair } from "../../../src/snowflake/keys.ts";
import { SnowflakeSql, type SnowflakeSqlOptions } from "../../../src/snowflake/sdk.ts";

/** A running emulator for one test. */
export interface SqlEmulator {
  dir: string;
  emu: RunningEmulator;
  ext: SqlExtension;
  keys: PemKeyPair;
  /** SDK options that sign in as the emulator's user. */
  sdkOptions(extra?: Partial<SnowflakeSqlOptions>): SnowflakeSqlOptions;
  connect(extra?: Partial<SnowflakeSqlOptions>): Promise<SnowflakeSql>;
}

/** Runs `fn` with a fresh emulator; closes everything afterwards. */
export async function withSqlEmulator(
  fn: (e: SqlEmulator) => Promise<void>,
  options: SqlExtensionOptions = { autoRefresh: false },
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "liftline-sql-" });
  const keys = await ensureKeyPair(dir);
  const ext = sqlExtension(options);
  const emu = await startEmulator({ dataDir: dir, extensions: [ext], commitDelayMs: 0 });
  const open: SnowflakeSql[] = [];
  const sdkOptions = (extra: Partial<SnowflakeSqlOptions> = {}): SnowflakeSqlOptions => ({
    account: "LIFTLINE",
    username: "STREAMING_INGEST",
    privateKeyPem: keys.privateKeyPem,
    accessUrl: emu.url,
    database: "STREAMING_INGEST",
    schema: "STREAMING_INGEST",
    dataDir: dir,
    ...extra,
  });
  try {
    await fn({
      dir,
      emu,
      ext,
      keys,
      sdkOptions,
      async connect(extra) {
        const c = await SnowflakeSql.connect(sdkOptions(extra));
        open.push(c);
        return c;
      },
    });
  } finally {
    for (const c of open) await c.close();
    await emu.close();
    await Deno.remove(dir, { recursive: true });
  }
}
