/**
 * PIVOT and UNPIVOT in FROM, with the examples and outputs of Snowflake's pages:
 * https://docs.snowflake.com/en/sql-reference/constructs/pivot and
 * https://docs.snowflake.com/en/sql-reference/constructs/unpivot.
 */
import { conformance, expectRows, once } from "./harness.ts";

const QUARTERS = ["'2023_Q1'", "'2023_Q2'", "'2023_Q3'", "'2023_Q4'"];

conformance("PIVOT: a column per value, grouped by the other columns", async ({ db }, t) => {
  const ready = once(() =>
    db.runAll([
      "CREATE OR REPLACE TABLE quarterly_sales(\n  empid INT,\n  amount INT,\n  quarter TEXT)",
      `INSERT INTO quarterly_sales VALUES
        (1, 10000, '2023_Q1'), (1, 400, '2023_Q1'), (2, 4500, '2023_Q1'), (2, 35000, '2023_Q1'),
        (1, 5000, '2023_Q2'), (1, 3000, '2023_Q2'), (2, 200, '2023_Q2'), (2, 90500, '2023_Q2'),
        (1, 6000, '2023_Q3'), (1, 5000, '2023_Q3'), (2, 2500, '2023_Q3'), (2, 9500, '2023_Q3'),
        (3, 2700, '2023_Q3'),
        (1, 8000, '2023_Q4'), (1, 10000, '2023_Q4'), (2, 800, '2023_Q4'), (2, 4500, '2023_Q4'),
        (3, 2700, '2023_Q4'), (3, 16000, '2023_Q4'), (3, 10200, '2023_Q4')`,
      `CREATE OR REPLACE TABLE ad_campaign_types_by_quarter(
        quarter VARCHAR, television BOOLEAN, radio BOOLEAN, print_media BOOLEAN)`,
      `INSERT INTO ad_campaign_types_by_quarter VALUES
        ('2023_Q1', TRUE, FALSE, FALSE), ('2023_Q2', FALSE, TRUE, TRUE),
        ('2023_Q3', FALSE, TRUE, FALSE), ('2023_Q4', TRUE, FALSE, TRUE)`,
    ])
  );
  const all = [
    ["1", "10400", "8000", "11000", "18000"],
    ["2", "39500", "90700", "12000", "5300"],
    ["3", null, null, "2700", "28900"],
  ];

  await t.step("listed values: columns named by the values as written", async () => {
    await ready();
    await expectRows(
      db,
      `SELECT * FROM quarterly_sales
         PIVOT(SUM(amount) FOR quarter IN ('2023_Q1', '2023_Q2', '2023_Q3', '2023_Q4'))
         ORDER BY empid`,
      { columns: ["EMPID", ...QUARTERS], rows: all },
    );
  });

  await t.step("IN (ANY ORDER BY …): a column per distinct value", async () => {
    await ready();
    await expectRows(
      db,
      `SELECT * FROM quarterly_sales
         PIVOT(SUM(amount) FOR quarter IN (ANY ORDER BY quarter))
         ORDER BY empid`,
      { columns: ["EMPID", ...QUARTERS], rows: all },
    );
  });

  await t.step("IN (subquery): the values the subquery returns", async () => {
    await ready();
    await expectRows(
      db,
      `SELECT * FROM quarterly_sales
         PIVOT(SUM(amount) FOR quarter IN (
           SELECT DISTINCT quarter FROM ad_campaign_types_by_quarter
           WHERE television = TRUE ORDER BY quarter))
         ORDER BY empid`,
      {
        columns: ["EMPID", "'2023_Q1'", "'2023_Q4'"],
        rows: [["1", "10400", "18000"], ["2", "39500", "5300"], ["3", null, "28900"]],
      },
    );
  });

  await t.step("DEFAULT ON NULL replaces missing combinations", async () => {
    await ready();
    await expectRows(
      db,
      `SELECT * FROM quarterly_sales
         PIVOT(SUM(amount) FOR quarter IN (ANY ORDER BY quarter) DEFAULT ON NULL (0))
         ORDER BY empid`,
      {
        columns: ["EMPID", ...QUARTERS],
        rows: [all[0], all[1], ["3", "0", "0", "2700", "28900"]],
      },
    );
  });

  await t.step("column aliases rename the pivoted columns", async () => {
    await ready();
    await expectRows(
      db,
      `SELECT * FROM quarterly_sales
         PIVOT(SUM(amount) FOR quarter IN ('2023_Q1', '2023_Q2', '2023_Q3', '2023_Q4'))
         AS p (employee, q1, q2, q3, q4)
         ORDER BY employee`,
      { columns: ["EMPLOYEE", "Q1", "Q2", "Q3", "Q4"], rows: all },
    );
  });

  await t.step("a pivoted column is selected by its quoted name", async () => {
    await ready();
    await expectRows(
      db,
      `SELECT empid, "'2023_Q4'" - "'2023_Q1'" AS growth FROM quarterly_sales
         PIVOT(SUM(amount) FOR quarter IN ('2023_Q1', '2023_Q4')) ORDER BY empid`,
      { columns: ["EMPID", "GROWTH"], rows: [["1", "7600"], ["2", "-34200"], ["3", null]] },
    );
  });

  await t.step("a dynamic table over a PIVOT of listed values refreshes FULL", async () => {
    await ready();
    await db.run(
      `CREATE DYNAMIC TABLE q1_sales TARGET_LAG = '1 hour' WAREHOUSE = wh AS
         SELECT * FROM quarterly_sales PIVOT(SUM(amount) FOR quarter IN ('2023_Q1'))`,
    );
    await db.run("SHOW DYNAMIC TABLES LIKE 'Q1_SALES'");
    await expectRows(
      db,
      `SELECT "refresh_mode", CONTAINS("refresh_mode_reason", 'PIVOT')
         FROM TABLE(RESULT_SCAN(LAST_QUERY_ID()))`,
      { rows: [["FULL", "True"]] },
    );
    await expectRows(db, "SELECT * FROM q1_sales ORDER BY empid", {
      rows: [["1", "10400"], ["2", "39500"], ["3", null]],
    });
  });

  await t.step("IN (ANY) in a dynamic table is refused: its columns would go stale", async () => {
    await ready();
    await db.expectError(
      `CREATE DYNAMIC TABLE any_sales TARGET_LAG = '1 hour' WAREHOUSE = wh AS
         SELECT * FROM quarterly_sales PIVOT(SUM(amount) FOR quarter IN (ANY))`,
      { code: "000002", message: "PIVOT … IN (ANY)" },
    );
  });
});

conformance("UNPIVOT: a row per listed column", async ({ db }, t) => {
  const ready = once(() =>
    db.runAll([
      `CREATE OR REPLACE TABLE monthly_sales(
        empid INT, dept TEXT, jan INT, feb INT, mar INT, apr INT)`,
      `INSERT INTO monthly_sales VALUES
        (1, 'electronics', 100, 200, 300, 100), (2, 'clothes', 100, 300, 150, 200),
        (3, 'cars', 200, 400, 100, 50), (4, 'appliances', 100, NULL, 100, 50)`,
    ])
  );

  await t.step("the other columns, the column's name and its value; NULLs left out", async () => {
    await ready();
    await expectRows(
      db,
      `SELECT * FROM monthly_sales
         UNPIVOT (sales FOR month IN (jan, feb, mar, apr))
         ORDER BY empid`,
      {
        columns: ["EMPID", "DEPT", "MONTH", "SALES"],
        rows: [
          ["1", "electronics", "JAN", "100"],
          ["1", "electronics", "FEB", "200"],
          ["1", "electronics", "MAR", "300"],
          ["1", "electronics", "APR", "100"],
          ["2", "clothes", "JAN", "100"],
          ["2", "clothes", "FEB", "300"],
          ["2", "clothes", "MAR", "150"],
          ["2", "clothes", "APR", "200"],
          ["3", "cars", "JAN", "200"],
          ["3", "cars", "FEB", "400"],
          ["3", "cars", "MAR", "100"],
          ["3", "cars", "APR", "50"],
          ["4", "appliances", "JAN", "100"],
          ["4", "appliances", "MAR", "100"],
          ["4", "appliances", "APR", "50"],
        ],
      },
    );
  });

  await t.step("INCLUDE NULLS keeps the NULL values", async () => {
    await ready();
    await expectRows(
      db,
      `SELECT * FROM monthly_sales
         UNPIVOT INCLUDE NULLS (sales FOR month IN (jan, feb, mar, apr))
         WHERE empid = 4 ORDER BY month`,
      {
        columns: ["EMPID", "DEPT", "MONTH", "SALES"],
        rows: [
          ["4", "appliances", "APR", "50"],
          ["4", "appliances", "FEB", null],
          ["4", "appliances", "JAN", "100"],
          ["4", "appliances", "MAR", "100"],
        ],
      },
    );
  });

  await t.step("its columns are qualified by the UNPIVOT's alias", async () => {
    await ready();
    await expectRows(
      db,
      `SELECT u.month, SUM(u.sales) AS total FROM monthly_sales
         UNPIVOT (sales FOR month IN (jan, feb)) AS u
         GROUP BY u.month ORDER BY u.month`,
      { columns: ["MONTH", "TOTAL"], rows: [["FEB", "900"], ["JAN", "500"]] },
    );
  });
});
