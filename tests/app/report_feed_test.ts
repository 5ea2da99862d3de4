/**
 * The report feed over an embedded emulator: it reads the chain's state, moves the shared cache
 * to a new version (and tells listeners) only when a dynamic table refreshed, keeps the freshness
 * gauge honest before the first refresh (here: before setup created the chain), and says when the
 * reports are catching up.
 */
import assert from "node:assert/strict";
import { buildConfig } from "../../src/config/load.ts";
import { silentLogger } from "../../src/log.ts";
import { Metrics } from "../../src/status/metrics.ts";
import { StatusStore } from "../../src/status/store.ts";
import { ReportFeed } from "../../src/app/report_feed.ts";
import type { Target } from "../../src/app/target.ts";
import { type RunningEmulator, startEmulator } from "../../src/emulator/mod.ts";
import { generateRows } from "../../src/generator/mod.ts";
import { ensureKeyPair } from "../../src/snowflake/key_files.ts";
import { provision } from "../helpers/liftline_emulator.ts";
import { streamRows } from "../helpers/stream_rows.ts";

/** A seeded simulated day from `start` (300 tickets), as JSON rows per table. */
function simulatedDay(seed: string, start: string) {
  const from = Date.parse(start);
  return generateRows({ seed, start: from, ticketsPerDay: 300, until: from + 86_400_000 });
}

const DAY_ONE = simulatedDay("feed", "2026-11-27T14:00:00Z");
const DAY_TWO = simulatedDay("feed-2", "2026-11-28T14:00:00Z");

/** HOURLY_RESORT_SUMMARY's data timestamp, as SHOW DYNAMIC TABLES tells it. */
async function dataTimestamp(emulator: RunningEmulator): Promise<number> {
  const sql = emulator.localClient();
  try {
    const r = await sql.query("SHOW DYNAMIC TABLES LIKE 'HOURLY_RESORT_SUMMARY'");
    return (r.rows[0].data_timestamp as Date).getTime();
  } finally {
    await sql.close();
  }
}

async function freshness(metrics: Metrics, table: string): Promise<number> {
  const line = (await metrics.render()).split("\n")
    .find((l) => l.startsWith(`liftline_report_freshness_seconds{dynamic_table="${table}"} `));
  assert.ok(line, `freshness of ${table} is exported`);
  return Number(line.split(" ").pop());
}

Deno.test("the report feed versions the cache by refresh, and reports freshness and backlog", async () => {
  const dir = await Deno.makeTempDir({ prefix: "liftline-feed-" });
  const keys = await ensureKeyPair(dir);
  // An empty account: liftline's objects come later, through the setup script.
  const emulator = await startEmulator({
    dataDir: dir,
    commitDelayMs: 0,
    dynamic: { autoRefresh: false },
  });
  try {
    const target: Target = {
      controlUrl: emulator.url,
      privateKeyPem: keys.privateKeyPem,
      keySource: "test",
      emulator,
      description: "embedded emulator (test)",
      close: () => emulator.close(),
    };
    const metrics = new Metrics();
    const status = new StatusStore();
    const feed = new ReportFeed({
      config: buildConfig({ DATA_DIR: dir, TARGET: "local" }),
      metrics,
      status,
      log: silentLogger,
    });
    await assert.rejects(() => feed.reports(), /connecting to the target/);
    feed.attach(target);
    const versions: string[] = [];
    feed.onChange((v) => versions.push(v));

    // Before any refresh (setup has not even created the chain yet): waiting, and the gauge counts
    // the wait instead of reading "fresh".
    const t0 = Date.now();
    await feed.poll(t0 + 90_000);
    assert.equal(versions.length, 1, "the first reading sets a version");
    const summary = () =>
      status.reports!.dynamicTables.find((t) => t.name === "HOURLY_RESORT_SUMMARY")!;
    assert.equal(summary().state, "waiting");
    assert.ok(await freshness(metrics, "HOURLY_RESORT_SUMMARY") >= 89);

    // Setup (its dynamic tables refresh once on creation, over no rows), a day of rows and a
    // refresh: a new version, announced once.
    const setup = emulator.localClient();
    await provision(setup);
    await setup.close();
    await streamRows(emulator, DAY_ONE);
    await emulator.context.dynamic.refreshAll();
    const at = await dataTimestamp(emulator);
    await feed.poll(at + 5_000);
    assert.equal(versions.length, 2);
    assert.equal(feed.cache.version, versions[1]);
    assert.equal(summary().state, "ok");
    assert.equal(await freshness(metrics, "HOURLY_RESORT_SUMMARY"), 5);
    assert.equal(status.reports!.catchingUp, null);
    await feed.poll(at + 6_000);
    assert.equal(versions.length, 2, "no refresh, no new version");

    // New rides within the target lag are the reports' normal lag, not a backlog…
    await streamRows(emulator, DAY_TWO);
    await feed.poll(at + 20_000);
    assert.equal(status.catchingUpMessage(), null);
    // …but past it, the reports are catching up, and /api/status says how far.
    await feed.poll(at + 180_000);
    const committed = DAY_ONE.LIFT_RIDE.length + DAY_TWO.LIFT_RIDE.length;
    assert.deepEqual(status.reports!.catchingUp, {
      reflectedRides: DAY_ONE.LIFT_RIDE.length,
      committedRides: committed,
    });
    assert.equal(
      status.snapshot().reportsCatchingUp,
      `reports catching up: ${DAY_ONE.LIFT_RIDE.length} of ${committed} rides reflected`,
    );
    assert.equal(summary().state, "stale");

    // Reads through the feed see the same warehouse.
    const clock = await (await feed.reports()).clock();
    assert.ok(clock.latestReportedHour);
    await feed.close();
  } finally {
    await emulator.close();
    await Deno.remove(dir, { recursive: true });
  }
});
