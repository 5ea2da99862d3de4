/**
 * Numeric semantics: fixed-point scale and precision of arithmetic, ROUND, DIV0 and exact SUM
 * of NUMBER(p,s). Every number is a NUMBER with its scale unless the doc's table says FLOAT, so
 * 1/3 is 0.333333 (never 0, never a float).
 */
import assert from "node:assert/strict";
import { conformance, expectRows, once } from "./harness.ts";

// https://docs.snowflake.com/en/sql-reference/operators-arithmetic
conformance(
  "Arithmetic operators: multiplication keeps the inputs' scales (up to 12)",
  async ({ db }, t) => {
    await t.step("10.01 * 1.1 is 11.011", async () => {
      await expectRows(db, "SELECT 10.01 n1, 1.1 n2, n1 * n2;", {
        columns: ["N1", "N2", "N1 * N2"],
        rows: [["10.01", "1.1", "11.011"]],
      });
    });

    await t.step("10.001 * .001 is 0.010001", async () => {
      // The page's header for this example reads I1 | I2 | I1 * I2, which its own query (aliases
      // n1, n2) cannot produce; only the values are asserted.
      await expectRows(db, "SELECT 10.001 n1, .001 n2, n1 * n2;", {
        rows: [["10.001", "0.001", "0.010001"]],
      });
    });

    await t.step(".1 * .0000000000001 keeps 13 decimals: 0.0000000000000", async () => {
      await expectRows(db, "SELECT .1 n1, .0000000000001 n2, n1 * n2;", {
        columns: ["N1", "N2", "N1 * N2"],
        rows: [["0.1", "0.0000000000001", "0.0000000000000"]],
      });
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/operators-arithmetic
conformance(
  "Arithmetic operators: division adds 6 to the numerator's scale (up to 12)",
  async ({ db }, t) => {
    await t.step("2 / 7 is 0.285714", async () => {
      const r = await expectRows(db, "SELECT 2 n1, 7 n2, n1 / n2;", {
        columns: ["N1", "N2", "N1 / N2"],
        rows: [["2", "7", "0.285714"]],
      });
      // S = max(S1, min(S1 + 6, 12)) = 6 (the page's formula).
      assert.equal(r.columns[2].type, "fixed");
      assert.equal(r.columns[2].scale, 6);
    });

    await t.step("10.1 / 2.1 is 4.8095238", async () => {
      await expectRows(db, "SELECT 10.1 n1, 2.1 n2, n1 / n2;", {
        columns: ["N1", "N2", "N1 / N2"],
        rows: [["10.1", "2.1", "4.8095238"]],
      });
    });

    await t.step("10.001 / .001 is 10001.000000000", async () => {
      await expectRows(db, "SELECT 10.001 n1, .001 n2, n1 / n2;", {
        columns: ["N1", "N2", "N1 / N2"],
        rows: [["10.001", "0.001", "10001.000000000"]],
      });
    });

    await t.step(".1 / .0000000000001 is 1000000000000.0000000", async () => {
      await expectRows(db, "SELECT .1 n1, .0000000000001 n2, n1 / n2;", {
        columns: ["N1", "N2", "N1 / N2"],
        rows: [["0.1", "0.0000000000001", "1000000000000.0000000"]],
      });
    });

    await t.step("1/3 is 0.333333: a NUMBER of scale 6, not 0 and not a float", async () => {
      // Computed from the page's division rule (scale max(0, min(0 + 6, 12)) = 6, rounded);
      // the page does not print this one.
      const r = await expectRows(db, "SELECT 1/3", { columns: ["1/3"], rows: [["0.333333"]] });
      assert.equal(r.columns[0].type, "fixed");
      assert.equal(r.columns[0].scale, 6);
    });

    await t.step("2/3 rounds the last digit: 0.666667", async () => {
      // Computed: "If the result of the division operation exceeds the output scale, Snowflake
      // rounds the output (rather than truncating the output)."
      await expectRows(db, "SELECT 2/3", { rows: [["0.666667"]] });
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/functions/div0
conformance("DIV0: divides like / but returns 0 for a zero divisor", async ({ db }, t) => {
  await t.step("SELECT 1/2 is 0.500000", async () => {
    await expectRows(db, "SELECT 1/2;", { columns: ["1/2"], rows: [["0.500000"]] });
  });

  await t.step("DIV0(1, 2) is 0.500000", async () => {
    await expectRows(db, "SELECT DIV0(1, 2);", { columns: ["DIV0(1, 2)"], rows: [["0.500000"]] });
  });

  await t.step("DIV0(1, 0) is 0.000000", async () => {
    await expectRows(db, "SELECT DIV0(1, 0);", { columns: ["DIV0(1, 0)"], rows: [["0.000000"]] });
  });

  await t.step("1/0 fails with 100051 (22012): Division by zero", async () => {
    await db.expectError("select 1/0;", {
      code: "100051",
      sqlState: "22012",
      message: "Division by zero",
    });
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/round
conformance("ROUND: half away from zero, negative scales, HALF_TO_EVEN", async ({ db }, t) => {
  await t.step("ROUND(135.135), ROUND(-975.975) are 135 and -976", async () => {
    await expectRows(db, "SELECT ROUND(135.135), ROUND(-975.975);", {
      columns: ["ROUND(135.135)", "ROUND(-975.975)"],
      rows: [["135", "-976"]],
    });
  });

  await t.step(
    "ROUND(n, scale) over FLOAT values with negative, zero, large and NULL scales",
    async () => {
      await db.runAll([
        "CREATE TABLE test_ceiling (n FLOAT, scale INTEGER);",
        `INSERT INTO test_ceiling (n, scale) VALUES
         (-975.975, -1),
         (-975.975,  0),
         (-975.975,  2),
         ( 135.135, -2),
         ( 135.135,  0),
         ( 135.135,  1),
         ( 135.135,  3),
         ( 135.135, 50),
         ( 135.135, NULL);`,
      ]);
      await expectRows(
        db,
        "SELECT n, scale, ROUND(n, scale) FROM test_ceiling ORDER BY n, scale;",
        {
          columns: ["N", "SCALE", "ROUND(N, SCALE)"],
          rows: [
            ["-975.975", "-1", "-980"],
            ["-975.975", "0", "-976"],
            ["-975.975", "2", "-975.98"],
            ["135.135", "-2", "100"],
            ["135.135", "0", "135"],
            ["135.135", "1", "135.1"],
            ["135.135", "3", "135.135"],
            ["135.135", "50", "135.135"],
            ["135.135", null, null],
          ],
        },
      );
    },
  );

  await t.step("ROUND(2.5, 0) is 3; with 'HALF_TO_EVEN' it is 2", async () => {
    await expectRows(db, "SELECT ROUND(2.5, 0), ROUND(2.5, 0, 'HALF_TO_EVEN');", {
      columns: ["ROUND(2.5, 0)", "ROUND(2.5, 0, 'HALF_TO_EVEN')"],
      rows: [["3", "2"]],
    });
  });

  await t.step("ROUND(-2.5, 0) is -3; with 'HALF_TO_EVEN' it is -2", async () => {
    await expectRows(db, "SELECT ROUND(-2.5, 0), ROUND(-2.5, 0, 'HALF_TO_EVEN');", {
      columns: ["ROUND(-2.5, 0)", "ROUND(-2.5, 0, 'HALF_TO_EVEN')"],
      rows: [["-3", "-2"]],
    });
  });

  await t.step("named arguments: ROUND(EXPR => -2.5, SCALE => 0) is -3", async () => {
    await expectRows(db, "SELECT ROUND(\n  EXPR => -2.5,\n  SCALE => 0) AS named_arguments;", {
      columns: ["NAMED_ARGUMENTS"],
      rows: [["-3"]],
    });
  });

  await t.step("named arguments with ROUNDING_MODE => 'HALF_TO_EVEN' give -2", async () => {
    await expectRows(
      db,
      `SELECT ROUND(
         EXPR => -2.5,
         SCALE => 0,
         ROUNDING_MODE => 'HALF_TO_EVEN') AS named_with_rounding_mode;`,
      { columns: ["NAMED_WITH_ROUNDING_MODE"], rows: [["-2"]] },
    );
  });

  await t.step("DECIMAL rounds .005 away from zero exactly; FLOAT may not", async () => {
    await db.runAll([
      "CREATE OR REPLACE TEMP TABLE rnd1(f float, d DECIMAL(10, 3));",
      `INSERT INTO rnd1 (f, d) VALUES
         ( -10.005,  -10.005),
         (  -1.005,   -1.005),
         (   1.005,    1.005),
         (  10.005,   10.005);`,
    ]);
    await expectRows(
      db,
      "SELECT f,\n       ROUND(f, 2),\n       d,\n       ROUND(d, 2)\n  FROM rnd1\n  ORDER BY 1;",
      {
        columns: ["F", "ROUND(F, 2)", "D", "ROUND(D, 2)"],
        rows: [
          ["-10.005", "-10.01", "-10.005", "-10.01"],
          ["-1.005", "-1", "-1.005", "-1.01"],
          ["1.005", "1", "1.005", "1.01"],
          ["10.005", "10.01", "10.005", "10.01"],
        ],
      },
    );
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/sum
conformance("SUM: exact over DECIMAL, NULLs ignored, text summed as numbers", async ({ db }, t) => {
  const ready = once(async () => {
    await db.runAll([
      `CREATE OR REPLACE TABLE sum_example (k INT, d DECIMAL(10,5),
         s1 VARCHAR(10), s2 VARCHAR(10));`,
      `INSERT INTO sum_example VALUES
         (1, 1.1, '1.1', 'one'),
         (1, 10, '10', 'ten'),
         (2, 2.2, '2.2', 'two'),
         (2, NULL, NULL, 'null'),
         (3, NULL, NULL, 'null'),
         (NULL, 9, '9.9', 'nine');`,
    ]);
  });
  // The page's SELECT * output is left out: it prints S1 = 10.0 for the inserted '10', which
  // its own INSERT cannot produce.

  await t.step("SUM(d) is 22.30000 (the column's scale) and SUM(s1) is 23.2", async () => {
    await ready();
    const r = await expectRows(db, "SELECT SUM(d), SUM(s1)\n  FROM sum_example;", {
      columns: ["SUM(D)", "SUM(S1)"],
      rows: [["22.30000", "23.2"]],
    });
    assert.equal(r.columns[0].type, "fixed");
    assert.equal(r.columns[0].scale, 5);
  });

  await t.step("SUM per GROUP BY k, NULL when a group has only NULLs", async () => {
    await ready();
    await expectRows(db, "SELECT k, SUM(d), SUM(s1)\n  FROM sum_example\n  GROUP BY k;", {
      columns: ["K", "SUM(D)", "SUM(S1)"],
      rows: [
        ["1", "11.10000", "11.1"],
        ["2", "2.20000", "2.2"],
        ["3", null, null],
        [null, "9.00000", "9.9"],
      ],
      ordered: false,
    });
  });

  await t.step(
    "SUM(s2) fails with 100038 (22018): Numeric value 'one' is not recognized",
    async () => {
      await ready();
      await db.expectError("SELECT SUM(s2)\n  FROM sum_example;", {
        code: "100038",
        sqlState: "22018",
        message: "Numeric value 'one' is not recognized",
      });
    },
  );

  await t.step("SUM of 1,000 NUMBER(7,2) values of 0.10 is exactly 100.00", async () => {
    await ready();
    // Computed, not printed on the page: a sum of fixed-point values is exact and keeps the
    // scale (a float sum of 0.1 a thousand times is 99.9999999999986).
    await db.runAll([
      "CREATE OR REPLACE TABLE prices (p NUMBER(7,2));",
      "INSERT INTO prices SELECT 0.10 FROM TABLE(GENERATOR(ROWCOUNT => 1000));",
    ]);
    await expectRows(db, "SELECT SUM(p) AS total, COUNT(*) AS n FROM prices", {
      columns: ["TOTAL", "N"],
      rows: [["100.00", "1000"]],
    });
  });
});
