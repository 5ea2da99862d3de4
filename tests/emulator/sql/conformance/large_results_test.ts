/**
 * Results of any size: a quarter of a million rows come back complete through the SDK (which
 * must fetch the result in chunks), with exact sums; GENERATOR and SEQ* behave as their pages
 * show.
 */
import assert from "node:assert/strict";
import { columnNames, conformance, expectRows } from "./harness.ts";

const ROWS = 250_000;

/** Parses a NUMBER's text into a scaled BigInt (exact), e.g. "0.250000" at scale 6 → 250000n. */
function scaled(text: string, scale: number): bigint {
  const [int, frac = ""] = text.split(".");
  assert.ok(frac.length <= scale, `${text} has more than ${scale} decimals`);
  const negative = int.startsWith("-");
  const digits = BigInt(`${negative ? int.slice(1) : int}${frac.padEnd(scale, "0")}`);
  return negative ? -digits : digits;
}

// https://docs.snowflake.com/en/sql-reference/functions/generator
// https://docs.snowflake.com/en/sql-reference/functions/seq1
conformance(
  "GENERATOR: 250,000 rows come back complete through the SDK, with an exact sum",
  async ({ db }, t) => {
    await t.step(
      "SELECT SEQ4() AS N FROM TABLE(GENERATOR(ROWCOUNT => 250000)) returns 250,000 distinct rows",
      async () => {
        const r = await db.run(`SELECT SEQ4() AS N FROM TABLE(GENERATOR(ROWCOUNT => ${ROWS}))`);
        assert.deepEqual(columnNames(r), ["N"]);
        assert.equal(r.rows.length, ROWS);
        const values = r.rows.map((row) => BigInt(row[0] ?? "x"));
        assert.equal(new Set(values).size, ROWS, "SEQ4 values are unique");
        // SEQ4 "does not necessarily produce a gap-free sequence": the client's sum is checked
        // against the server's sum of the same result (RESULT_SCAN), not against a formula.
        const clientSum = values.reduce((a, b) => a + b, 0n);
        const server = await db.run(
          "SELECT SUM(N) AS S, COUNT(*) AS C, COUNT(DISTINCT N) AS D FROM TABLE(RESULT_SCAN(LAST_QUERY_ID()))",
        );
        assert.deepEqual(server.rows, [[clientSum.toString(), String(ROWS), String(ROWS)]]);
      },
    );

    await t.step(
      "ROW_NUMBER() OVER (ORDER BY SEQ4()) is gap-free: 1..250000, sum 31250125000",
      async () => {
        // The sum n(n+1)/2 for n = 250000 is computed, not printed on the pages.
        const r = await db.run(
          `SELECT ROW_NUMBER() OVER (ORDER BY SEQ4()) AS N FROM TABLE(GENERATOR(ROWCOUNT => ${ROWS})) ORDER BY N`,
        );
        assert.equal(r.rows.length, ROWS);
        let sum = 0n;
        for (let i = 0; i < r.rows.length; i++) {
          const n = BigInt(r.rows[i][0] ?? "x");
          if (n !== BigInt(i + 1)) assert.fail(`row ${i}: N = ${n}, expected ${i + 1}`);
          sum += n;
        }
        assert.equal(sum, 31_250_125_000n);
      },
    );

    await t.step(
      "250,000 rows of text and NUMBER(…,6) quotients: every row, exact sum 7812531250.000000",
      async () => {
        // N / 4 is a NUMBER of scale 6 (operators-arithmetic's division rule); the sum of N / 4 over
        // 1..250000 is 31250125000 / 4 = 7812531250 exactly (computed).
        const r = await db.run(
          `SELECT N, N / 4 AS Q, 'row ' || N AS S
         FROM (SELECT ROW_NUMBER() OVER (ORDER BY SEQ4()) AS N FROM TABLE(GENERATOR(ROWCOUNT => ${ROWS})))
         ORDER BY N`,
        );
        assert.deepEqual(columnNames(r), ["N", "Q", "S"]);
        assert.equal(r.rows.length, ROWS);
        assert.equal(r.columns[1].scale, 6);
        let sum = 0n;
        for (const [n, q, s] of r.rows) {
          if (s !== `row ${n}`) assert.fail(`S = ${s} for N = ${n}`);
          sum += scaled(q ?? "x", 6);
        }
        assert.equal(sum, 7_812_531_250_000_000n);
        assert.deepEqual(r.rows[0], ["1", "0.250000", "row 1"]);
        assert.deepEqual(r.rows[ROWS - 1], [String(ROWS), "62500.000000", `row ${ROWS}`]);
      },
    );

    await t.step("the server's SUM over the same 250,000 rows is exact too", async () => {
      await expectRows(
        db,
        `SELECT SUM(N) AS S, SUM(N / 4) AS Q, COUNT(*) AS C
         FROM (SELECT ROW_NUMBER() OVER (ORDER BY SEQ4()) AS N FROM TABLE(GENERATOR(ROWCOUNT => ${ROWS})))`,
        { columns: ["S", "Q", "C"], rows: [["31250125000", "7812531250.000000", String(ROWS)]] },
      );
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/functions/generator
// The page's UNIFORM(…, RANDOM(12)) and UNIFORM(1, 10, 42) columns are left out: their values
// come from Snowflake's random generator. The SEQ4() column is the page's.
conformance("GENERATOR: ROWCOUNT rows; no arguments, no rows", async ({ db }, t) => {
  await t.step("ROWCOUNT => 10 gives SEQ4() 0 to 9", async () => {
    await expectRows(
      db,
      "SELECT seq4()\n  FROM TABLE(GENERATOR(ROWCOUNT => 10)) v\n  ORDER BY 1;",
      {
        columns: ["SEQ4()"],
        rows: [["0"], ["1"], ["2"], ["3"], ["4"], ["5"], ["6"], ["7"], ["8"], ["9"]],
      },
    );
  });

  await t.step("GENERATOR() with neither ROWCOUNT nor TIMELIMIT gives 0 rows", async () => {
    await expectRows(db, "SELECT seq4()\n  FROM TABLE(GENERATOR()) v\n  ORDER BY 1;", {
      columns: ["SEQ4()"],
      rows: [],
    });
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/seq1
conformance(
  "SEQ1 / SEQ2 / SEQ4 / SEQ8: increasing integers with wrap-around",
  async ({ db }, t) => {
    await t.step("seq8() over 5 rows is 0 to 4", async () => {
      await expectRows(db, "SELECT seq8() FROM table(generator(rowCount => 5));", {
        columns: ["SEQ8()"],
        rows: [["0"], ["1"], ["2"], ["3"], ["4"]],
        ordered: false,
      });
    });

    await t.step(
      "seq1(1) wraps from 127 to -128 (signed 1-byte); seq2(0) does not yet",
      async () => {
        await expectRows(
          db,
          "SELECT * FROM (SELECT seq2(0), seq1(1) FROM table(generator(rowCount => 132))) ORDER BY seq2(0) LIMIT 7 OFFSET 125;",
          {
            columns: ["SEQ2(0)", "SEQ1(1)"],
            rows: [
              ["125", "125"],
              ["126", "126"],
              ["127", "127"],
              ["128", "-128"],
              ["129", "-127"],
              ["130", "-126"],
              ["131", "-125"],
            ],
          },
        );
      },
    );

    await t.step("ROW_NUMBER() OVER (ORDER BY seq4()) numbers 10 rows 1 to 10", async () => {
      await expectRows(
        db,
        "SELECT ROW_NUMBER() OVER (ORDER BY seq4())\n    FROM TABLE(generator(rowcount => 10));",
        {
          columns: ["ROW_NUMBER() OVER (ORDER BY SEQ4())"],
          rows: [["1"], ["2"], ["3"], ["4"], ["5"], ["6"], ["7"], ["8"], ["9"], ["10"]],
          ordered: false,
        },
      );
    });
  },
);
