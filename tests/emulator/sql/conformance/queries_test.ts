/**
 * Queries: joins, CTEs (plain and recursive), window functions and QUALIFY, GROUP BY (by
 * column, position, ALL and SELECT alias), and `?` / `:n` binds through the SDK.
 *
 * Default NULL ordering is Snowflake's: NULLS LAST for ASC, NULLS FIRST for DESC.
 */
import assert from "node:assert/strict";
import { conformance, expectRows, once } from "./harness.ts";

// https://docs.snowflake.com/en/sql-reference/constructs/join
conformance("JOIN: inner, outer, cross, natural, chained and USING joins", async ({ db }, t) => {
  const ready = once(async () => {
    await db.runAll([
      "CREATE TABLE t1 (col1 INTEGER);",
      "INSERT INTO t1 (col1) VALUES\n  (2),\n  (3),\n  (4);",
      "CREATE TABLE t2 (col1 INTEGER);",
      "INSERT INTO t2 (col1) VALUES\n  (1),\n  (2),\n  (2),\n  (3);",
    ]);
  });
  const cols = ["COL1", "COL1"];

  await t.step("INNER JOIN", async () => {
    await ready();
    await expectRows(
      db,
      "SELECT t1.col1, t2.col1\n  FROM t1 INNER JOIN t2\n    ON t2.col1 = t1.col1\n  ORDER BY 1,2;",
      {
        columns: cols,
        rows: [["2", "2"], ["2", "2"], ["3", "3"]],
      },
    );
  });

  await t.step("LEFT OUTER JOIN: NULL for t1's unmatched row", async () => {
    await ready();
    await expectRows(
      db,
      "SELECT t1.col1, t2.col1\n  FROM t1 LEFT OUTER JOIN t2\n    ON t2.col1 = t1.col1\n  ORDER BY 1,2;",
      {
        columns: cols,
        rows: [["2", "2"], ["2", "2"], ["3", "3"], ["4", null]],
      },
    );
  });

  await t.step("RIGHT OUTER JOIN: NULL for t2's unmatched row, sorted last", async () => {
    await ready();
    await expectRows(
      db,
      "SELECT t1.col1, t2.col1\n  FROM t1 RIGHT OUTER JOIN t2\n    ON t2.col1 = t1.col1\n  ORDER BY 1,2;",
      {
        columns: cols,
        rows: [["2", "2"], ["2", "2"], ["3", "3"], [null, "1"]],
      },
    );
  });

  await t.step("FULL OUTER JOIN: both unmatched rows", async () => {
    await ready();
    await expectRows(
      db,
      "SELECT t1.col1, t2.col1\n  FROM t1 FULL OUTER JOIN t2\n    ON t2.col1 = t1.col1\n  ORDER BY 1,2;",
      {
        columns: cols,
        rows: [["2", "2"], ["2", "2"], ["3", "3"], ["4", null], [null, "1"]],
      },
    );
  });

  await t.step("CROSS JOIN: the Cartesian product", async () => {
    await ready();
    await expectRows(db, "SELECT t1.col1, t2.col1\n  FROM t1 CROSS JOIN t2\n  ORDER BY 1, 2;", {
      columns: cols,
      rows: [
        ["2", "1"],
        ["2", "2"],
        ["2", "2"],
        ["2", "3"],
        ["3", "1"],
        ["3", "2"],
        ["3", "2"],
        ["3", "3"],
        ["4", "1"],
        ["4", "2"],
        ["4", "2"],
        ["4", "3"],
      ],
    });
  });

  await t.step("CROSS JOIN filtered by WHERE", async () => {
    await ready();
    await expectRows(
      db,
      "SELECT t1.col1, t2.col1\n  FROM t1 CROSS JOIN t2\n  WHERE t2.col1 = t1.col1\n  ORDER BY 1, 2;",
      {
        columns: cols,
        rows: [["2", "2"], ["2", "2"], ["3", "3"]],
      },
    );
  });

  await t.step("NATURAL INNER JOIN keeps one copy of the join column", async () => {
    await ready();
    await db.runAll([
      "CREATE OR REPLACE TABLE d1 (\n  id NUMBER,\n  name VARCHAR);",
      "INSERT INTO d1 (id, name) VALUES\n  (1,'a'),\n  (2,'b'),\n  (4,'c');",
      "CREATE OR REPLACE TABLE d2 (\n  id NUMBER,\n  value VARCHAR);",
      "INSERT INTO d2 (id, value) VALUES\n  (1,'xx'),\n  (2,'yy'),\n  (5,'zz');",
    ]);
    await expectRows(db, "SELECT *\n  FROM d1 NATURAL INNER JOIN d2\n  ORDER BY id;", {
      columns: ["ID", "NAME", "VALUE"],
      rows: [["1", "a", "xx"], ["2", "b", "yy"]],
    });
  });

  await t.step("NATURAL FULL OUTER JOIN", async () => {
    await ready();
    await expectRows(db, "SELECT *\n  FROM d1 NATURAL FULL OUTER JOIN d2\n  ORDER BY id;", {
      columns: ["ID", "NAME", "VALUE"],
      rows: [["1", "a", "xx"], ["2", "b", "yy"], ["4", "c", null], ["5", null, "zz"]],
    });
  });

  await t.step("chained LEFT then RIGHT OUTER JOIN, evaluated left to right", async () => {
    await ready();
    await db.runAll([
      "CREATE TABLE t3 (col1 INTEGER);",
      "INSERT INTO t3 (col1) VALUES\n  (2),\n  (6);",
    ]);
    await expectRows(
      db,
      `SELECT t1.*, t2.*, t3.*
         FROM t1
           LEFT OUTER JOIN t2 ON (t1.col1 = t2.col1)
           RIGHT OUTER JOIN t3 ON (t3.col1 = t2.col1)
         ORDER BY t1.col1;`,
      {
        columns: ["COL1", "COL1", "COL1"],
        rows: [["2", "2", "2"], ["2", "2", "2"], [null, null, "6"]],
      },
    );
  });

  await t.step("a parenthesized RIGHT OUTER JOIN runs first", async () => {
    await ready();
    await expectRows(
      db,
      `SELECT t1.*, t2.*, t3.*
       FROM t1
         LEFT OUTER JOIN
           (t2 RIGHT OUTER JOIN t3 ON (t3.col1 = t2.col1))
         ON (t1.col1 = t2.col1)
       ORDER BY t1.col1;`,
      {
        columns: ["COL1", "COL1", "COL1"],
        rows: [["2", "2", "2"], ["2", "2", "2"], ["3", null, null], ["4", null, null]],
      },
    );
  });

  await t.step("USING with SELECT * returns the join column once", async () => {
    await ready();
    await expectRows(
      db,
      `WITH
         l AS (
              SELECT 'a' AS userid
              ),
         r AS (
              SELECT 'b' AS userid
              )
       SELECT *
         FROM l LEFT JOIN r USING(userid);`,
      { columns: ["USERID"], rows: [["a"]] },
    );
  });

  await t.step("USING with named columns returns both sides", async () => {
    await ready();
    await expectRows(
      db,
      `WITH
         l AS (
              SELECT 'a' AS userid
            ),
         r AS (
              SELECT 'b' AS userid
              )
       SELECT l.userid as UI_L,
              r.userid as UI_R
         FROM l LEFT JOIN r USING(userid);`,
      { columns: ["UI_L", "UI_R"], rows: [["a", null]] },
    );
  });
  // The page's DIRECTED JOIN and FIRST(…) read-order examples are left out: they change only the
  // scan order, and are not in the emulator's contract.
});

// https://docs.snowflake.com/en/sql-reference/constructs/with
conformance("WITH: recursive CTEs", async ({ db }, t) => {
  await t.step("a recursive CTE generates the Fibonacci numbers below 100", async () => {
    await expectRows(
      db,
      `WITH RECURSIVE current_f (current_val, previous_val) AS
           (
           SELECT 0, 1
           UNION ALL
           SELECT current_val + previous_val, current_val FROM current_f
             WHERE current_val + previous_val < 100
           )
         SELECT current_val FROM current_f ORDER BY current_val;`,
      {
        columns: ["CURRENT_VAL"],
        rows: [["0"], ["1"], ["1"], ["2"], ["3"], ["5"], ["8"], ["13"], ["21"], ["34"], ["55"], [
          "89",
        ]],
      },
    );
  });

  await t.step(
    "a recursion without end fails at the iteration cap, not runs for ever",
    async () => {
      await db.expectError(
        "WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r) SELECT COUNT(*) FROM r",
        { code: "100189", message: "Recursion exceeded max iteration count (100)" },
      );
      // A hundred iterations are allowed: 101 rows with the anchor's.
      await expectRows(
        db,
        "WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 101) " +
          "SELECT COUNT(*), MAX(n) FROM r",
        { rows: [["101", "101"]] },
      );
      // The session is free for the next statement.
      await expectRows(db, "SELECT 1", { rows: [["1"]] });
    },
  );

  await t.step("a recursive CTE walks a parts explosion, ordered by a built sort key", async () => {
    await db.runAll([
      `CREATE TABLE components (
           description VARCHAR,
           component_ID INTEGER,
           quantity INTEGER,
           parent_component_ID INTEGER
           );`,
      `INSERT INTO components (description, quantity, component_ID, parent_component_ID) VALUES
           ('car', 1, 1, 0),
              ('wheel', 4, 11, 1),
                 ('tire', 1, 111, 11),
                 ('#112 bolt', 5, 112, 11),
                 ('brake', 1, 113, 11),
                    ('brake pad', 1, 1131, 113),
              ('engine', 1, 12, 1),
                 ('piston', 4, 121, 12),
                 ('cylinder block', 1, 122, 12),
                 ('#112 bolt', 16, 112, 12)   -- Can use same type of bolt in multiple places
           ;`,
    ]);
    await expectRows(
      db,
      `WITH RECURSIVE current_layer (indent, layer_ID, parent_component_ID, component_id, description, sort_key) AS (
         SELECT
             '...',
             1,
             parent_component_ID,
             component_id,
             description,
             '0001'
           FROM components WHERE component_id = 1
         UNION ALL
         SELECT indent || '...',
             layer_ID + 1,
             components.parent_component_ID,
             components.component_id,
             components.description,
             sort_key || SUBSTRING('000' || components.component_ID, -4)
           FROM current_layer JOIN components
             ON (components.parent_component_id = current_layer.component_id)
         )
       SELECT
         -- The indentation gives us a sort of "side-ways tree" view, with
         -- sub-components indented under their respective components.
         indent || description AS description,
         component_id,
         parent_component_ID
         -- The layer_ID and sort_key are useful for debugging, but not
         -- needed in the report.
       --  , layer_ID, sort_key
         FROM current_layer
         ORDER BY sort_key;`,
      {
        columns: ["DESCRIPTION", "COMPONENT_ID", "PARENT_COMPONENT_ID"],
        rows: [
          ["...car", "1", "0"],
          ["......wheel", "11", "1"],
          [".........tire", "111", "11"],
          [".........#112 bolt", "112", "11"],
          [".........brake", "113", "11"],
          ["............brake pad", "1131", "113"],
          ["......engine", "12", "1"],
          [".........#112 bolt", "112", "12"],
          [".........piston", "121", "12"],
          [".........cylinder block", "122", "12"],
        ],
      },
    );
  });
  // The page's non-recursive examples (music_albums, musicians, …) are left out: the page omits
  // the statements that create and load their tables.
});

// https://docs.snowflake.com/en/sql-reference/constructs/qualify
conformance(
  "QUALIFY: filters on window functions, by expression or by alias",
  async ({ db }, t) => {
    await t.step("loading qt inserts 4 rows", async () => {
      await db.run("CREATE TABLE qt (i INTEGER, p CHAR(1), o INTEGER);");
      await expectRows(
        db,
        "INSERT INTO qt (i, p, o) VALUES\n  (1, 'A', 1),\n  (2, 'A', 2),\n  (3, 'B', 1),\n  (4, 'B', 2);",
        { columns: ["number of rows inserted"], rows: [["4"]] },
      );
    });

    await t.step("nesting instead of QUALIFY: the first row of each partition", async () => {
      await expectRows(
        db,
        `SELECT *
         FROM (
           SELECT i, p, o, ROW_NUMBER() OVER (PARTITION BY p ORDER BY o) AS row_num
             FROM qt)
         WHERE row_num = 1;`,
        {
          columns: ["I", "P", "O", "ROW_NUM"],
          rows: [["1", "A", "1", "1"], ["3", "B", "1", "1"]],
          ordered: false,
        },
      );
    });

    await t.step("QUALIFY ROW_NUMBER() OVER (…) = 1", async () => {
      await expectRows(
        db,
        "SELECT i, p, o\n  FROM qt\n  QUALIFY ROW_NUMBER() OVER (PARTITION BY p ORDER BY o) = 1;",
        { columns: ["I", "P", "O"], rows: [["1", "A", "1"], ["3", "B", "1"]], ordered: false },
      );
    });

    await t.step("QUALIFY on a window function's SELECT alias", async () => {
      await expectRows(
        db,
        "SELECT i, p, o, ROW_NUMBER() OVER (PARTITION BY p ORDER BY o) AS row_num\n  FROM qt\n  QUALIFY row_num = 1;",
        {
          columns: ["I", "P", "O", "ROW_NUM"],
          rows: [["1", "A", "1", "1"], ["3", "B", "1", "1"]],
          ordered: false,
        },
      );
    });

    await t.step("without QUALIFY every row is returned with its ROW_NUMBER", async () => {
      await expectRows(
        db,
        "SELECT i, p, o, ROW_NUMBER() OVER (PARTITION BY p ORDER BY o) AS row_num\n  FROM qt;",
        {
          columns: ["I", "P", "O", "ROW_NUM"],
          rows: [["1", "A", "1", "1"], ["2", "A", "2", "2"], ["3", "B", "1", "1"], [
            "4",
            "B",
            "2",
            "2",
          ]],
          ordered: false,
        },
      );
    });
    // The page's last example (QUALIFY with HAVING and a subquery) prints no output.
  },
);

// https://docs.snowflake.com/en/sql-reference/functions/rank
conformance(
  "RANK / DENSE_RANK: window functions over all rows and per partition",
  async ({ db }, t) => {
    const ready = once(async () => {
      await db.runAll([
        "CREATE OR REPLACE TABLE corn_production (farmer_id INTEGER, state VARCHAR, bushels FLOAT);",
        `INSERT INTO corn_production (farmer_id, state, bushels) VALUES
         (1, 'Iowa', 100),
         (2, 'Iowa', 110),
         (3, 'Kansas', 120),
         (4, 'Kansas', 130);`,
      ]);
    });

    await t.step("rank over all rows, highest first", async () => {
      await ready();
      await expectRows(
        db,
        `SELECT state, bushels,
           RANK() OVER (ORDER BY bushels DESC),
           DENSE_RANK() OVER (ORDER BY bushels DESC)
         FROM corn_production;`,
        {
          columns: [
            "STATE",
            "BUSHELS",
            "RANK() OVER (ORDER BY BUSHELS DESC)",
            "DENSE_RANK() OVER (ORDER BY BUSHELS DESC)",
          ],
          rows: [
            ["Kansas", "130", "1", "1"],
            ["Kansas", "120", "2", "2"],
            ["Iowa", "110", "3", "3"],
            ["Iowa", "100", "4", "4"],
          ],
          ordered: false,
        },
      );
    });

    await t.step("rank within each state", async () => {
      await ready();
      await expectRows(
        db,
        `SELECT state, bushels,
           RANK() OVER (PARTITION BY state ORDER BY bushels DESC),
           DENSE_RANK() OVER (PARTITION BY state ORDER BY bushels DESC)
         FROM corn_production;`,
        {
          columns: [
            "STATE",
            "BUSHELS",
            "RANK() OVER (PARTITION BY STATE ORDER BY BUSHELS DESC)",
            "DENSE_RANK() OVER (PARTITION BY STATE ORDER BY BUSHELS DESC)",
          ],
          rows: [
            ["Iowa", "110", "1", "1"],
            ["Iowa", "100", "2", "2"],
            ["Kansas", "130", "1", "1"],
            ["Kansas", "120", "2", "2"],
          ],
          ordered: false,
        },
      );
    });

    await t.step("ties: RANK skips to 5, DENSE_RANK goes on to 4", async () => {
      await ready();
      await db.run(
        "INSERT INTO corn_production (farmer_id, state, bushels) VALUES\n  (5, 'Iowa', 110);",
      );
      await expectRows(
        db,
        `SELECT state, bushels,
           RANK() OVER (ORDER BY bushels DESC),
           DENSE_RANK() OVER (ORDER BY bushels DESC)
         FROM corn_production;`,
        {
          columns: [
            "STATE",
            "BUSHELS",
            "RANK() OVER (ORDER BY BUSHELS DESC)",
            "DENSE_RANK() OVER (ORDER BY BUSHELS DESC)",
          ],
          rows: [
            ["Kansas", "130", "1", "1"],
            ["Kansas", "120", "2", "2"],
            ["Iowa", "110", "3", "3"],
            ["Iowa", "110", "3", "3"],
            ["Iowa", "100", "5", "4"],
          ],
          ordered: false,
        },
      );
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/functions/sum (window frames)
// The page's cumulative example is left out: it orders each partition by o, which has ties
// (p = 100, o = 2 and o = 3; p = 200, o = 1 and o = 3), so its ROWS frames, and the printed
// running values, depend on an order the query leaves open. Partition p = 0 has no ties; its
// rows are the page's, except the averages' scale: the page prints 10.000, but AVG of integers
// has six decimals, as the executed examples of Snowpark's avg() and mean() show (1.666667,
// 3.600000: https://docs.snowflake.com/en/developer-guide/snowpark/reference/python/1.8.0/api/snowflake.snowpark.functions.avg.html).
conformance(
  "Window frames: running COUNT, SUM, AVG, MIN, MAX over ROWS UNBOUNDED PRECEDING",
  async ({ db }, t) => {
    const ready = once(async () => {
      await db.runAll([
        "CREATE OR REPLACE TABLE example_cumulative (p INT, o INT, i INT);",
        `INSERT INTO example_cumulative VALUES
         (  0, 1, 10), (0, 2, 20), (0, 3, 30),
         (100, 1, 10), (100, 2, 30), (100, 2, 5), (100, 3, 11), (100, 3, 120),
         (200, 1, 10000), (200, 1, 200), (200, 1, 808080), (200, 2, 33333), (200, 3, NULL), (200, 3, 4),
         (300, 1, NULL), (300, 1, NULL);`,
      ]);
    });

    await t.step(
      "partition p = 0: counts 1..3, sums 10, 30, 60, averages 10, 15, 20 with six decimals",
      async () => {
        await ready();
        await expectRows(
          db,
          `SELECT * FROM (
         SELECT
           p, o, i,
           COUNT(i) OVER (PARTITION BY p ORDER BY o ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS count_i_rows_pre,
           SUM(i)   OVER (PARTITION BY p ORDER BY o ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS sum_i_rows_pre,
           AVG(i)   OVER (PARTITION BY p ORDER BY o ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS avg_i_rows_pre,
           MIN(i)   OVER (PARTITION BY p ORDER BY o ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS min_i_rows_pre,
           MAX(i)   OVER (PARTITION BY p ORDER BY o ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS max_i_rows_pre
         FROM example_cumulative)
       WHERE p IN (0, 300)
       ORDER BY p, o;`,
          {
            columns: [
              "P",
              "O",
              "I",
              "COUNT_I_ROWS_PRE",
              "SUM_I_ROWS_PRE",
              "AVG_I_ROWS_PRE",
              "MIN_I_ROWS_PRE",
              "MAX_I_ROWS_PRE",
            ],
            rows: [
              ["0", "1", "10", "1", "10", "10.000000", "10", "10"],
              ["0", "2", "20", "2", "30", "15.000000", "10", "20"],
              ["0", "3", "30", "3", "60", "20.000000", "10", "30"],
              ["300", "1", null, "0", null, null, null, null],
              ["300", "1", null, "0", null, null, null, null],
            ],
          },
        );
      },
    );
  },
);

// https://docs.snowflake.com/en/sql-reference/constructs/group-by
conformance(
  "GROUP BY: by column, several columns, ALL, SELECT alias; column names win over aliases",
  async ({ db }, t) => {
    const ready = once(async () => {
      await db.runAll([
        `CREATE TABLE sales (
         product_ID INTEGER,
         retail_price REAL,
         quantity INTEGER,
         city VARCHAR,
         state VARCHAR);`,
        `INSERT INTO sales (product_id, retail_price, quantity, city, state) VALUES
         (1, 2.00,  1, 'SF', 'CA'),
         (1, 2.00,  2, 'SJ', 'CA'),
         (2, 5.00,  4, 'SF', 'CA'),
         (2, 5.00,  8, 'SJ', 'CA'),
         (2, 5.00, 16, 'Miami', 'FL'),
         (2, 5.00, 32, 'Orlando', 'FL'),
         (2, 5.00, 64, 'SJ', 'PR');`,
        `CREATE TABLE products (
         product_ID INTEGER,
         wholesale_price REAL);`,
        "INSERT INTO products (product_ID, wholesale_price) VALUES (1, 1.00);",
        "INSERT INTO products (product_ID, wholesale_price) VALUES (2, 2.00);",
      ]);
      await db.runAll([
        "CREATE TABLE employees (salary FLOAT, state VARCHAR, employment_state VARCHAR);",
        `INSERT INTO employees (salary, state, employment_state) VALUES
         (60000, 'California', 'Active'),
         (70000, 'California', 'On leave'),
         (80000, 'Oregon', 'Active');`,
      ]);
    });

    await t.step("gross revenue per product", async () => {
      await ready();
      await expectRows(
        db,
        "SELECT product_ID, SUM(retail_price * quantity) AS gross_revenue\n  FROM sales\n  GROUP BY product_ID;",
        {
          columns: ["PRODUCT_ID", "GROSS_REVENUE"],
          rows: [["1", "6"], ["2", "620"]],
          ordered: false,
        },
      );
    });

    await t.step("net profit per product over an implicit join", async () => {
      await ready();
      await expectRows(
        db,
        `SELECT p.product_ID, SUM((s.retail_price - p.wholesale_price) * s.quantity) AS profit
         FROM products AS p, sales AS s
         WHERE s.product_ID = p.product_ID
         GROUP BY p.product_ID;`,
        { columns: ["PRODUCT_ID", "PROFIT"], rows: [["1", "3"], ["2", "372"]], ordered: false },
      );
    });

    // The page's header for the next two reads "GROSS REVENUE", which the alias gross_revenue
    // cannot produce; only the rows are asserted.
    const byStateCity = [
      ["CA", "SF", "22"],
      ["CA", "SJ", "44"],
      ["FL", "Miami", "80"],
      ["FL", "Orlando", "160"],
      ["PR", "SJ", "320"],
    ];

    await t.step("gross revenue per state and city", async () => {
      await ready();
      await expectRows(
        db,
        "SELECT state, city, SUM(retail_price * quantity) AS gross_revenue\n  FROM sales\n  GROUP BY state, city;",
        { rows: byStateCity, ordered: false },
      );
    });

    await t.step("GROUP BY ALL groups by every non-aggregate SELECT item", async () => {
      await ready();
      await expectRows(
        db,
        "SELECT state, city, SUM(retail_price * quantity) AS gross_revenue\n  FROM sales\n  GROUP BY ALL;",
        { rows: byStateCity, ordered: false },
      );
    });

    await t.step("GROUP BY a SELECT alias of an expression", async () => {
      await ready();
      // Computed from the page's data; the page documents `groupItem ::= { <column_alias> |
      // <position> | <expr> }` but prints no example of an alias of an expression.
      await expectRows(
        db,
        `SELECT IFF(state = 'CA', 'California', 'Elsewhere') AS region, SUM(quantity) AS units
         FROM sales
         GROUP BY region
         ORDER BY region;`,
        { columns: ["REGION", "UNITS"], rows: [["California", "15"], ["Elsewhere", "112"]] },
      );
    });

    await t.step("GROUP BY a position in the SELECT list", async () => {
      await ready();
      // Computed from the page's data (`<position>` in the syntax).
      await expectRows(db, "SELECT state, COUNT(*) AS n FROM sales GROUP BY 1 ORDER BY 1;", {
        columns: ["STATE", "N"],
        rows: [["CA", "4"], ["FL", "2"], ["PR", "1"]],
      });
    });

    await t.step("salaries per employment state", async () => {
      await ready();
      await expectRows(
        db,
        "SELECT SUM(salary), ANY_VALUE(employment_state)\n  FROM employees\n  GROUP BY employment_state;",
        {
          columns: ["SUM(SALARY)", "ANY_VALUE(EMPLOYMENT_STATE)"],
          rows: [["140000", "Active"], ["70000", "On leave"]],
          ordered: false,
        },
      );
    });

    await t.step(
      "an alias named like a column groups by the column (state), not the alias",
      async () => {
        await ready();
        await expectRows(
          db,
          "SELECT SUM(salary), ANY_VALUE(employment_state) AS state\n  FROM employees\n  GROUP BY state;",
          {
            columns: ["SUM(SALARY)", "STATE"],
            rows: [["130000", "Active"], ["80000", "Active"]],
            ordered: false,
          },
        );
      },
    );
  },
);

// https://docs.snowflake.com/en/developer-guide/node-js/nodejs-driver-execute (Binding statement parameters)
conformance("Binds: ? and :n placeholders bound by the SDK", async ({ db }, t) => {
  // The page says the three forms give "the same result"; that result (one row, C1 = 1) is
  // computed from the statement.
  await t.step("the statement without binds returns C1 = 1", async () => {
    await expectRows(db, "SELECT c1 FROM (SELECT 1 AS c1 UNION ALL SELECT 2 AS c1) WHERE c1 = 1;", {
      columns: ["C1"],
      rows: [["1"]],
    });
  });

  await t.step(":1 and :2 with binds [1, 2] return the same", async () => {
    await expectRows(
      db,
      "SELECT c1 FROM (SELECT :1 AS c1 UNION ALL SELECT :2 AS c1) WHERE c1 = :1;",
      { columns: ["C1"], rows: [["1"]] },
      [1, 2],
    );
  });

  await t.step("? with binds [1, 2, 1] return the same", async () => {
    await expectRows(
      db,
      "SELECT c1 FROM (SELECT ? AS c1 UNION ALL SELECT ? AS c1) WHERE c1 = ?;",
      { columns: ["C1"], rows: [["1"]] },
      [1, 2, 1],
    );
  });

  await t.step("text, boolean, NULL and decimal binds compare like literals", async () => {
    // Computed: liftline binds strings and booleans in WHERE clauses.
    await db.runAll([
      "CREATE TABLE bind_t (name VARCHAR, pass BOOLEAN, price NUMBER(7,2));",
      "INSERT INTO bind_t VALUES ('Vail', FALSE, 10.50), ('Vail', TRUE, 99.00), ('Aspen', FALSE, NULL);",
    ]);
    await expectRows(
      db,
      "SELECT name, pass, price FROM bind_t WHERE name = ? AND pass = ? ORDER BY price",
      { columns: ["NAME", "PASS", "PRICE"], rows: [["Vail", "False", "10.50"]] },
      ["Vail", false],
    );
    await expectRows(
      db,
      "SELECT COUNT(*) AS n FROM bind_t WHERE price = ? OR (price IS NULL AND ? IS NULL)",
      // 99.00 matches 99; the NULL bind makes the Aspen row (NULL price) match too.
      { columns: ["N"], rows: [["2"]] },
      [99, null],
    );
  });

  await t.step("an array of rows binds a bulk INSERT", async () => {
    // The page's bulk-insert example; the inserted rows are computed from its binds.
    await db.run("CREATE TABLE t(c1 NUMBER, c2 VARCHAR, c3 FLOAT);");
    const inserted = await db.run("INSERT INTO t(c1, c2, c3) values(?, ?, ?)", [
      [1, "string1", 2.0],
      [2, "string2", 4.0],
      [3, "string3", 6.0],
    ]);
    // One statement: it reports every row it inserted, not the last row's count.
    assert.deepEqual(inserted.rows, [["3"]]);
    await expectRows(db, "SELECT * FROM t ORDER BY c1", {
      columns: ["C1", "C2", "C3"],
      rows: [["1", "string1", "2"], ["2", "string2", "4"], ["3", "string3", "6"]],
    });
    // Numbered placeholders, and more rows than one multi-row statement holds.
    const many = Array.from({ length: 5_001 }, (_, i) => [i, `s${i}`, i / 2]);
    const more = await db.run("INSERT INTO t (c1, c2, c3) VALUES (:1, :2, :3)", many);
    assert.deepEqual(more.rows, [["5001"]]);
    await expectRows(
      db,
      "SELECT COUNT(*), SUM(c1), MAX(c2), SUM(c3) FROM t WHERE c2 NOT LIKE 'string%'",
      {
        columns: ["COUNT(*)", "SUM(C1)", "MAX(C2)", "SUM(C3)"],
        rows: [["5001", "12502500", "s999", "6251250"]],
      },
    );
    // INSERT OVERWRITE with array binds replaces the table with every bound row, not the last few.
    const replaced = await db.run("INSERT OVERWRITE INTO t (c1, c2, c3) VALUES (?, ?, ?)", many);
    assert.deepEqual(replaced.rows, [["5001"]]);
    await expectRows(db, "SELECT COUNT(*), MIN(c1), MAX(c1) FROM t", {
      columns: ["COUNT(*)", "MIN(C1)", "MAX(C1)"],
      rows: [["5001", "0", "5000"]],
    });
  });
});

// https://docs.snowflake.com/en/sql-reference/sql/select (a column without an alias is named by
// its expression, upper-cased, as the arithmetic pages show: `n1 * n2` comes back as `N1 * N2`)
conformance(
  "SELECT: a column without an alias is named by its whole expression",
  async ({ db }, t) => {
    const ready = once(async () => {
      await db.runAll([
        "CREATE TABLE named (x NUMBER, d TIMESTAMP_NTZ, v VARIANT);",
        `INSERT INTO named SELECT 2, '2026-01-31 10:00:00', PARSE_JSON('{"user": {"name": "a"}}');`,
      ]);
    });

    await t.step("calls, casts, IS [NOT] NULL, CASE and subqueries keep every token", async () => {
      await ready();
      const r = await db.run(`SELECT SUBSTR('abcdef', 2, 3), TRIM(' x '), CAST(d AS DATE),
      x::FLOAT::VARCHAR, x IS NOT NULL, NULL IS NULL, COUNT(DISTINCT x),
      CASE WHEN x > 1 THEN 'a' END, EXTRACT(month FROM d), v:user.name,
      (SELECT MAX(x) FROM named), DATEADD(day, 1, d)
      FROM named GROUP BY ALL`);
      assert.deepEqual(r.columns.map((c) => c.name), [
        "SUBSTR('ABCDEF', 2, 3)",
        "TRIM(' X ')",
        "CAST(D AS DATE)",
        "X::FLOAT::VARCHAR",
        "X IS NOT NULL",
        "NULL IS NULL",
        "COUNT(DISTINCT X)",
        "CASE WHEN X > 1 THEN 'A' END",
        "EXTRACT(MONTH FROM D)",
        "V:USER.NAME",
        "(SELECT MAX(X) FROM NAMED)",
        "DATEADD(DAY, 1, D)",
      ]);
    });

    await t.step("DISTINCT and a comment before the item are not part of its name", async () => {
      await ready();
      const r = await db.run("SELECT DISTINCT x + 1, /* note */ x * 2 FROM named");
      assert.deepEqual(r.columns.map((c) => c.name), ["X + 1", "X * 2"]);
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/constructs/order-by
conformance(
  "ORDER BY: a name both joined tables have means the output column",
  async ({ db }, t) => {
    await t.step("ORDER BY cust_id after SELECT c.cust_id … JOIN sales s", async () => {
      await db.runAll([
        "CREATE TABLE customers (cust_id NUMBER, name VARCHAR);",
        "CREATE TABLE sales (cust_id NUMBER, amount NUMBER);",
        "INSERT INTO customers VALUES (2, 'b'), (1, 'a');",
        "INSERT INTO sales VALUES (1, 10), (2, 20);",
      ]);
      await expectRows(
        db,
        `SELECT c.cust_id, s.amount FROM customers c JOIN sales s ON s.cust_id = c.cust_id
       ORDER BY cust_id`,
        { columns: ["CUST_ID", "AMOUNT"], rows: [["1", "10"], ["2", "20"]] },
      );
    });

    await t.step("a name no output column has is still ambiguous", async () => {
      await db.expectError(
        "SELECT c.name FROM customers c JOIN sales s ON s.cust_id = c.cust_id ORDER BY cust_id",
        { code: "002028", sqlState: "42601", message: /ambiguous column name 'CUST_ID'/ },
      );
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/functions/like and …/functions/like_any
conformance("LIKE … ESCAPE and LIKE ANY", async ({ db }, t) => {
  const ready = once(async () => {
    await db.runAll([
      "CREATE OR REPLACE TABLE like_example (subject VARCHAR(20));",
      `INSERT INTO like_example VALUES
         ('John  Dddoe'), ('Joe   Doe'), ('John_down'), ('Joe down'), ('Tom   Doe'),
         ('Tim down'), (NULL);`,
    ]);
  });

  await t.step("ESCAPE '^' makes ^_ a literal underscore: John_down", async () => {
    await ready();
    await expectRows(
      db,
      "SELECT subject FROM like_example WHERE subject LIKE '%J%h%^_do%' ESCAPE '^' ORDER BY 1;",
      { rows: [["John_down"]] },
    );
  });

  await t.step("LIKE ANY ('%Jo%oe%', 'T%e') matches either pattern", async () => {
    await ready();
    await expectRows(
      db,
      "SELECT * FROM like_example WHERE subject LIKE ANY ('%Jo%oe%','T%e') ORDER BY subject;",
      { columns: ["SUBJECT"], rows: [["Joe   Doe"], ["John  Dddoe"], ["Tom   Doe"]] },
    );
  });

  await t.step("ILIKE ANY ignores case", async () => {
    await ready();
    await expectRows(
      db,
      "SELECT COUNT(*) FROM like_example WHERE subject ILIKE ANY ('%DOWN', 'x');",
      { rows: [["3"]] },
    );
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/flatten (the OUTER examples)
conformance("FLATTEN: OUTER => TRUE keeps an input with nothing to expand", async ({ db }, t) => {
  await t.step("[] gives no row, and one row of NULLs with OUTER => TRUE", async () => {
    await expectRows(db, "SELECT * FROM TABLE(FLATTEN(input => PARSE_JSON('[]'))) f;", {
      rows: [],
    });
    await expectRows(
      db,
      "SELECT * FROM TABLE(FLATTEN(input => PARSE_JSON('[]'), outer => true)) f;",
      {
        columns: ["SEQ", "KEY", "PATH", "INDEX", "VALUE", "THIS"],
        rows: [["1", null, null, null, null, "[]"]],
      },
    );
  });

  await t.step("in a comma join, rows with an empty array are kept", async () => {
    await db.runAll([
      "CREATE TABLE orders_json (id NUMBER, payload VARIANT);",
      `INSERT INTO orders_json SELECT 1, PARSE_JSON('{"items":[1,2]}')
         UNION ALL SELECT 2, PARSE_JSON('{"items":[]}') UNION ALL SELECT 3, PARSE_JSON('{}');`,
    ]);
    await expectRows(
      db,
      `SELECT o.id, f.index, f.value::NUMBER
         FROM orders_json o, LATERAL FLATTEN(input => o.payload:items, OUTER => TRUE) f
         ORDER BY 1, 2;`,
      { rows: [["1", "0", "1"], ["1", "1", "2"], ["2", null, null], ["3", null, null]] },
    );
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/flatten (the PATH, MODE and RECURSIVE
// examples)
conformance("FLATTEN: PATH, MODE and RECURSIVE", async ({ db }, t) => {
  const input = `PARSE_JSON('{"a":1, "b":[77,88], "c": {"d":"X"}}')`;
  await t.step("PATH flattens the element at the path, and paths start with it", async () => {
    await expectRows(
      db,
      `SELECT key, path, index, value FROM TABLE(FLATTEN(input => ${input}, path => 'b')) f;`,
      { rows: [[null, "b[0]", "0", "77"], [null, "b[1]", "1", "88"]] },
    );
  });
  await t.step("a VARIANT reads as Snowflake prints it: two-space indents", async () => {
    await expectRows(
      db,
      `SELECT PARSE_JSON('{"a":1,"e":[],"o":{"p":[true]},"s":"two  spaces    kept"}');`,
      {
        rows: [[
          '{\n  "a": 1,\n  "e": [],\n  "o": {\n    "p": [\n      true\n    ]\n  },\n' +
          '  "s": "two  spaces    kept"\n}',
        ]],
      },
    );
  });
  await t.step("RECURSIVE flattens every nested element, in document order", async () => {
    await expectRows(
      db,
      `SELECT key, path, index, value FROM TABLE(FLATTEN(input => ${input}, recursive => true)) f;`,
      {
        rows: [
          ["a", "a", null, "1"],
          // Semi-structured values come pretty-printed, as Snowflake sends them.
          ["b", "b", null, "[\n  77,\n  88\n]"],
          [null, "b[0]", "0", "77"],
          [null, "b[1]", "1", "88"],
          ["c", "c", null, '{\n  "d": "X"\n}'],
          ["d", "c.d", null, '"X"'],
        ],
      },
    );
  });
  await t.step("MODE => 'OBJECT' expands objects only; 'ARRAY' arrays only", async () => {
    await expectRows(
      db,
      `SELECT path FROM TABLE(FLATTEN(input => ${input}, recursive => true, mode => 'object')) f;`,
      { rows: [["a"], ["b"], ["c"], ["c.d"]] },
    );
    await expectRows(
      db,
      `SELECT COUNT(*) FROM TABLE(FLATTEN(input => ${input}, mode => 'array')) f;`,
      { rows: [["0"]] },
    );
  });
});

// Generated SQL (a dbt union of many sources, a long list of conditions) runs as written.
conformance(
  "long generated statements: 500 UNION ALL branches, 250 ORed conditions",
  async ({ db }, t) => {
    await t.step("500 UNION ALL branches", async () => {
      const union = Array.from({ length: 500 }, (_, i) => `SELECT ${i} AS x`).join(" UNION ALL ");
      await expectRows(db, `SELECT COUNT(*), SUM(x) FROM (${union})`, {
        rows: [["500", "124750"]],
      });
    });
    await t.step("250 ORed equalities", async () => {
      const ors = Array.from({ length: 250 }, (_, i) => `x = ${i * 2}`).join(" OR ");
      await expectRows(
        db,
        `SELECT COUNT(*) FROM (SELECT SEQ4() AS x FROM TABLE(GENERATOR(ROWCOUNT => 1000))) WHERE ${ors}`,
        { rows: [["250"]] },
      );
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/operators-subquery (ANY / ALL),
// https://docs.snowflake.com/en/sql-reference/functions/like_all and IN with rows
conformance(
  "ANY and ALL of a subquery, LIKE ALL, and rows IN a list of rows",
  async ({ db }, t) => {
    const ready = once(() =>
      db.runAll([
        "CREATE TABLE anyall (x NUMBER, s VARCHAR)",
        "INSERT INTO anyall VALUES (1, 'abc'), (2, 'abd'), (5, 'xyz')",
      ])
    );
    await t.step("= ANY and > ALL compare with each row of the subquery", async () => {
      await ready();
      await expectRows(
        db,
        "SELECT x FROM anyall WHERE x = ANY (SELECT x FROM anyall WHERE x > 1) ORDER BY x",
        { rows: [["2"], ["5"]] },
      );
      await expectRows(
        db,
        "SELECT x FROM anyall WHERE x > ALL (SELECT x FROM anyall WHERE x < 5) ORDER BY x",
        { rows: [["5"]] },
      );
      // ALL of no rows is true.
      await expectRows(
        db,
        "SELECT COUNT(*) FROM anyall WHERE x >= ALL (SELECT x FROM anyall WHERE 1 = 0)",
        { rows: [["3"]] },
      );
    });
    await t.step("LIKE ALL matches every pattern; ILIKE ALL ignores case", async () => {
      await ready();
      await expectRows(db, "SELECT s FROM anyall WHERE s LIKE ALL ('a%', '%c')", {
        rows: [["abc"]],
      });
      await expectRows(db, "SELECT s FROM anyall WHERE s ILIKE ALL ('A%', '%D')", {
        rows: [["abd"]],
      });
    });
    await t.step("(a, b) IN ((…), (…)) compares rows", async () => {
      await ready();
      await expectRows(
        db,
        "SELECT x FROM anyall WHERE (x, s) IN ((1, 'abc'), (5, 'nope'), (2, 'abd')) ORDER BY x",
        { rows: [["1"], ["2"]] },
      );
      await expectRows(
        db,
        "SELECT x FROM anyall WHERE (x, s) NOT IN ((1, 'abc')) ORDER BY x",
        { rows: [["2"], ["5"]] },
      );
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/operators-query (UNION [ALL] BY NAME)
conformance("UNION [ALL] BY NAME matches columns by name", async ({ db }, t) => {
  await t.step("the first query's order; the second's columns found by name", async () => {
    await expectRows(db, "SELECT 1 AS a, 2 AS b UNION ALL BY NAME SELECT 3 AS b, 4 AS a", {
      columns: ["A", "B"],
      rows: [["1", "2"], ["4", "3"]],
      ordered: false,
    });
    await expectRows(db, "SELECT 1 AS a, 2 AS b UNION BY NAME SELECT 2 AS b, 1 AS a", {
      rows: [["1", "2"]],
    });
  });
  await t.step("a column one query lacks is NULL in its rows", async () => {
    await expectRows(
      db,
      "SELECT 1 AS a UNION ALL BY NAME SELECT 5 AS c, 6 AS a ORDER BY a",
      { columns: ["A", "C"], rows: [["1", null], ["6", "5"]] },
    );
  });
});

// https://docs.snowflake.com/en/sql-reference/constructs/top_n
conformance("TOP n: the first n rows after ORDER BY", async ({ db }, t) => {
  await t.step("SELECT TOP 2 … ORDER BY, and TOP inside a subquery", async () => {
    await db.runAll([
      "CREATE TABLE top_t (id NUMBER);",
      "INSERT INTO top_t VALUES (3), (1), (2);",
    ]);
    await expectRows(db, "SELECT TOP 2 id FROM top_t ORDER BY id;", { rows: [["1"], ["2"]] });
    await expectRows(db, "SELECT TOP 1 id FROM top_t ORDER BY id DESC;", { rows: [["3"]] });
    await expectRows(db, "SELECT COUNT(*) FROM (SELECT TOP 2 id FROM top_t);", { rows: [["2"]] });
  });
});

// https://docs.snowflake.com/en/sql-reference/constructs/sample
conformance(
  "SAMPLE / TABLESAMPLE: a fraction of the rows, or a number of them",
  async ({ db }, t) => {
    const ready = once(async () => {
      await db.run(
        "CREATE TABLE sample_t AS SELECT SEQ4() AS n FROM TABLE(GENERATOR(ROWCOUNT => 10000));",
      );
    });

    await t.step("SAMPLE (10 ROWS) is exactly 10 rows; (0) none; (100) all", async () => {
      await ready();
      await expectRows(db, "SELECT COUNT(*) FROM sample_t SAMPLE (10 ROWS);", { rows: [["10"]] });
      await expectRows(db, "SELECT COUNT(*) FROM sample_t SAMPLE (0);", { rows: [["0"]] });
      await expectRows(db, "SELECT COUNT(*) FROM sample_t SAMPLE (100);", { rows: [["10000"]] });
    });

    await t.step("a subquery in FROM samples too, with or without an alias", async () => {
      await ready();
      await expectRows(db, "SELECT COUNT(*) FROM (SELECT * FROM sample_t) SAMPLE (10 ROWS);", {
        rows: [["10"]],
      });
      await expectRows(
        db,
        "SELECT COUNT(*) FROM (SELECT * FROM sample_t WHERE n > 0) AS s SAMPLE (7 ROWS);",
        { rows: [["7"]] },
      );
    });

    await t.step("SAMPLE (10): about a tenth, each row with its own chance", async () => {
      await ready();
      const r = await db.run("SELECT COUNT(*) FROM sample_t TABLESAMPLE BERNOULLI (10);");
      const n = Number(r.rows[0][0]);
      assert.ok(n > 800 && n < 1200, `${n} rows of 10,000`);
    });

    await t.step("the same SEED gives the same sample", async () => {
      await ready();
      const q = "SELECT SUM(n) FROM sample_t SAMPLE BERNOULLI (5) SEED (42);";
      assert.deepEqual((await db.run(q)).rows, (await db.run(q)).rows);
    });
  },
);
