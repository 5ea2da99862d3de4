/**
 * Wires the roles each command asks for: generator, streamer, web server, emulator, check.
 * Every role gets the same metrics, status store, logger and shutdown signal.
 *
 * @module
 */
import { serveSupervised, type SupervisedServer } from "../serve.ts";
import { join } from "node:path";
import { type Config, ConfigError, readPrivateKey, TABLES } from "../config/load.ts";
import { createLogger, type Logger } from "../log.ts";
import { Outbox } from "../queue/outbox.ts";
import { queueNotWritableReason } from "../queue/write_error.ts";
import { lockRole, type Role, type RoleLock } from "../queue/role_lock.ts";
import { Metrics } from "../status/metrics.ts";
import { StatusStore } from "../status/store.ts";
import { FACTS } from "../generator/resorts.ts";
import { startOf } from "../generator/settings.ts";
import { runGeneratorThread } from "../generator/thread.ts";
import { WorkerThread } from "../threads.ts";
import { QueueDeleter } from "../queue/deleter.ts";
import { channelNames, runStreamer } from "../streamer/mod.ts";
import { createStreamingClient } from "../snowflake/streaming.ts";
import { publicKeyFingerprint, publicKeyPemFromPrivate } from "../snowflake/keys.ts";
import { createWebApp, LiveHub, SlowClientError } from "../web/app.ts";
import { listenForShutdown, type Shutdown } from "../app/shutdown.ts";
import {
  connectTarget,
  provisionLocal,
  startConfiguredEmulator,
  type Target,
} from "../app/target.ts";
import { ReportFeed } from "../app/report_feed.ts";
import { applySetup, printSetup, SetupError } from "./setup.ts";
import { describeConfig } from "./describe.ts";

/** Everything a role shares with the others in one process. */
interface Process {
  config: Config;
  log: Logger;
  metrics: Metrics;
  status: StatusStore;
  shutdown: Shutdown;
}

function createProcess(config: Config): Process {
  const log = createLogger({
    format: config.LOG_FORMAT,
    quiet: config.QUIET,
    debug: Deno.env.get("LIFTLINE_DEBUG") !== undefined,
  });
  return {
    config,
    log,
    metrics: new Metrics({ channels: config.STREAM_CHANNELS }),
    status: new StatusStore(),
    shutdown: listenForShutdown(log),
  };
}

/** UNTIL must lie after the world start; checked before anything is opened or started. */
function checkWorldSpan(config: Config): void {
  if (config.UNTIL && config.UNTIL.getTime() <= startOf(config)) {
    throw new ConfigError(
      "UNTIL",
      `must be later than the world start ${
        new Date(startOf(config)).toISOString()
      } (START_TIME, default 14:00 UTC today)`,
    );
  }
}

/** The outbox, with STREAM_CHANNELS shards per table for new rows. */
async function openOutbox(config: Config): Promise<Outbox> {
  await Deno.mkdir(config.dataDir, { recursive: true });
  return new Outbox(join(config.dataDir, "queue.db"), TABLES, {
    channels: config.STREAM_CHANNELS,
  });
}

/** Readiness: the queue must take writes (in the generator's words for a failed write). */
function queueReadiness(outbox: Outbox): () => string | undefined {
  return () => {
    const problem = outbox.writeProblem();
    return problem && queueNotWritableReason(problem);
  };
}

/** The dashboard, health and metrics server of a process, with its report feed. */
interface WebServer {
  /** Attach the target once it is reachable. */
  readonly feed: ReportFeed;
  /** Ends the live streams, stops the feed and shuts the server down. */
  close(): Promise<void>;
}

function serveWeb(
  p: Process,
  readinessChecks: (() => string | undefined)[],
  signal: AbortSignal,
): WebServer {
  const feed = new ReportFeed({
    config: p.config,
    metrics: p.metrics,
    status: p.status,
    log: p.log.child("reports"),
  });
  const live = new LiveHub();
  const app = createWebApp({
    metrics: p.metrics,
    status: p.status,
    readinessChecks,
    dashboard: feed,
    live,
    liftHours: { open: FACTS.openHourLocal, close: FACTS.closeHourLocal },
    tables: TABLES,
  });
  let server: SupervisedServer;
  try {
    server = serveSupervised(
      {
        hostname: p.config.HOST,
        port: p.config.PORT,
        onListen: ({ hostname, port }) =>
          p.log.info("serving", { url: `http://${hostname}:${port}` }),
        // Errors that reach the server itself: hono answers its own, so these are response
        // streams that ended badly, such as a live client dropped for not reading.
        onError: (e) => {
          if (e instanceof SlowClientError) p.log.debug(e.message);
          else p.log.error("request failed", { error: e as Error });
          return new Response("internal error\n", { status: 500 });
        },
      },
      app.fetch,
      p.log,
    );
  } catch (e) {
    if (e instanceof Deno.errors.AddrInUse) {
      throw new ConfigError("PORT", `${p.config.PORT} on ${p.config.HOST} is already in use`);
    }
    if (e instanceof Deno.errors.AddrNotAvailable) {
      throw new ConfigError("HOST", `${p.config.HOST} is not an address of this machine`);
    }
    throw e;
  }
  feed.start(signal);
  p.status.startSampling(signal);
  let closing: Promise<void> | undefined;
  return {
    feed,
    close: () =>
      closing ??= (async () => {
        // Open event streams are requests that never end: close them before the server waits
        // for requests in flight.
        live.close();
        await feed.close();
        await server.shutdown();
      })(),
  };
}

function streamingClientFactory(config: Config, target: Target) {
  return () =>
    createStreamingClient(config, {
      privateKeyPem: target.privateKeyPem,
      controlUrl: target.controlUrl,
      // An embedded emulator is called in process: the same requests, no socket between them.
      fetch: target.emulator?.fetch,
    });
}

/** `run`: generator, streamer and web server (and the embedded emulator when local). */
async function run(p: Process, drain: boolean): Promise<number> {
  const { config, log } = p;
  if (drain && !config.UNTIL) {
    throw new ConfigError("--drain", "needs UNTIL with run (otherwise generation never ends)");
  }
  checkWorldSpan(config);
  const outbox = await openOutbox(config);
  const locks = holdRoles(config, outbox, ["generator", "streamer"]);
  let target: Target | undefined;
  let web: WebServer | undefined;
  let thread: WorkerThread | undefined;
  let deleter: QueueDeleter | undefined;
  const finished = new AbortController();
  try {
    ({ web, target } = await startWebAndTarget(
      p,
      [queueReadiness(outbox)],
      AbortSignal.any([p.shutdown.signal, finished.signal]),
    ));
    let generatorFinished = false;
    // The generator and the queue's deletes on a worker thread, each with its own outbox
    // connection: the streamer, the embedded emulator and the web server keep this one.
    thread = new WorkerThread();
    deleter = new QueueDeleter(outbox.path, log.child("streamer"), thread);
    const generator = runGeneratorThread({ ...p, thread, signal: p.shutdown.signal }).then(() => {
      generatorFinished = true;
      if (!p.shutdown.signal.aborted) log.info("generation finished; streaming goes on");
    });
    const streamer = runStreamer({
      ...p,
      outbox,
      client: streamingClientFactory(config, target),
      signal: p.shutdown.signal,
      drain: drain ? () => generatorFinished : false,
      deleter,
    });
    // A fatal failure of either role (credentials, privileges, an unwritable queue) stops the
    // other too, so the process exits instead of waiting for a signal.
    const stopOnFailure = (role: string) => (e: unknown) => {
      p.shutdown.request(`${role} stopped`);
      throw e;
    };
    const results = await Promise.allSettled([
      streamer.catch(stopOnFailure("streamer")),
      generator.catch(stopOnFailure("generator")),
    ]);
    const failed = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    if (failed) throw failed.reason;
    return 0;
  } finally {
    finished.abort();
    await deleter?.close(1000);
    thread?.terminate();
    await web?.close();
    await target?.close();
    outbox.close();
    for (const l of locks) l.release();
    p.shutdown.dispose();
  }
}

/** Takes `roles` in the data folder, or closes the queue and refuses (see role_lock.ts). */
function holdRoles(config: Config, outbox: Outbox, roles: readonly Role[]): RoleLock[] {
  const held: RoleLock[] = [];
  try {
    for (const r of roles) held.push(lockRole(config.dataDir, r));
    return held;
  } catch (e) {
    for (const l of held) l.release();
    outbox.close();
    throw e;
  }
}

/**
 * The web server first (health and readiness answer while the target is being reached), then the
 * target, handed to the report feed. The shutdown signal also stops the embedded emulator's
 * report refreshes at once, so that a signal is never kept waiting by a catch-up refresh.
 */
async function startWebAndTarget(
  p: Process,
  checks: (() => string | undefined)[],
  webSignal: AbortSignal,
): Promise<{ web: WebServer; target: Target }> {
  p.status.setNotReady("target", ["connecting to the target"]);
  const web = serveWeb(p, checks, webSignal);
  try {
    const target = await connectTarget(p.config, p.log, { signal: p.shutdown.signal });
    if (p.config.target === "local") await provisionLocal(p.config, target, p.log);
    p.status.setNotReady("target", []);
    p.status.target = target.description;
    web.feed.attach(target);
    return { web, target };
  } catch (e) {
    await web.close();
    throw e;
  }
}

/** `serve`: the dashboard, health and metrics over the configured target, until a signal. */
async function serve(p: Process): Promise<number> {
  let target: Target | undefined;
  let web: WebServer | undefined;
  try {
    ({ web, target } = await startWebAndTarget(p, [], p.shutdown.signal));
    if (!p.shutdown.signal.aborted) {
      await new Promise((resolve) =>
        p.shutdown.signal.addEventListener("abort", resolve, { once: true })
      );
    }
    return 0;
  } finally {
    await web?.close();
    await target?.close();
    p.shutdown.dispose();
  }
}

/** `generate`: the generator alone (on this thread: there is nothing else to run beside it). */
async function generate(p: Process): Promise<number> {
  checkWorldSpan(p.config);
  const { runGenerator } = await import("../generator/runner.ts");
  const outbox = await openOutbox(p.config);
  const locks = holdRoles(p.config, outbox, ["generator"]);
  try {
    await runGenerator({ ...p, outbox, signal: p.shutdown.signal });
    return 0;
  } finally {
    outbox.close();
    for (const l of locks) l.release();
    p.shutdown.dispose();
  }
}

/** `stream`: the streamer alone. */
async function stream(p: Process, drain: boolean): Promise<number> {
  const outbox = await openOutbox(p.config);
  const locks = holdRoles(p.config, outbox, ["streamer"]);
  let target: Target | undefined;
  try {
    target = await connectTarget(p.config, p.log, { signal: p.shutdown.signal });
    if (p.config.target === "local") await provisionLocal(p.config, target, p.log);
    p.status.target = target.description;
    await runStreamer({
      ...p,
      outbox,
      client: streamingClientFactory(p.config, target),
      signal: p.shutdown.signal,
      drain,
    });
    return 0;
  } finally {
    await target?.close();
    outbox.close();
    for (const l of locks) l.release();
    p.shutdown.dispose();
  }
}

/** `emulator`: the emulator alone on HOST:PORT until a signal. */
async function emulator(p: Process): Promise<number> {
  let running;
  try {
    running = await startConfiguredEmulator(p.config, p.log, {
      host: p.config.HOST,
      port: p.config.PORT,
    });
  } catch (e) {
    p.shutdown.dispose();
    if (e instanceof Deno.errors.AddrInUse) {
      throw new ConfigError("PORT", `${p.config.PORT} on ${p.config.HOST} is already in use`);
    }
    throw e;
  }
  console.log(`liftline emulator listening on ${running.url} (EMULATOR_URL=${running.url})`);
  if (!p.shutdown.signal.aborted) {
    await new Promise((resolve) =>
      p.shutdown.signal.addEventListener("abort", resolve, { once: true })
    );
  }
  await running.close();
  p.shutdown.dispose();
  return 0;
}

/** `check`: configuration, authentication, reachability of every pipe. */
async function check(p: Process): Promise<number> {
  const { config } = p;
  let target: Target | undefined;
  const ok = (m: string) => console.log(`ok    ${m}`);
  try {
    target = await connectTarget(config, p.log);
    const fingerprint = await publicKeyFingerprint(
      await publicKeyPemFromPrivate(target.privateKeyPem),
    );
    console.log(describeConfig(config, target.keySource, fingerprint).join("\n"));
    ok("configuration is valid");
    const client = await streamingClientFactory(config, target)();
    const { ingestHost } = await client.authenticate({ signal: p.shutdown.signal });
    ok(`authenticated at ${target.controlUrl} (JWT + scoped token); ingest host ${ingestHost}`);
    const names = await channelNames(config, config.STREAM_CHANNELS);
    for (const table of TABLES) {
      const pipe = config.pipes[table].toUpperCase();
      // One bulk status request per pipe, for all of the table's channels.
      const statuses = await client.channelStatus(pipe, names[table], {
        signal: p.shutdown.signal,
      });
      const opened = names[table].filter((n) => statuses.has(n));
      const offsets = opened.slice(0, 4).map((n) =>
        `${n} at offset ${statuses.get(n)!.committedOffsetToken ?? "none"}`
      );
      ok(
        `pipe ${config.DATABASE_NAME}.${config.SCHEMA_NAME}.${pipe} reachable; ${
          names[table].length
        } channel(s), ${opened.length} opened before${
          offsets.length ? `: ${offsets.join(", ")}${opened.length > 4 ? ", …" : ""}` : ""
        }`,
      );
    }
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    // A signal ends every role with exit 0 (docs/architecture.md, "Time, signals and shutdown"):
    // say what was left undone.
    if (p.shutdown.signal.aborted) {
      const why = (p.shutdown.signal.reason as Error | undefined)?.message ?? "stopped";
      console.log(`STOP  ${why}: the remaining checks did not run`);
      return 0;
    }
    console.log(`FAIL  ${(e as Error).message}`);
    return 1;
  } finally {
    await target?.close();
    p.shutdown.dispose();
  }
}

/** `setup`: print the SQL, or with `--apply` run it through snowflake-sdk. */
async function setup(p: Process, apply: boolean): Promise<number> {
  const { config } = p;
  if (!apply) {
    try {
      const key = await readPrivateKey(config);
      console.log(printSetup(config, key ? await publicKeyPemFromPrivate(key) : undefined));
      return 0;
    } finally {
      p.shutdown.dispose();
    }
  }
  let target: Target | undefined;
  try {
    target = await connectTarget(config, p.log);
    const { ran, skipped } = await applySetup(config, {
      privateKeyPem: target.privateKeyPem,
      emulatorUrl: config.target === "local" ? target.controlUrl : undefined,
      connection: target.emulator?.localClient(),
      skipUnchanged: true,
      onStatement: (s, i, n) => p.log.info("ran", { statement: `${i}/${n}`, what: s.label }),
    });
    console.log(
      `setup applied: ${ran} statements ran on ${target.description}` +
        (skipped ? ` (${skipped} unchanged objects left as they were)` : ""),
    );
    return 0;
  } catch (e) {
    if (e instanceof SetupError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  } finally {
    await target?.close();
    p.shutdown.dispose();
  }
}

/** Runs a role command and returns its exit code. */
export async function runRole(
  command: string,
  config: Config,
  switches: ReadonlySet<string>,
): Promise<number> {
  const p = createProcess(config);
  try {
    switch (command) {
      case "run":
        return await run(p, switches.has("drain"));
      case "serve":
        return await serve(p);
      case "generate":
        return await generate(p);
      case "stream":
        return await stream(p, switches.has("drain"));
      case "emulator":
        return await emulator(p);
      case "check":
        return await check(p);
      case "setup":
        return await setup(p, switches.has("apply"));
      default:
        p.shutdown.dispose();
        throw new ConfigError(command, "is not a liftline command (see liftline --help)");
    }
  } catch (e) {
    if (stoppedBySignal(p, e)) {
      // A signal while the role was starting (its set-up SQL, its first connection): what it
      // cancelled is the stop that was asked for, not a failure.
      p.log.info("stopped before it had started fully", {
        reason: String((e as Error)?.message ?? e).split("\n")[0].slice(0, 200),
      });
      return 0;
    }
    throw e;
  }
}

/** True when a signal stopped the process and `error` is what it cancelled. */
function stoppedBySignal(p: Process, error: unknown): boolean {
  const reason = String((p.shutdown.signal.reason as Error | undefined)?.message ?? "");
  if (!p.shutdown.signal.aborted || !reason.startsWith("received SIG")) return false;
  return /cancel|interrupt|abort/i.test(String((error as Error)?.message ?? error)) ||
    (error as Error)?.name === "AbortError";
}
