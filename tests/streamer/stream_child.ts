/**
 * A streamer process for the crash tests: streams the outbox of a data folder into an emulator.
 *
 * `deno run -A stream_child.ts <dataDir> <emulatorUrl> <privateKeyFile> [--drain]
 * [--channels=N] [options JSON]`: N channels per table (default 1), as STREAM_CHANNELS sets them.
 *
 * Exits 0 when drained (with --drain) or after SIGTERM's clean shutdown; 1 on a fatal error.
 */
import { join } from "node:path";
import { buildConfig, readPrivateKey, TABLES } from "../../src/config/load.ts";
import { Outbox } from "../../src/queue/outbox.ts";
import { Metrics } from "../../src/status/metrics.ts";
import { StatusStore } from "../../src/status/store.ts";
import { createLogger } from "../../src/log.ts";
import { createStreamingClient } from "../../src/snowflake/streaming.ts";
import { runStreamer, type StreamerOptions } from "../../src/streamer/mod.ts";

if (import.meta.main) {
  const [dataDir, url, keyFile, ...rest] = Deno.args;
  const drain = rest.includes("--drain");
  const channels = Number(rest.find((a) => a.startsWith("--channels="))?.slice(11) ?? 1);
  const json = rest.find((a) => a.startsWith("{"));
  const options = json ? JSON.parse(json) as Partial<StreamerOptions> : {};
  const config = buildConfig({
    DATA_DIR: dataDir,
    TARGET: "local",
    EMULATOR_URL: url,
    PRIVATE_KEY_FILE: keyFile,
  });
  const privateKeyPem = await readPrivateKey(config);
  if (!privateKeyPem) throw new Error("no private key");
  const outbox = new Outbox(join(config.dataDir, "queue.db"), TABLES, { channels });
  const stop = new AbortController();
  Deno.addSignalListener("SIGTERM", () => stop.abort());
  let code = 0;
  try {
    await runStreamer({
      config,
      outbox,
      client: () => createStreamingClient(config, { privateKeyPem }),
      metrics: new Metrics(),
      status: new StatusStore(),
      log: createLogger({ quiet: true }),
      signal: stop.signal,
      drain,
      options,
    });
  } catch (e) {
    console.error(`stream_child: ${(e as Error).message}`);
    code = 1;
  } finally {
    outbox.close();
  }
  Deno.exit(code);
}
