/**
 * Conditional and aggregate helpers the reports use: COUNT_IF, IFF, GREATEST, LEAST.
 */
import assert from "node:assert/strict";
import { conformance, expectRows, once } from "./harness.ts";

// https://docs.snowflake.com/en/sql-reference/functions/count_if
conformance(
  "COUNT_IF: counts the rows whose condition is TRUE (NULL is not TRUE)",
  async ({ db }, t) => {
    const ready = once(async () => {
      await db.runAll([
        "CREATE TABLE basic_example (i_col INTEGER, j_col INTEGER);",
        `INSERT INTO basic_example VALUES
         (11, 101), (11, 102), (11, NULL), (12, 101), (NULL, 101), (NULL, 102);`,
      ]);
    });

    await t.step("the table as loaded, NULLs last in ORDER BY i_col", async () => {
      await ready();
      const r = await expectRows(db, "SELECT *\n  FROM basic_example\n  ORDER BY i_col;", {
        columns: ["I_COL", "J_COL"],
        rows: [
          ["11", "101"],
          ["11", "102"],
          ["11", null],
          ["12", "101"],
          [null, "101"],
          [null, "102"],
        ],
        // ORDER BY i_col leaves the order within equal i_col values open.
        ordered: false,
      });
      // ...but the i_col sequence itself is ordered, NULLs last.
      assert.deepEqual(r.rows.map((row) => row[0]), ["11", "11", "11", "12", null, null]);
    });

    await t.step("COUNT_IF(TRUE) counts every row: 6", async () => {
      await ready();
      await expectRows(db, "SELECT COUNT_IF(TRUE)\n  FROM basic_example;", {
        columns: ["COUNT_IF(TRUE)"],
        rows: [["6"]],
      });
    });

    await t.step("COUNT_IF(j_col > i_col) is 3", async () => {
      await ready();
      await expectRows(db, "SELECT COUNT_IF(j_col > i_col)\n  FROM basic_example;", {
        columns: ["COUNT_IF(J_COL > I_COL)"],
        rows: [["3"]],
      });
    });

    await t.step("COUNT_IF(i_col IS NOT NULL AND j_col IS NOT NULL) is 3", async () => {
      await ready();
      await expectRows(
        db,
        "SELECT COUNT_IF(i_col IS NOT NULL AND j_col IS NOT NULL)\n  FROM basic_example;",
        { columns: ["COUNT_IF(I_COL IS NOT NULL AND J_COL IS NOT NULL)"], rows: [["3"]] },
      );
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/functions/iff
conformance(
  "IFF: expr1 when the condition is TRUE, expr2 when FALSE or NULL",
  async ({ db }, t) => {
    await t.step("IFF(TRUE, 'true', 'false') is true", async () => {
      await expectRows(db, "SELECT IFF(TRUE, 'true', 'false');", {
        columns: ["IFF(TRUE, 'TRUE', 'FALSE')"],
        rows: [["true"]],
      });
    });

    await t.step("IFF(FALSE, 'true', 'false') is false", async () => {
      await expectRows(db, "SELECT IFF(FALSE, 'true', 'false');", {
        columns: ["IFF(FALSE, 'TRUE', 'FALSE')"],
        rows: [["false"]],
      });
    });

    await t.step("IFF(NULL, 'true', 'false') is false", async () => {
      await expectRows(db, "SELECT IFF(NULL, 'true', 'false');", {
        columns: ["IFF(NULL, 'TRUE', 'FALSE')"],
        rows: [["false"]],
      });
    });

    await t.step("IFF(TRUE, NULL, 'false') is NULL", async () => {
      await expectRows(db, "SELECT IFF(TRUE, NULL, 'false');", {
        columns: ["IFF(TRUE, NULL, 'FALSE')"],
        rows: [[null]],
      });
    });

    await t.step(
      "integer or non-integer over VALUES of NUMBER(5,4), ORDER BY DESC puts NULL first",
      async () => {
        await expectRows(
          db,
          `SELECT value, IFF(value::INT = value, 'integer', 'non-integer')
         FROM ( SELECT column1 AS value
                  FROM VALUES(1.0), (1.1), (-3.1415), (-5.000), (NULL) )
         ORDER BY value DESC;`,
          {
            columns: ["VALUE", "IFF(VALUE::INT = VALUE, 'INTEGER', 'NON-INTEGER')"],
            rows: [
              [null, "non-integer"],
              ["1.1000", "non-integer"],
              ["1.0000", "integer"],
              ["-3.1415", "non-integer"],
              ["-5.0000", "integer"],
            ],
          },
        );
      },
    );

    await t.step("High above 50, Low otherwise (and for NULL)", async () => {
      await expectRows(
        db,
        `SELECT value, IFF(value > 50, 'High', 'Low')
       FROM ( SELECT column1 AS value
                FROM VALUES(22), (63), (5), (99), (NULL) );`,
        {
          columns: ["VALUE", "IFF(VALUE > 50, 'HIGH', 'LOW')"],
          rows: [["22", "Low"], ["63", "High"], ["5", "Low"], ["99", "High"], [null, "Low"]],
          ordered: false,
        },
      );
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/functions/greatest
conformance(
  "GREATEST: the largest argument; NULL if any is NULL; widened to FLOAT",
  async ({ db }, t) => {
    const ready = once(async () => {
      await db.runAll([
        `CREATE TABLE test_table_1_greatest (
         col_1 INTEGER,
         col_2 INTEGER,
         col_3 INTEGER,
         col_4 FLOAT);`,
        `INSERT INTO test_table_1_greatest (col_1, col_2, col_3, col_4) VALUES
         (1, 2,    3,  4.00),
         (2, 4,   -1, -2.00),
         (3, 6, NULL, 13.45);`,
      ]);
    });

    await t.step("GREATEST(col_1, col_2, col_3) is 3, 4 and NULL", async () => {
      await ready();
      await expectRows(
        db,
        `SELECT col_1,
              col_2,
              col_3,
              GREATEST(col_1, col_2, col_3) AS greatest
         FROM test_table_1_greatest
         ORDER BY col_1;`,
        {
          columns: ["COL_1", "COL_2", "COL_3", "GREATEST"],
          rows: [["1", "2", "3", "3"], ["2", "4", "-1", "4"], ["3", "6", null, null]],
        },
      );
    });

    await t.step("GREATEST(col_1, col_4) mixes INTEGER and FLOAT", async () => {
      await ready();
      await expectRows(
        db,
        `SELECT col_1,
              col_4,
              GREATEST(col_1, col_4) AS greatest
         FROM test_table_1_greatest
         ORDER BY col_1;`,
        {
          columns: ["COL_1", "COL_4", "GREATEST"],
          rows: [["1", "4", "4"], ["2", "-2", "2"], ["3", "13.45", "13.45"]],
        },
      );
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/functions/least
conformance("LEAST: the smallest argument; NULL if any is NULL", async ({ db }, t) => {
  await t.step("LEAST(1, 3, 0, 4) is 0", async () => {
    await expectRows(db, "SELECT LEAST(1, 3, 0, 4);", {
      columns: ["LEAST(1, 3, 0, 4)"],
      rows: [["0"]],
    });
  });

  await t.step("LEAST over rows of a UNION ALL is 1, -1 and NULL", async () => {
    await expectRows(
      db,
      `SELECT col_1,
              col_2,
              col_3,
              LEAST(col_1, col_2, col_3) AS least
         FROM (SELECT 1 AS col_1, 2 AS col_2, 3 AS col_3
           UNION ALL
           SELECT 2, 4, -1
           UNION ALL
           SELECT 3, 6, NULL);`,
      {
        columns: ["COL_1", "COL_2", "COL_3", "LEAST"],
        rows: [["1", "2", "3", "1"], ["2", "4", "-1", "-1"], ["3", "6", null, null]],
        ordered: false,
      },
    );
  });
});
