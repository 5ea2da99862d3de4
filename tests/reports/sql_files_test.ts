/**
 * The SQL under sql/: statements split and normalise correctly, names are validated before
 * rendering, and the dynamic tables' SQL, the local engine and the reports agree on names and
 * columns (the contract of shared/spec/reports.md).
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
import { COLUMNS, DYNAMIC_TABLES } from "../../src/emulator/dynamic/schema.ts";
import { REPORT_QUERIES } from "../../src/reports/mod.ts";
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

Deno.test("dynamic tables: the SQL, the local engine and the reports agree on names and columns", () => {
  const statements = splitStatements(DYNAMIC_TABLES_SQL);
  const names = statements.map((s) => s.match(/DYNAMIC TABLE (\w+)/)![1]);
  assert.deepEqual(names, [...DYNAMIC_TABLES]);
  assert.deepEqual(names, [...DYNAMIC_TABLE_NAMES]);
  statements.forEach((sql, i) => {
    for (const column of COLUMNS[DYNAMIC_TABLES[i]]) {
      assert.match(sql, new RegExp(`\\b${column}\\b`), `${names[i]} has ${column}`);
    }
  });
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
