import assert from "node:assert/strict";
import { createWebApp } from "../../src/web/app.ts";
import { Metrics } from "../../src/status/metrics.ts";
import { StatusStore } from "../../src/status/store.ts";
import { DYNAMIC_TABLE_NAMES } from "../../sql/mod.ts";

/** Every metric name liftline promises (docs/architecture.md, "Metrics"). */
const PROMISED = [
  "liftline_rows_generated_total",
  "liftline_queue_rows",
  "liftline_queue_oldest_row_age_seconds",
  "liftline_rows_appended_total",
  "liftline_rows_committed_total",
  "liftline_committed_offset",
  "liftline_ingest_lag_seconds",
  "liftline_append_duration_seconds",
  "liftline_retries_total",
  "liftline_channel_reopens_total",
  "liftline_rows_error_count",
  "liftline_report_freshness_seconds",
  "liftline_queue_write_errors_total",
];

function exercised(): Metrics {
  const m = new Metrics();
  for (const table of ["RESORT_TICKET", "SEASON_PASS", "LIFT_RIDE"]) {
    m.rowsGenerated.inc({ table }, 10);
    m.queueRows.set({ table }, 3);
    m.queueOldestRowAge.set({ table }, 0.5);
    m.rowsAppended.inc({ table }, 7);
    m.rowsCommitted.inc({ table }, 7);
    m.committedOffset.set({ table }, 7);
    m.ingestLag.observe({ table }, 1.2);
    m.appendDuration.observe({ table }, 0.01);
    m.retries.inc({ table, reason: "429" });
    m.channelReopens.inc({ table });
    m.rowsErrorCount.set({ table }, 0);
  }
  m.reportFreshness.set({ dynamic_table: "HOURLY_RESORT_SUMMARY" }, 42);
  m.countQueueWriteError("disk_full");
  return m;
}

/** `promtool check metrics` on `text`: its complaints, or "" when it has none. */
async function promtoolComplaints(text: string): Promise<string> {
  const child = new Deno.Command("promtool", {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await child.output();
  const report = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return out.code === 0 ? report.trim() : `exit ${out.code}: ${report}`;
}

Deno.test("/healthz answers ok", async () => {
  const app = createWebApp({ metrics: new Metrics(), status: new StatusStore() });
  const res = await app.request("/healthz");
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: "ok" });
});

Deno.test("/readyz is 503 with reasons until every role is ready", async () => {
  const status = new StatusStore();
  let queueWritable = false;
  const app = createWebApp({
    metrics: new Metrics(),
    status,
    readinessChecks: [() => (queueWritable ? undefined : "queue is not writable")],
  });
  status.setNotReady("streamer", ["channel LIFT_RIDE is not open"]);
  let res = await app.request("/readyz");
  assert.equal(res.status, 503);
  const body = await res.json();
  assert.deepEqual(body.reasons, ["channel LIFT_RIDE is not open", "queue is not writable"]);
  status.setNotReady("streamer", []);
  queueWritable = true;
  res = await app.request("/readyz");
  assert.equal(res.status, 200);
});

Deno.test("/metrics has every promised name and passes promtool check metrics", async () => {
  const app = createWebApp({ metrics: exercised(), status: new StatusStore() });
  const res = await app.request("/metrics");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /text\/plain/);
  const text = await res.text();
  for (const name of PROMISED) {
    assert.match(text, new RegExp(`^# TYPE ${name} `, "m"), name);
  }
  assert.equal(await promtoolComplaints(text), "");
});

Deno.test("/metrics before any event: every known series is there at 0, for every channel", async () => {
  const app = createWebApp({ metrics: new Metrics({ channels: 3 }), status: new StatusStore() });
  const text = await (await app.request("/metrics")).text();
  const value = (series: string) => {
    const line = text.split("\n").find((l) => l.startsWith(`${series} `));
    assert.ok(line, `${series} is exported before its first event`);
    return Number(line.slice(series.length + 1));
  };
  for (const table of ["RESORT_TICKET", "SEASON_PASS", "LIFT_RIDE"]) {
    // Generated rows are counted per table; everything about streaming, per channel as well.
    assert.equal(value(`liftline_rows_generated_total{table="${table}"}`), 0);
    for (const channel of ["0", "1", "2"]) {
      const l = `{table="${table}",channel="${channel}"}`;
      for (
        const name of [
          "liftline_rows_appended_total",
          "liftline_rows_committed_total",
          "liftline_channel_reopens_total",
          "liftline_queue_rows",
          "liftline_queue_oldest_row_age_seconds",
          "liftline_committed_offset",
          "liftline_rows_error_count",
          "liftline_ingest_lag_seconds_count",
          "liftline_append_duration_seconds_count",
        ]
      ) assert.equal(value(`${name}${l}`), 0, `${name}${l}`);
      assert.equal(
        value(
          `liftline_ingest_lag_seconds_bucket{le="+Inf",table="${table}",channel="${channel}"}`,
        ),
        0,
      );
      for (const reason of ["429", "408", "409", "5xx", "network", "timeout"]) {
        assert.equal(
          value(`liftline_retries_total{table="${table}",channel="${channel}",reason="${reason}"}`),
          0,
        );
      }
    }
    assert.ok(!text.includes(`table="${table}",channel="3"`), "three channels, not more");
  }
  for (const reason of ["disk_full", "io", "busy", "readonly", "other"]) {
    assert.equal(value(`liftline_queue_write_errors_total{reason="${reason}"}`), 0, reason);
  }
  // Every dynamic table has a freshness series from the start; the report feed moves it to the
  // time waited for a first refresh (tests/app/report_feed_test.ts), so it never reads "fresh" for long.
  for (const t of DYNAMIC_TABLE_NAMES) {
    assert.equal(value(`liftline_report_freshness_seconds{dynamic_table="${t}"}`), 0, t);
  }
  assert.equal(await promtoolComplaints(text), "");
});

Deno.test("/api/status returns the status snapshot as JSON", async () => {
  const status = new StatusStore();
  status.target = "local";
  const app = createWebApp({ metrics: new Metrics(), status });
  const res = await app.request("/api/status");
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.target, "local");
  assert.deepEqual(body.notReady, []);
});

Deno.test("unknown paths and methods get 4xx, not a crash", async () => {
  const app = createWebApp({ metrics: new Metrics(), status: new StatusStore() });
  assert.equal((await app.request("/nope")).status, 404);
  // Everything here is read-only: another method is 405 with the allowed ones, on any path.
  for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
    for (const path of ["/healthz", "/", "/nope"]) {
      const res = await app.request(path, { method });
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.equal(res.headers.get("Allow"), "GET, HEAD");
      await res.body?.cancel();
    }
  }
  assert.equal((await app.request("/healthz", { method: "HEAD" })).status, 200);
  assert.equal((await app.request("/%E0%A4%A")).status, 404);
});
