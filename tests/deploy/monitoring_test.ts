/**
 * The shipped monitoring (deploy/prometheus rules, deploy/grafana dashboard) and the program's
 * /metrics cannot drift apart: every metric and label they use is one /metrics exports, and every
 * recorded series they use is defined by a rule.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { createWebApp } from "../../src/web/app.ts";
import { Metrics } from "../../src/status/metrics.ts";
import { StatusStore } from "../../src/status/store.ts";

const RULES = fileURLToPath(new URL("../../deploy/prometheus/liftline_rules.yml", import.meta.url));
const DASHBOARD = fileURLToPath(
  new URL("../../deploy/grafana/liftline_dashboard.json", import.meta.url),
);

/** Labels Prometheus adds itself or that histograms carry. */
const PROMETHEUS_LABELS = new Set(["job", "instance", "le"]);

/** What /metrics exports: sample names and label names. */
async function exported(): Promise<{ samples: Set<string>; labels: Set<string> }> {
  const metrics = new Metrics();
  const app = createWebApp({ metrics, status: new StatusStore() });
  const text = await (await app.request("/metrics")).text();
  const samples = new Set<string>();
  const labels = new Set<string>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s/);
    assert.ok(m, `unparsed /metrics line: ${line}`);
    samples.add(m[1]);
    for (const l of (m[3] ?? "").matchAll(/([a-zA-Z_]\w*)="/g)) labels.add(l[1]);
  }
  return { samples, labels };
}

/** The `expr:` of every rule (one line, or a folded block under it) and its `record:` names. */
function ruleExpressions(yaml: string): { exprs: string[]; records: Set<string> } {
  const lines = yaml.split("\n");
  const exprs: string[] = [];
  const records = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const record = lines[i].match(/^\s*-?\s*record:\s*(\S+)\s*$/);
    if (record) records.add(record[1]);
    const expr = lines[i].match(/^(\s*)expr:\s*(.*)$/);
    if (!expr) continue;
    if (!/^[>|]/.test(expr[2])) {
      exprs.push(expr[2]);
      continue;
    }
    const indent = expr[1].length;
    const block: string[] = [];
    while (
      i + 1 < lines.length && (lines[i + 1].trim() === "" || indentOf(lines[i + 1]) > indent)
    ) {
      block.push(lines[++i].trim());
    }
    exprs.push(block.join(" "));
  }
  return { exprs, records };
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** Every `expr` string and template query of a Grafana dashboard. */
function dashboardQueries(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) { for (const v of value) dashboardQueries(v, out); }
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if ((k === "expr" || k === "definition") && typeof v === "string") out.push(v);
      else dashboardQueries(v, out);
    }
  }
  return out;
}

/** Names and labels a PromQL expression refers to (string literals and durations removed). */
function references(promql: string): { names: string[]; labels: string[] } {
  const code = promql.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\[[^\]]*\]/g, "");
  const names = [...code.matchAll(/(?<![\w:$])([a-zA-Z_:][\w:]*)(?![\w:])/g)]
    .map((m) => m[1])
    .filter((n) => n.includes("liftline"));
  const labels: string[] = [];
  for (
    const m of code.matchAll(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g)
  ) {
    labels.push(...m[1].split(",").map((s) => s.trim()).filter(Boolean));
  }
  for (const m of code.matchAll(/\{([^}]*)\}/g)) {
    for (const l of m[1].matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)) labels.push(l[1]);
  }
  return { names, labels };
}

function assertKnown(
  where: string,
  exprs: string[],
  known: { samples: Set<string>; labels: Set<string>; records: Set<string> },
): Set<string> {
  const used = new Set<string>();
  for (const expr of exprs) {
    const { names, labels } = references(expr);
    for (const name of names) {
      used.add(name);
      if (name.includes(":")) {
        assert.ok(known.records.has(name), `${where}: ${name} is not recorded by a rule (${expr})`);
      } else {
        assert.ok(known.samples.has(name), `${where}: ${name} is not in /metrics (${expr})`);
      }
    }
    for (const label of labels) {
      assert.ok(
        known.labels.has(label) || PROMETHEUS_LABELS.has(label),
        `${where}: label ${label} is on no liftline metric (${expr})`,
      );
    }
  }
  return used;
}

Deno.test("every metric and label the alert and recording rules use is in /metrics", async () => {
  const { samples, labels } = await exported();
  const { exprs, records } = ruleExpressions(await Deno.readTextFile(RULES));
  assert.ok(exprs.length >= 10 && records.size >= 5, "the rules file was read");
  const used = assertKnown("liftline_rules.yml", exprs, { samples, labels, records });
  for (
    const name of [
      "liftline_ingest_lag_seconds_bucket",
      "liftline_rows_committed_total",
      "liftline_queue_rows",
      "liftline_rows_error_count",
      "liftline_report_freshness_seconds",
      "liftline_queue_write_errors_total",
    ]
  ) assert.ok(used.has(name), `an alert or recording rule watches ${name}`);
  // Several channels per table: one alert watches each channel, and the queue's cap (a table's)
  // is checked against the sum of its channels' queues, which no channel reaches alone.
  const byChannel = exprs.filter((e) => references(e).labels.includes("channel"));
  assert.ok(byChannel.some((e) => e.includes("liftline_rows_committed_total")), "per channel");
  assert.ok(exprs.includes("sum by (job, instance, table) (liftline_queue_rows)"));
  assert.ok(exprs.some((e) => e.startsWith("table:liftline_queue_rows:sum > ")));
});

Deno.test("the Grafana dashboard is valid, uses a datasource variable and only /metrics names", async () => {
  const { samples, labels } = await exported();
  const { records } = ruleExpressions(await Deno.readTextFile(RULES));
  const dashboard = JSON.parse(await Deno.readTextFile(DASHBOARD));
  const variables = dashboard.templating.list as { type: string; name: string }[];
  assert.ok(variables.some((v) => v.type === "datasource" && v.name === "datasource"));
  const panels = (dashboard.panels as { type: string; title: string; datasource?: unknown }[])
    .filter((p) => p.type !== "row");
  for (const p of panels) {
    assert.deepEqual(p.datasource, { type: "prometheus", uid: "${datasource}" }, p.title);
  }
  const used = assertKnown("liftline_dashboard.json", dashboardQueries(dashboard), {
    samples,
    labels,
    records,
  });
  for (
    const name of [
      "liftline_rows_generated_total",
      "liftline_rows_appended_total",
      "liftline_rows_committed_total",
      "liftline_queue_rows",
      "liftline_queue_oldest_row_age_seconds",
      "liftline_ingest_lag_seconds_bucket",
      "liftline_retries_total",
      "liftline_channel_reopens_total",
      "liftline_rows_error_count",
      "liftline_report_freshness_seconds",
      "liftline_queue_write_errors_total",
    ]
  ) assert.ok(used.has(name), `a dashboard panel shows ${name}`);
  // A row of per-channel panels, filtered by table.
  const perChannel = dashboardQueries(dashboard).filter((q) =>
    references(q).labels.includes("channel")
  );
  for (
    const name of [
      "liftline_rows_committed_total",
      "liftline_queue_rows",
      "liftline_ingest_lag_seconds_bucket",
      "liftline_committed_offset",
    ]
  ) assert.ok(perChannel.some((q) => q.includes(name)), `a panel shows ${name} by channel`);
  assert.ok(variables.some((v) => v.name === "table"), "a table variable picks the channels shown");
});
