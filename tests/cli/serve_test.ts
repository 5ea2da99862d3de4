/**
 * `liftline serve`: the dashboard, health and metrics over a data folder someone else filled,
 * with the embedded emulator (TARGET=local) or an emulator at EMULATOR_URL; a signal ends it
 * promptly with exit 0.
 */
import assert from "node:assert/strict";
import { runLiftline, spawnEmulator, spawnLiftline } from "../helpers/liftline_child.ts";

const WORLD = ["--speed", "MAX", "--seed", "serve", "--tickets-per-day", "1500"];
const START = "2026-12-05T14:00:00Z";
const UNTIL = "2026-12-05T22:00:00Z";

/** Fills `dir` with one simulated day streamed into its own warehouse. */
async function fill(dir: string): Promise<void> {
  const r = await runLiftline([
    "run",
    "--drain",
    ...WORLD,
    "--start-time",
    START,
    "--until",
    UNTIL,
    "--port",
    "0",
    "--data-dir",
    dir,
    "--emulator-commit-delay-ms",
    "0",
  ]);
  assert.equal(r.code, 0, r.stderr);
}

/**
 * Waits until the reports reflect the rides committed before `filledAt`: HOURLY_RESORT_SUMMARY
 * refreshed as of then or later. (Its creation refreshed it too, before any ride came, as
 * Snowflake's INITIALIZE = ON_CREATE does; that data timestamp is older. The next refresh is due
 * within its one-minute target lag.)
 */
async function waitForReports(
  base: string,
  filledAt: number,
  ms = 90_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const status = await (await fetch(`${base}/api/status`)).json();
    const summary = status.reports?.dynamicTables?.find((t: { name: string }) =>
      t.name === "HOURLY_RESORT_SUMMARY"
    );
    if (summary?.dataTimestamp && Date.parse(summary.dataTimestamp) >= filledAt) return status;
    if (Date.now() > deadline) throw new Error(`no report refresh within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function checkPages(base: string): Promise<void> {
  for (const path of ["/", "/?period=last7&metric=revenue", "/resorts/Vail", "/pipeline"]) {
    const res = await fetch(`${base}${path}`);
    const body = await res.text();
    assert.equal(res.status, 200, `${path}: ${body.slice(0, 200)}`);
    assert.match(body, /<div id="live">/, path);
    assert.doesNotMatch(body, /role="alert"/, `${path} shows no read error`);
  }
  // The rides that `run` streamed are what `serve` reports.
  const overview = await (await fetch(`${base}/?period=today`)).text();
  assert.match(overview, /Lift rides<\/div><div class="value">[1-9][\d,]*</);
  const health = await fetch(`${base}/healthz`);
  assert.equal(health.status, 200);
  await health.body?.cancel();
}

Deno.test("serve shows the reports of a filled data folder, with its own emulator or another's", async () => {
  const dir = await Deno.makeTempDir({ prefix: "liftline-serve-" });
  try {
    await fill(dir);
    const filledAt = Date.now();

    // TARGET=local without EMULATOR_URL: an embedded emulator keeps the dynamic tables fresh.
    const embedded = spawnLiftline(["serve", "--port", "0", "--data-dir", dir]);
    try {
      const base = (await embedded.waitFor(/serving url=(http:\/\/\S+)/))[1];
      const status = await waitForReports(base, filledAt);
      assert.equal(status.generator, null, "serve runs no generator");
      await checkPages(base);
    } finally {
      const t0 = Date.now();
      const exit = await embedded.stop("SIGTERM");
      assert.equal(exit.code, 0, embedded.stderr());
      assert.ok(Date.now() - t0 < 10_000, `serve stopped in ${Date.now() - t0} ms`);
    }

    // EMULATOR_URL: reads go through snowflake-sdk to the emulator's SQL API.
    const { process: emulator, url } = await spawnEmulator(["--data-dir", dir]);
    try {
      const viaSdk = spawnLiftline(["serve", "--port", "0", "--data-dir", dir], {
        env: { EMULATOR_URL: url },
      });
      try {
        const base = (await viaSdk.waitFor(/serving url=(http:\/\/\S+)/))[1];
        const status = await waitForReports(base, filledAt);
        assert.match(String((status.reports as { source: string }).source), /snowflake-sdk/);
        await checkPages(base);
      } finally {
        assert.equal((await viaSdk.stop("SIGTERM")).code, 0, viaSdk.stderr());
      }
    } finally {
      await emulator.stop("SIGTERM");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
