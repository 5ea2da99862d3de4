/**
 * The one seam between "a real account" and "the embedded emulator": both end up as a control
 * URL plus a private key, and everything downstream uses the same client code.
 *
 * @module
 */
import { type Config, ConfigError, readPrivateKey } from "../config/load.ts";
import type { Logger } from "../log.ts";
import { ensureKeyPair } from "../snowflake/key_files.ts";
import { controlBaseUrl } from "../snowflake/account.ts";
import { LOCAL_ACCOUNT } from "../snowflake/streaming.ts";
import { type RunningEmulator, startEmulator, WarehouseInUseError } from "../emulator/mod.ts";
import { applySetup } from "../cli/setup.ts";

/** A reachable target. */
export interface Target {
  /** Control host base URL (a real account's, or the emulator's). */
  controlUrl: string;
  /** PKCS#8 PEM private key the client signs with. */
  privateKeyPem: string;
  /** Where the key came from, for `check` (never the key itself). */
  keySource: string;
  /** The embedded emulator, when this process runs one. */
  emulator?: RunningEmulator;
  /** A one-line description for logs and /api/status. */
  description: string;
  /** Stops the embedded emulator, if any. */
  close(): Promise<void>;
}

/** Options of {@link startConfiguredEmulator} and {@link connectTarget}. */
export interface EmulatorShutdownOptions {
  /**
   * The process's shutdown signal. When it aborts, the emulator stops refreshing dynamic tables
   * at once (a refresh in progress ends at its next chunk boundary), so that the rest of the
   * shutdown (commits in flight within the streamer's grace period) has the thread to itself.
   */
  signal?: AbortSignal;
}

/**
 * Starts the emulator with this configuration's account, user, database and schema, on
 * `host:port`. It starts as an empty account: liftline's tables, pipes and reports are created
 * through SQL ({@link provisionLocal}), as in a real account.
 *
 * Its `close()` stops the dynamic-table refreshes first (a refresh in progress is cut short and
 * resumes on the next start), then the server and the warehouse.
 */
export async function startConfiguredEmulator(
  config: Config,
  log: Logger,
  listen: { host: string; port: number },
  options: EmulatorShutdownOptions = {},
): Promise<RunningEmulator> {
  const emulator = await startEmulator({
    dataDir: config.dataDir,
    host: listen.host,
    port: listen.port,
    account: config.SNOWFLAKE_ACCOUNT ?? LOCAL_ACCOUNT,
    user: config.SNOWFLAKE_USER,
    database: config.DATABASE_NAME,
    schema: config.SCHEMA_NAME,
    commitDelayMs: config.EMULATOR_COMMIT_DELAY_MS,
    faults: config.EMULATOR_FAULTS,
    log: log.child("emulator"),
  }).catch((e: unknown) => {
    if (!(e instanceof WarehouseInUseError)) throw e;
    throw new ConfigError(
      "DATA_DIR",
      `${config.dataDir} is in use: another liftline process (pid ${e.pid}) has its warehouse ` +
        "open; stop it, or point this one at it with EMULATOR_URL, or use another data folder",
    );
  });
  const stopRefreshing = () => emulator.context.dynamic.stop();
  const onAbort = () => {
    stopRefreshing().catch((e: unknown) =>
      log.error("dynamic table engine failed to stop", { error: e as Error })
    );
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener("abort", onAbort, { once: true });
  let closing: Promise<void> | undefined;
  const close = async () => {
    options.signal?.removeEventListener("abort", onAbort);
    await emulator.close();
  };
  return { ...emulator, close: () => (closing ??= close()) };
}

/**
 * Creates liftline's objects in a local target through the setup script, exactly as `setup
 * --apply` does in a real account: in process for the embedded emulator, through snowflake-sdk for
 * one at EMULATOR_URL. Objects that exist with the same definition are left alone, so a restart
 * keeps every dynamic table's state.
 */
export async function provisionLocal(config: Config, target: Target, log: Logger): Promise<void> {
  const started = performance.now();
  const client = target.emulator?.localClient();
  const { ran, skipped } = await applySetup(config, {
    privateKeyPem: target.privateKeyPem,
    emulatorUrl: target.controlUrl,
    connection: client,
    skipUnchanged: true,
  });
  log.info("local target set up", {
    statements: ran,
    unchanged: skipped,
    ms: Math.round(performance.now() - started),
  });
}

/**
 * Resolves the target of `config`: a real account (`TARGET=snowflake`), an emulator already
 * running at `EMULATOR_URL`, or an embedded emulator started here on an ephemeral loopback port.
 */
export async function connectTarget(
  config: Config,
  log: Logger,
  options: EmulatorShutdownOptions = {},
): Promise<Target> {
  await Deno.mkdir(config.dataDir, { recursive: true });
  if (config.target === "snowflake") {
    const privateKeyPem = await readPrivateKey(config);
    if (!privateKeyPem) {
      throw new ConfigError(
        "PRIVATE_KEY",
        "is required for TARGET=snowflake (or set PRIVATE_KEY_FILE; `liftline keygen` makes one)",
      );
    }
    const controlUrl = controlBaseUrl(config.SNOWFLAKE_ACCOUNT!, config.SNOWFLAKE_HOST).toString();
    return {
      controlUrl,
      privateKeyPem,
      keySource: config.PRIVATE_KEY ? "PRIVATE_KEY" : `PRIVATE_KEY_FILE ${config.PRIVATE_KEY_FILE}`,
      description: `snowflake account ${config.SNOWFLAKE_ACCOUNT} (${controlUrl})`,
      close: () => Promise.resolve(),
    };
  }
  // Locally the emulator trusts the data folder's key pair, created on first start.
  const configured = await readPrivateKey(config);
  const privateKeyPem = configured ?? (await ensureKeyPair(config.dataDir)).privateKeyPem;
  const keySource = config.PRIVATE_KEY
    ? "PRIVATE_KEY"
    : config.PRIVATE_KEY_FILE
    ? `PRIVATE_KEY_FILE ${config.PRIVATE_KEY_FILE}`
    : `${config.dataDir}/rsa_key.p8`;
  if (config.EMULATOR_URL) {
    return {
      controlUrl: config.EMULATOR_URL,
      privateKeyPem,
      keySource,
      description: `local emulator at ${config.EMULATOR_URL}`,
      close: () => Promise.resolve(),
    };
  }
  const emulator = await startConfiguredEmulator(
    config,
    log,
    { host: "127.0.0.1", port: 0 },
    options,
  );
  return {
    controlUrl: emulator.url,
    privateKeyPem,
    keySource,
    emulator,
    description: `embedded emulator at ${emulator.url}`,
    close: () => emulator.close(),
  };
}
