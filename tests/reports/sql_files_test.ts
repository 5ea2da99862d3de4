/**
 * The SQL under sql/: statements split and normalise correctly, names are validated before
 * rendering, and the dynamic tables' SQL, the chain the report feed declares, the tables the
 * emulator creates from that SQL and the reports agree on names, lags and columns.
 */
import assert from "node:assert/strict";
import {
  checkIdentifier,
  normalizeSql,
  renderTemplate,
  resortCapacityRows,
  setupScript,
  splitStatements,
  SqlSyntaxError,
} from "../../sql/render.ts";
import { DYNAMIC_TABLE_NAMES, DYNAMIC_TABLES_SQL, VIEWS_SQL } from "../../sql/mod.ts";
import { REPORT_CHAIN, REPORT_QUERIES } from "../../src/reports/mod.ts";
import { showDynamicTables, startReportsEmulator } from "./fixtures.ts";
import facts from "../../src/generator/resorts.json" with { type: "json" };

const NAMES = {
  warehouse: "WH",
  role: "R",
  database: "DB",
  schema: "S",
  user: "U",
  pipes: { RESORT_TICKET: "P1", SEASON_PASS: "P2", LIFT_RIDE: "P3" },
};

Deno.test("statements split at top-level semicolons only", () => {
  const parts = splitStatements(`
    -- a comment; not a statement
    SELECT 'a;b' AS X; /* c; */ CREATE FUNCTION F() RETURNS TABLE (A INT) AS $$ SELECT 1; $$;
    SELECT "odd;name" FROM T
  `);
  assert.deepEqual(parts, [
    "SELECT 'a;b' AS X",
    "CREATE FUNCTION F() RETURNS TABLE (A INT) AS $$ SELECT 1; $$",
    'SELECT "odd;name" FROM T',
  ]);
  assert.equal(
    normalizeSql("select  a,b\n FROM t -- x\n where c='Mixed Case' ;"),
    normalizeSql("SELECT a , b FROM T WHERE C = 'Mixed Case'"),
  );
  assert.notEqual(normalizeSql("SELECT 'a'"), normalizeSql("SELECT 'A'"));
  assert.throws(() => normalizeSql("SELECT 'open"), SqlSyntaxError);
});

Deno.test("names are validated and every placeholder must be filled", () => {
  assert.throws(
    () => setupScript({ ...NAMES, database: "DB; DROP" }, []),
    /database must be a Snowflake identifier/,
  );
  assert.throws(() => setupScript({ ...NAMES, user: "1USER" }, []), /user must be/);
  assert.throws(() => setupScript({ ...NAMES, rsaPublicKey: "x' OR '1" }, []), /base64/);
  assert.throws(() => checkIdentifier("role", "a-b"), /role must be/);
  assert.throws(() => renderTemplate("USE {{NOPE}}", {}), /NOPE/);
  const merge = setupScript(NAMES, [{
    resort: "O'Brien",
    maxCapacity: 1,
    hourlyCapacity: 1,
    baseLiftCount: 1,
    ianaTimezone: "UTC",
  }])
    .find((s) => s.label.startsWith("MERGE"))!;
  assert.match(merge.sql, /\('O''Brien', 1, 1, 1, 'UTC'\)/);
});

/**
 * The report chain's contract: each dynamic table, upstream first, with its target lag, the
 * dynamic tables it reads and its columns in order (what the dashboard's queries, the views and
 * the reference model read).
 */
const CHAIN = [
  {
    name: "DAILY_VISITS",
    targetLag: "DOWNSTREAM",
    targetLagSeconds: null,
    upstream: [],
    columns: [
      "VISIT_DATE",
      "RESORT",
      "RFID",
      "NAME",
      "FIRST_RIDE_TIME",
      "FIRST_LIFT",
      "HAS_SEASON_PASS",
      "PURCHASE_PRICE_USD",
      "ACTIVATION_USAGE_COUNT",
      "TICKET_ORIGINAL_DURATION",
    ],
  },
  {
    name: "HOURLY_LIFT_ACTIVITY",
    targetLag: "DOWNSTREAM",
    targetLagSeconds: null,
    upstream: ["DAILY_VISITS"],
    columns: [
      "RIDE_DATE",
      "RIDE_HOUR",
      "RIDE_HOUR_TIMESTAMP",
      "RESORT",
      "TOTAL_RIDES",
      "VISITOR_COUNT",
      "ACTIVE_PASSES",
      "PASS_RIDES",
    ],
  },
  {
    name: "HOURLY_AMORTIZED_REVENUE",
    targetLag: "DOWNSTREAM",
    targetLagSeconds: null,
    upstream: ["DAILY_VISITS"],
    columns: [
      "RIDE_DATE",
      "RIDE_HOUR",
      "RESORT",
      "RECOGNIZED_TICKET_REVENUE",
      "TICKET_ACTIVATIONS",
      "RECOGNIZED_PASS_REVENUE",
      "PASS_ACTIVATIONS",
    ],
  },
  {
    name: "HOURLY_RESORT_SUMMARY",
    targetLag: "1 minute",
    targetLagSeconds: 60,
    upstream: ["HOURLY_LIFT_ACTIVITY", "HOURLY_AMORTIZED_REVENUE"],
    columns: [
      "RIDE_DATE",
      "RIDE_HOUR",
      "RIDE_HOUR_TIMESTAMP",
      "RESORT",
      "VISITOR_COUNT",
      "TOTAL_RIDES",
      "TICKET_ACTIVATIONS",
      "PASS_ACTIVATIONS",
      "ACTIVE_PASSES",
      "PASS_RIDES",
      "ACTIVE_TICKETS",
      "TICKET_RIDES",
      "RECOGNIZED_TICKET_REVENUE",
      "RECOGNIZED_PASS_REVENUE",
      "TOTAL_RECOGNIZED_REVENUE",
      "CAPACITY_PCT",
      "CAPACITY_STATUS",
    ],
  },
  {
    name: "DAILY_RESORT_SUMMARY",
    targetLag: "1 minute",
    targetLagSeconds: 60,
    upstream: ["HOURLY_RESORT_SUMMARY"],
    columns: [
      "RIDE_DATE",
      "RESORT",
      "PEAK_HOURLY_VISITORS",
      "TOTAL_VISITOR_HOURS",
      "TOTAL_RIDES",
      "TOTAL_TICKET_REVENUE",
      "TOTAL_PASS_REVENUE",
      "TOTAL_REVENUE",
      "TOTAL_TICKET_ACTIVATIONS",
      "TOTAL_PASS_ACTIVATIONS",
      "TOTAL_PASS_RIDES",
      "TOTAL_TICKET_RIDES",
      "AVG_CAPACITY_PCT",
      "PEAK_CAPACITY_PCT",
      "OPERATION_HOURS",
      "TOTAL_VISITORS",
    ],
  },
  {
    name: "WEEKLY_RESORT_SUMMARY",
    targetLag: "1 minute",
    targetLagSeconds: 60,
    upstream: ["DAILY_RESORT_SUMMARY"],
    columns: [
      "WEEK_START_DATE",
      "RESORT",
      "MAX_DAILY_UNIQUE_VISITORS",
      "AVG_DAILY_UNIQUE_VISITORS",
      "WEEK_TOTAL_VISITORS",
      "WEEK_TOTAL_RIDES",
      "WEEK_TOTAL_PASS_RIDES",
      "WEEK_TOTAL_TICKET_RIDES",
      "WEEK_TOTAL_TICKET_REVENUE",
      "WEEK_TOTAL_PASS_REVENUE",
      "WEEK_TOTAL_REVENUE",
      "AVG_DAILY_REVENUE",
      "WEEK_TOTAL_TICKET_ACTIVATIONS",
      "WEEK_TOTAL_PASS_ACTIVATIONS",
      "AVG_WEEK_CAPACITY_PCT",
      "WEEK_PEAK_CAPACITY_PCT",
      "OPERATION_DAYS",
    ],
  },
];

Deno.test("dynamic tables: the SQL, the declared chain, the emulator's tables and the reports agree on names, lags and columns", async () => {
  const statements = splitStatements(DYNAMIC_TABLES_SQL);
  const names = statements.map((s) => s.match(/DYNAMIC TABLE (\w+)/)![1]);
  assert.deepEqual(names, CHAIN.map((t) => t.name));
  assert.deepEqual(names, [...DYNAMIC_TABLE_NAMES]);
  // The chain the report feed reads the history with (parsed from the same SQL).
  assert.deepEqual(
    REPORT_CHAIN,
    CHAIN.map(({ columns: _, ...declared }) => declared),
  );
  // The tables the emulator makes of that SQL: their columns in order, their lags, and each one
  // refreshed incrementally (a full refresh a minute would cost the whole chain each time).
  const e = await startReportsEmulator();
  try {
    const shown = await showDynamicTables(e.query);
    const modes = new Map(
      (await e.query("SHOW DYNAMIC TABLES")).map((r) => [String(r.name), String(r.refresh_mode)]),
    );
    for (const t of CHAIN) {
      const described = await e.query(`DESCRIBE TABLE ${t.name}`);
      assert.deepEqual(described.map((c) => c.name), t.columns, t.name);
      assert.equal(shown.get(t.name)?.targetLag, t.targetLag, t.name);
      assert.equal(modes.get(t.name), "INCREMENTAL", t.name);
    }
  } finally {
    await e.close();
  }
  const views = VIEWS_SQL;
  for (
    const c of [
      "REVENUE_TARGET_USD",
      "REVENUE_TARGET_PCT",
      "PERFORMANCE_STATUS",
      "TOTAL_NETWORK_VISITORS",
      "TOTAL_NETWORK_REVENUE",
      "AVG_NETWORK_CAPACITY_PCT",
      "TOTAL_NETWORK_RIDES",
      "ACTIVE_RESORTS",
    ]
  ) assert.match(views, new RegExp(`\\b${c}\\b`));
  // Report queries are told apart by their normalised text.
  const texts = new Set(REPORT_QUERIES.map((q) => normalizeSql(q.sql)));
  assert.equal(texts.size, REPORT_QUERIES.length);
  for (const q of REPORT_QUERIES) {
    assert.equal((q.sql.match(/\?/g) ?? []).length, q.binds.length, q.name);
  }
  assert.deepEqual(
    resortCapacityRows(facts).map((r) => r.resort),
    facts.resorts.map((r) => r.name),
  );
});
