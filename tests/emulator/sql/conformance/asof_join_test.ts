/**
 * ASOF JOIN … MATCH_CONDITION (left.t {>= | > | <= | <} right.t) [ON … | USING (…)]: for each left
 * row, the one right row closest in time that meets the condition (among those equal on the ON or
 * USING columns); the right columns are NULL when there is none. The expected rows below are
 * worked out by hand from that rule (the page's own example tables are not reproduced here).
 */
import { conformance, expectRows, once } from "./harness.ts";

// https://docs.snowflake.com/en/sql-reference/constructs/asof-join
conformance("ASOF JOIN takes the closest earlier or later row", async ({ db }, t) => {
  const ready = once(async () => {
    await db.runAll([
      "CREATE TABLE prices (product VARCHAR, start_date DATE, price NUMBER(8,2))",
      `INSERT INTO prices VALUES ('p', '2024-09-01', 100), ('p', '2024-09-03', 105),
         ('p', '2024-09-07', 110), ('p', '2024-09-09', 115), ('q', '2024-09-05', 9.99)`,
      "CREATE TABLE sales (sale_id INT, product VARCHAR, sale_date DATE, quantity INT)",
      `INSERT INTO sales VALUES (0, 'p', '2024-08-31', 5), (1, 'p', '2024-09-01', 10),
         (2, 'p', '2024-09-02', 20), (3, 'p', '2024-09-03', 30), (7, 'p', '2024-09-07', 20),
         (10, 'p', '2024-09-10', 70), (11, 'q', '2024-09-06', 1), (12, 'q', '2024-09-01', 2)`,
    ]);
  });

  await t.step(">= with ON: the latest price at or before the sale, else NULLs", async () => {
    await ready();
    await expectRows(
      db,
      `SELECT s.sale_id, p.start_date, p.price FROM sales s ASOF JOIN prices p
         MATCH_CONDITION (s.sale_date >= p.start_date) ON s.product = p.product
       ORDER BY s.sale_id`,
      {
        columns: ["SALE_ID", "START_DATE", "PRICE"],
        rows: [
          ["0", null, null],
          ["1", "2024-09-01", "100.00"],
          ["2", "2024-09-01", "100.00"],
          ["3", "2024-09-03", "105.00"],
          ["7", "2024-09-07", "110.00"],
          ["10", "2024-09-09", "115.00"],
          ["11", "2024-09-05", "9.99"],
          ["12", null, null],
        ],
      },
    );
  });

  await t.step("> is strictly earlier; USING names the key once", async () => {
    await ready();
    await expectRows(
      db,
      `SELECT s.sale_id, product, p.price FROM sales s ASOF JOIN prices p
         MATCH_CONDITION (s.sale_date > p.start_date) USING (product) ORDER BY s.sale_id`,
      {
        columns: ["SALE_ID", "PRODUCT", "PRICE"],
        rows: [
          ["0", "p", null],
          ["1", "p", null],
          ["2", "p", "100.00"],
          ["3", "p", "100.00"],
          ["7", "p", "105.00"],
          ["10", "p", "115.00"],
          ["11", "q", "9.99"],
          ["12", "q", null],
        ],
      },
    );
  });

  await t.step("<= takes the closest row at or after", async () => {
    await ready();
    await expectRows(
      db,
      `SELECT s.sale_id, p.price FROM sales s ASOF JOIN prices p
         MATCH_CONDITION ((s.sale_date <= p.start_date)) ON s.product = p.product
       ORDER BY s.sale_id`,
      {
        columns: ["SALE_ID", "PRICE"],
        rows: [
          ["0", "100.00"],
          ["1", "100.00"],
          ["2", "105.00"],
          ["3", "105.00"],
          ["7", "110.00"],
          ["10", null],
          ["11", null],
          ["12", "9.99"],
        ],
      },
    );
  });

  await t.step("aggregates over it are exact; = is refused", async () => {
    await ready();
    await expectRows(
      db,
      `SELECT SUM(s.quantity * p.price) AS revenue FROM sales s ASOF JOIN prices p
         MATCH_CONDITION (s.sale_date >= p.start_date) ON s.product = p.product`,
      { columns: ["REVENUE"], rows: [["16409.99"]] },
    );
    await db.expectError(
      `SELECT * FROM sales s ASOF JOIN prices p MATCH_CONDITION (s.sale_date = p.start_date)`,
      { message: "MATCH_CONDITION" },
    );
  });

  await t.step("a dynamic table over it refreshes in full, and says why", async () => {
    await ready();
    await db.run(`CREATE DYNAMIC TABLE revenue TARGET_LAG = '1 minute' WAREHOUSE = w AS
      SELECT s.product, SUM(s.quantity * p.price) AS rev FROM sales s ASOF JOIN prices p
        MATCH_CONDITION (s.sale_date >= p.start_date) ON s.product = p.product
      GROUP BY s.product`);
    await expectRows(db, "SELECT * FROM revenue ORDER BY product", {
      columns: ["PRODUCT", "REV"],
      rows: [["p", "16400.00"], ["q", "9.99"]],
    });
    await db.run("SHOW DYNAMIC TABLES LIKE 'REVENUE'");
    await expectRows(
      db,
      `SELECT "refresh_mode", "refresh_mode_reason" FROM TABLE(RESULT_SCAN(LAST_QUERY_ID()))`,
      {
        columns: ["refresh_mode", "refresh_mode_reason"],
        rows: [[
          "FULL",
          "The definition uses an ASOF JOIN, which incremental refresh does not support.",
        ]],
      },
    );
  });
});
