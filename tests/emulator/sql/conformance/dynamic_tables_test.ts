/**
 * Dynamic tables: CREATE [OR REPLACE] DYNAMIC TABLE … TARGET_LAG = '<n> <unit>' | DOWNSTREAM
 * WAREHOUSE = w [REFRESH_MODE = AUTO | FULL | INCREMENTAL] [INITIALIZE = ON_CREATE |
 * ON_SCHEDULE] AS …; ALTER DYNAMIC TABLE … REFRESH | SUSPEND | RESUME | SET TARGET_LAG;
 * SHOW DYNAMIC TABLES; TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(…)).
 *
 * Target lags are 10 minutes or more wherever a test needs the table to change only when it
 * says ALTER … REFRESH, so that no scheduled refresh can land in between.
 */
import assert from "node:assert/strict";
import {
  assertHasColumns,
  assertRecord,
  conformance,
  expectRows,
  once,
  records,
  type Session,
} from "./harness.ts";

const DB = "STREAMING_INGEST";
const SCHEMA = "STREAMING_INGEST";

/** Every column the SHOW DYNAMIC TABLES page lists in its Output section. */
const SHOW_DT_COLUMNS = [
  "created_on",
  "name",
  "database_name",
  "schema_name",
  "cluster_by",
  "rows",
  "bytes",
  "owner",
  "target_lag",
  "scheduler",
  "refresh_mode",
  "refresh_mode_reason",
  "warehouse",
  "comment",
  "text",
  "automatic_clustering",
  "scheduling_state",
  "last_suspended_on",
  "is_clone",
  "is_replica",
  "is_iceberg",
  "data_timestamp",
  "owner_role_type",
  "immutable_where",
  "execute_as_user",
];

/** The one row of SHOW DYNAMIC TABLES LIKE '<name>'. */
async function showDynamicTable(db: Session, name: string): Promise<Record<string, string | null>> {
  const r = await db.run(`SHOW DYNAMIC TABLES LIKE '${name}';`);
  const rows = records(r).filter((row) => row.name === name.toUpperCase());
  assert.equal(
    rows.length,
    1,
    `SHOW DYNAMIC TABLES LIKE '${name}' rows: ${JSON.stringify(records(r))}`,
  );
  return rows[0];
}

/** The refresh history of one dynamic table, newest first. */
async function history(db: Session, name: string): Promise<Record<string, string | null>[]> {
  const r = await db.run(`SELECT *
    FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(NAME => '${name}'))
    ORDER BY data_timestamp DESC;`);
  return records(r);
}

// https://docs.snowflake.com/en/sql-reference/sql/create-dynamic-table (Examples; INITIALIZE)
conformance(
  "CREATE DYNAMIC TABLE: initialized on create; listed by SHOW DYNAMIC TABLES",
  async ({ db }, t) => {
    // The page does not show staging_table; any table with these columns will do.
    const ready = once(async () => {
      await db.runAll([
        "CREATE TABLE staging_table (product_id NUMBER, product_name VARCHAR, price NUMBER(10,2));",
        "INSERT INTO staging_table VALUES (1, 'Widget', 9.99), (2, 'Gadget', 19.99);",
      ]);
    });
    const text = `CREATE OR REPLACE DYNAMIC TABLE my_dynamic_table
  TARGET_LAG = '20 minutes'
  WAREHOUSE = mywh
  AS
    SELECT product_id, product_name FROM staging_table;`;

    await t.step(
      "with INITIALIZE = ON_CREATE (the default) it holds the query's rows right after CREATE",
      async () => {
        await ready();
        // INITIALIZE: "ON_CREATE: Refreshes the dynamic table synchronously at creation." Rows
        // computed from staging_table.
        await db.run(text);
        await expectRows(db, "SELECT * FROM my_dynamic_table ORDER BY product_id;", {
          columns: ["PRODUCT_ID", "PRODUCT_NAME"],
          rows: [["1", "Widget"], ["2", "Gadget"]],
        });
      },
    );

    await t.step("SHOW DYNAMIC TABLES has every column its page lists", async () => {
      await ready();
      const r = await db.run("SHOW DYNAMIC TABLES LIKE 'my_dynamic_table';");
      assertHasColumns(r, SHOW_DT_COLUMNS);
    });

    await t.step(
      "…with the table's name, place, target lag, warehouse and ACTIVE state",
      async () => {
        await ready();
        const row = await showDynamicTable(db, "my_dynamic_table");
        assert.deepEqual(
          {
            database_name: row.database_name,
            schema_name: row.schema_name,
            target_lag: row.target_lag,
            warehouse: row.warehouse,
            scheduling_state: row.scheduling_state,
            rows: row.rows,
          },
          {
            database_name: DB,
            schema_name: SCHEMA,
            target_lag: "20 minutes",
            warehouse: "MYWH",
            scheduling_state: "ACTIVE",
            rows: "2",
          },
        );
        // "text: The text of the command that created this dynamic table".
        assert.match(row.text ?? "", /DYNAMIC TABLE my_dynamic_table/i);
      },
    );

    await t.step("SHOW TABLES lists it too, as kind TABLE with is_dynamic Y", async () => {
      await ready();
      // https://docs.snowflake.com/en/release-notes/bcr-bundles/2024_03/bcr-1580
      const r = await db.run("SHOW TABLES LIKE 'my_dynamic_table';");
      assertRecord(r, "name", "MY_DYNAMIC_TABLE", { kind: "TABLE", is_dynamic: "Y" });
    });

    await t.step(
      "the refresh history has the creation's refresh: SUCCEEDED, triggered by CREATION",
      async () => {
        await ready();
        // DYNAMIC_TABLE_REFRESH_HISTORY: REFRESH_TRIGGER "CREATION - refresh performed during the
        // creation DDL statement".
        const rows = await history(db, "MY_DYNAMIC_TABLE");
        assert.ok(rows.length >= 1, "no refresh in the history");
        const creation = rows.filter((r) => r.REFRESH_TRIGGER === "CREATION");
        assert.equal(creation.length, 1, JSON.stringify(rows));
        assert.equal(creation[0].STATE, "SUCCEEDED");
        assert.equal(creation[0].NAME, "MY_DYNAMIC_TABLE");
      },
    );

    await t.step(
      "CREATE OR REPLACE DYNAMIC TABLE replaces the definition and re-initializes",
      async () => {
        await ready();
        // Computed: the page's usage note on OR REPLACE (the new table is created and refreshed,
        // then swapped in).
        await db.run(`CREATE OR REPLACE DYNAMIC TABLE my_dynamic_table
      TARGET_LAG = '20 minutes'
      WAREHOUSE = mywh
      AS
        SELECT product_id, price FROM staging_table WHERE price > 10;`);
        await expectRows(db, "SELECT * FROM my_dynamic_table;", {
          columns: ["PRODUCT_ID", "PRICE"],
          rows: [["2", "19.99"]],
        });
      },
    );
  },
);

// https://docs.snowflake.com/en/user-guide/dynamic-tables/create (tutorial)
// The tutorial uses CREATE OR ALTER DYNAMIC TABLE, which creates the table when it does not
// exist; the contract's CREATE OR REPLACE does the same for a new table, and is used instead.
conformance(
  "Dynamic table pipeline (the Create a dynamic table tutorial), refreshed incrementally",
  async ({ db }, t) => {
    const ready = once(async () => {
      await db.runAll([
        `CREATE OR REPLACE TABLE raw_orders (
          order_id       INT,
          customer_id    INT,
          order_date     TIMESTAMP_NTZ,
          product_name   VARCHAR,
          quantity       INT,
          unit_price     DECIMAL(10,2),
          order_status   VARCHAR,
          CONSTRAINT pk_raw_orders PRIMARY KEY (order_id) RELY
      );`,
        `INSERT INTO raw_orders (order_id, customer_id, order_date, product_name, quantity, unit_price, order_status)
      VALUES
          (1001, 1, '2025-01-15 08:30:00', 'Widget A',  3, 29.99, 'completed'),
          (1002, 2, '2025-01-15 09:45:00', 'Widget B',  1, 49.99, 'completed'),
          (1003, 1, '2025-01-15 14:20:00', 'Widget A',  2, 29.99, 'pending'),
          (1004, 3, '2025-01-16 10:00:00', 'Gadget X',  5, 12.50, 'completed'),
          (1005, 2, '2025-01-16 11:30:00', 'Widget B',  1, 49.99, 'returned');`,
        `CREATE OR REPLACE TABLE dim_customers (
          customer_id    INT,
          customer_name  VARCHAR,
          region         VARCHAR,
          segment        VARCHAR,
          CONSTRAINT pk_dim_customers PRIMARY KEY (customer_id) RELY
      );`,
        `INSERT INTO dim_customers (customer_id, customer_name, region, segment)
      VALUES
          (1, 'Acme Corp',  'US-West',  'Enterprise'),
          (2, 'Globex Inc', 'US-East',  'Mid-Market'),
          (3, 'Initech LLC','EU-West',  'Startup');`,
      ]);
    });

    await t.step(
      "dt_orders with REFRESH_MODE = INCREMENTAL shows refresh_mode INCREMENTAL, ACTIVE",
      async () => {
        await ready();
        await db.run(`CREATE OR REPLACE DYNAMIC TABLE dt_orders
        TARGET_LAG = '10 minutes'
        WAREHOUSE = transform_wh
        REFRESH_MODE = INCREMENTAL
    AS
        SELECT
            order_id,
            customer_id,
            order_date,
            TRIM(UPPER(product_name)) AS product_name,
            quantity,
            unit_price,
            quantity * unit_price AS line_total,
            order_status
        FROM raw_orders
        WHERE order_status != 'returned';`);
        const row = await showDynamicTable(db, "dt_orders");
        assert.deepEqual(
          {
            name: row.name,
            refresh_mode: row.refresh_mode,
            refresh_mode_reason: row.refresh_mode_reason,
            scheduling_state: row.scheduling_state,
            warehouse: row.warehouse,
          },
          {
            name: "DT_ORDERS",
            refresh_mode: "INCREMENTAL",
            refresh_mode_reason: null,
            scheduling_state: "ACTIVE",
            warehouse: "TRANSFORM_WH",
          },
        );
      },
    );

    const daily = "SELECT * FROM dt_orders_daily ORDER BY order_day, region;";
    const dailyColumns = ["ORDER_DAY", "REGION", "SEGMENT", "ORDER_COUNT", "DAILY_REVENUE"];

    await t.step(
      "the downstream dt_orders_daily aggregates daily revenue by region and segment",
      async () => {
        await ready();
        await db.run(`CREATE OR REPLACE DYNAMIC TABLE dt_orders_daily
        TARGET_LAG = '30 minutes'
        WAREHOUSE = transform_wh
        REFRESH_MODE = INCREMENTAL
    AS
        SELECT
            s.order_date::DATE AS order_day,
            c.region,
            c.segment,
            COUNT(*) AS order_count,
            SUM(s.line_total) AS daily_revenue
        FROM dt_orders s
        JOIN dim_customers c ON s.customer_id = c.customer_id
        GROUP BY ALL;`);
        await expectRows(db, daily, {
          columns: dailyColumns,
          rows: [
            ["2025-01-15", "US-East", "Mid-Market", "1", "49.99"],
            ["2025-01-15", "US-West", "Enterprise", "2", "149.95"],
            ["2025-01-16", "EU-West", "Startup", "1", "62.50"],
          ],
        });
      },
    );

    await t.step(
      "the tutorial's refresh history query shows succeeded refreshes of both tables",
      async () => {
        await ready();
        const r = await db.run(`SELECT name, state, state_message,
           refresh_trigger, refresh_action,
           data_timestamp
    FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY())
    WHERE name IN ('DT_ORDERS', 'DT_ORDERS_DAILY')
    ORDER BY data_timestamp DESC
    LIMIT 10;`);
        assert.deepEqual(r.columns.map((c) => c.name), [
          "NAME",
          "STATE",
          "STATE_MESSAGE",
          "REFRESH_TRIGGER",
          "REFRESH_ACTION",
          "DATA_TIMESTAMP",
        ]);
        const names = new Set(records(r).map((row) => row.NAME));
        assert.deepEqual([...names].sort(), ["DT_ORDERS", "DT_ORDERS_DAILY"]);
        for (const row of records(r)) assert.equal(row.STATE, "SUCCEEDED", JSON.stringify(row));
      },
    );

    await t.step(
      "after an insert and ALTER … REFRESH both tables show the new result",
      async () => {
        await ready();
        // Computed: one more completed order for customer 3 (EU-West) on 2025-01-16: 2 x 12.50.
        await db.run(
          `INSERT INTO raw_orders (order_id, customer_id, order_date, product_name, quantity, unit_price, order_status)
      VALUES (1006, 3, '2025-01-16 15:00:00', 'Gadget X', 2, 12.50, 'completed');`,
        );
        await db.run("ALTER DYNAMIC TABLE dt_orders REFRESH;");
        await db.run("ALTER DYNAMIC TABLE dt_orders_daily REFRESH;");
        await expectRows(db, daily, {
          columns: dailyColumns,
          rows: [
            ["2025-01-15", "US-East", "Mid-Market", "1", "49.99"],
            ["2025-01-15", "US-West", "Enterprise", "2", "149.95"],
            ["2025-01-16", "EU-West", "Startup", "2", "87.50"],
          ],
        });
      },
    );

    await t.step(
      "the latest refreshes are INCREMENTAL, triggered MANUAL, and SUCCEEDED",
      async () => {
        await ready();
        // REFRESH_ACTION "INCREMENTAL - normal incremental refresh"; REFRESH_TRIGGER "MANUAL -
        // user/task used ALTER DYNAMIC TABLE <name> REFRESH".
        for (const name of ["DT_ORDERS", "DT_ORDERS_DAILY"]) {
          const [latest] = await history(db, name);
          assert.deepEqual(
            {
              state: latest?.STATE,
              action: latest?.REFRESH_ACTION,
              trigger: latest?.REFRESH_TRIGGER,
            },
            { state: "SUCCEEDED", action: "INCREMENTAL", trigger: "MANUAL" },
            name,
          );
        }
      },
    );

    await t.step(
      "STATISTICS of dt_orders' incremental refresh: 1 row inserted, none deleted",
      async () => {
        await ready();
        // Computed: the refresh added order 1006 and changed nothing else.
        const [latest] = await history(db, "DT_ORDERS");
        const stats = JSON.parse(latest?.STATISTICS ?? "null");
        assert.equal(stats?.numInsertedRows, 1, latest?.STATISTICS ?? "no STATISTICS");
        assert.equal(stats?.numDeletedRows, 0, latest?.STATISTICS ?? "no STATISTICS");
      },
    );

    await t.step("a refresh with no new data is NO_DATA", async () => {
      await ready();
      // REFRESH_ACTION "NO_DATA - no new data in base tables".
      await db.run("ALTER DYNAMIC TABLE dt_orders REFRESH;");
      const [latest] = await history(db, "DT_ORDERS");
      assert.equal(latest?.REFRESH_ACTION, "NO_DATA", JSON.stringify(latest));
      assert.equal(latest?.STATE, "SUCCEEDED");
    });

    await t.step("QUALIFIED_NAME is the fully qualified name", async () => {
      await ready();
      const [latest] = await history(db, "DT_ORDERS");
      assert.equal(latest?.QUALIFIED_NAME, `${DB}.${SCHEMA}.DT_ORDERS`);
      assert.equal(latest?.DATABASE_NAME, DB);
      assert.equal(latest?.SCHEMA_NAME, SCHEMA);
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/functions/dynamic_table_refresh_history
conformance("DYNAMIC_TABLE_REFRESH_HISTORY: the documented columns", async ({ db }, t) => {
  const ready = once(async () => {
    await db.runAll([
      "CREATE TABLE src (k NUMBER, v NUMBER);",
      "INSERT INTO src VALUES (1, 10), (1, 20), (2, 5);",
      `CREATE DYNAMIC TABLE totals
         TARGET_LAG = '10 minutes'
         WAREHOUSE = w
         AS SELECT k, SUM(v) AS total FROM src GROUP BY k;`,
    ]);
  });

  await t.step(
    "NAME, QUALIFIED_NAME, STATE, STATE_MESSAGE, DATA_TIMESTAMP, REFRESH_START_TIME, REFRESH_END_TIME, REFRESH_ACTION, REFRESH_TRIGGER, STATISTICS",
    async () => {
      await ready();
      const r = await db.run(
        "SELECT * FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(NAME => 'TOTALS'));",
      );
      assertHasColumns(r, [
        "NAME",
        "QUALIFIED_NAME",
        "STATE",
        "STATE_MESSAGE",
        "DATA_TIMESTAMP",
        "REFRESH_START_TIME",
        "REFRESH_END_TIME",
        "REFRESH_ACTION",
        "REFRESH_TRIGGER",
        "STATISTICS",
      ]);
    },
  );

  await t.step("…and the other columns of the Output section", async () => {
    await ready();
    const r = await db.run(
      "SELECT * FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(NAME => 'TOTALS'));",
    );
    assertHasColumns(r, [
      "SCHEMA_NAME",
      "DATABASE_NAME",
      "STATE_CODE",
      "QUERY_ID",
      "COMPLETION_TARGET",
      "LAST_COMPLETED_DEPENDENCY",
      "REINIT_REASON",
      "TARGET_LAG_SEC",
      "GRAPH_HISTORY_VALID_FROM",
      "INPUTS_WITH_CHANGED_DATA",
    ]);
  });

  await t.step("NAME => is case-insensitive and accepts a qualified name", async () => {
    await ready();
    // "Names must be single-quoted and are case insensitive. You can specify the unqualified
    // name, the partially qualified name, or the fully qualified name."
    for (const name of ["totals", `${SCHEMA}.TOTALS`, `${DB}.${SCHEMA}.totals`]) {
      const r = await db.run(
        `SELECT name FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(NAME => '${name}'));`,
      );
      assert.ok(r.rows.length >= 1, `no refresh for NAME => '${name}'`);
      for (const row of r.rows) assert.equal(row[0], "TOTALS");
    }
  });

  await t.step(
    "a GROUP BY table refreshed after an insert: new totals, an INCREMENTAL refresh",
    async () => {
      await ready();
      // Computed: k = 2 gets 5 + 7; GROUP BY with SUM is incrementally refreshable (REFRESH_MODE
      // AUTO picks incremental when it is supported).
      await db.run("INSERT INTO src VALUES (2, 7);");
      await db.run("ALTER DYNAMIC TABLE totals REFRESH;");
      await expectRows(db, "SELECT k, total FROM totals ORDER BY k;", {
        columns: ["K", "TOTAL"],
        rows: [["1", "30"], ["2", "12"]],
      });
      const [latest] = await history(db, "TOTALS");
      assert.equal(latest?.REFRESH_ACTION, "INCREMENTAL", JSON.stringify(latest));
    },
  );

  await t.step("ERROR_ONLY => TRUE returns no rows when no refresh failed", async () => {
    await ready();
    await expectRows(
      db,
      `SELECT name, state
         FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(NAME => 'TOTALS', ERROR_ONLY => TRUE));`,
      { columns: ["NAME", "STATE"], rows: [] },
    );
  });
});

// https://docs.snowflake.com/en/sql-reference/sql/alter-dynamic-table (Examples)
// The page prints no outputs; the states asserted are those SHOW DYNAMIC TABLES documents for
// scheduling_state (ACTIVE, SUSPENDED since bundle 2024_02: release-notes/bcr-bundles/2024_02/
// bcr-1543) and target_lag.
conformance("ALTER DYNAMIC TABLE: SET TARGET_LAG, SUSPEND, RESUME, REFRESH", async ({ db }, t) => {
  const ready = once(async () => {
    await db.runAll([
      "CREATE TABLE staging_table (product_id NUMBER, product_name VARCHAR);",
      "INSERT INTO staging_table VALUES (1, 'Widget');",
      `CREATE DYNAMIC TABLE my_dynamic_table
         TARGET_LAG = '20 minutes'
         WAREHOUSE = mywh
         AS SELECT product_id, product_name FROM staging_table;`,
    ]);
  });

  await t.step("SET TARGET_LAG = '1 hour'", async () => {
    await ready();
    await db.run("ALTER DYNAMIC TABLE my_dynamic_table SET\n  TARGET_LAG = '1 hour';");
    assert.equal((await showDynamicTable(db, "my_dynamic_table")).target_lag, "1 hour");
  });

  await t.step("SET TARGET_LAG = DOWNSTREAM", async () => {
    await ready();
    await db.run("ALTER DYNAMIC TABLE my_dynamic_table SET TARGET_LAG = DOWNSTREAM;");
    assert.equal((await showDynamicTable(db, "my_dynamic_table")).target_lag, "DOWNSTREAM");
  });

  await t.step("SUSPEND: scheduling_state SUSPENDED", async () => {
    await ready();
    await db.run("ALTER DYNAMIC TABLE my_dynamic_table SUSPEND;");
    assert.equal((await showDynamicTable(db, "my_dynamic_table")).scheduling_state, "SUSPENDED");
  });

  await t.step("RESUME: scheduling_state ACTIVE", async () => {
    await ready();
    await db.run("ALTER DYNAMIC TABLE my_dynamic_table RESUME;");
    assert.equal((await showDynamicTable(db, "my_dynamic_table")).scheduling_state, "ACTIVE");
  });

  await t.step("REFRESH brings in rows inserted since the last refresh", async () => {
    await ready();
    // Computed from staging_table.
    await db.run("INSERT INTO staging_table VALUES (2, 'Gadget');");
    await db.run("ALTER DYNAMIC TABLE my_dynamic_table REFRESH;");
    await expectRows(db, "SELECT * FROM my_dynamic_table ORDER BY product_id;", {
      columns: ["PRODUCT_ID", "PRODUCT_NAME"],
      rows: [["1", "Widget"], ["2", "Gadget"]],
    });
  });
});

// https://docs.snowflake.com/en/sql-reference/sql/create-dynamic-table (TARGET_LAG: "Must be a
// minimum of 60 seconds.")
conformance("TARGET_LAG below one minute is refused", async ({ db }, t) => {
  const ready = once(async () => {
    await db.runAll(["CREATE TABLE src (id NUMBER);", "INSERT INTO src VALUES (1);"]);
  });

  await t.step("CREATE … TARGET_LAG = '30 seconds' fails, naming the target lag", async () => {
    await ready();
    await db.expectError(
      "CREATE DYNAMIC TABLE too_fast TARGET_LAG = '30 seconds' WAREHOUSE = w AS SELECT id FROM src;",
      { message: /lag/i },
    );
    await db.expectError("SELECT * FROM too_fast;", { code: "002003", sqlState: "42S02" });
  });

  await t.step("TARGET_LAG = '60 seconds' and '1 minute' are accepted", async () => {
    await ready();
    await db.run(
      "CREATE DYNAMIC TABLE just_right TARGET_LAG = '60 seconds' WAREHOUSE = w AS SELECT id FROM src;",
    );
    await db.run(
      "CREATE DYNAMIC TABLE one_minute TARGET_LAG = '1 minute' WAREHOUSE = w AS SELECT id FROM src;",
    );
    await expectRows(db, "SELECT id FROM one_minute;", { columns: ["ID"], rows: [["1"]] });
  });

  await t.step("ALTER … SET TARGET_LAG = '59 seconds' fails and keeps the old lag", async () => {
    await ready();
    await db.expectError("ALTER DYNAMIC TABLE one_minute SET TARGET_LAG = '59 seconds';", {
      message: /lag/i,
    });
    assert.equal((await showDynamicTable(db, "one_minute")).target_lag, "1 minute");
  });
});

// https://docs.snowflake.com/en/sql-reference/sql/create-dynamic-table (REFRESH_MODE, INITIALIZE)
conformance("REFRESH_MODE and INITIALIZE options", async ({ db }, t) => {
  const ready = once(async () => {
    await db.runAll([
      "CREATE TABLE src (k NUMBER, v NUMBER);",
      "INSERT INTO src VALUES (1, 10), (2, 20);",
    ]);
  });

  await t.step(
    "REFRESH_MODE = FULL: SHOW says FULL and a refresh after a change is a FULL refresh",
    async () => {
      await ready();
      // REFRESH_MODE "FULL: Enforces a full refresh of the dynamic table, even if the dynamic table
      // can be incrementally refreshed"; REFRESH_ACTION "FULL - Full refresh".
      await db.run(`CREATE DYNAMIC TABLE full_dt TARGET_LAG = '10 minutes' WAREHOUSE = w
      REFRESH_MODE = FULL AS SELECT k, v FROM src;`);
      assert.equal((await showDynamicTable(db, "full_dt")).refresh_mode, "FULL");
      await db.run("INSERT INTO src VALUES (3, 30);");
      await db.run("ALTER DYNAMIC TABLE full_dt REFRESH;");
      await expectRows(db, "SELECT k, v FROM full_dt ORDER BY k;", {
        columns: ["K", "V"],
        rows: [["1", "10"], ["2", "20"], ["3", "30"]],
      });
      const [latest] = await history(db, "FULL_DT");
      assert.equal(latest?.REFRESH_ACTION, "FULL", JSON.stringify(latest));
    },
  );

  await t.step("REFRESH_MODE = AUTO is accepted and initializes the table", async () => {
    await ready();
    await db.run(`CREATE DYNAMIC TABLE auto_dt TARGET_LAG = '10 minutes' WAREHOUSE = w
      REFRESH_MODE = AUTO AS SELECT k, v FROM src;`);
    await expectRows(db, "SELECT COUNT(*) AS n FROM auto_dt;", { columns: ["N"], rows: [["3"]] });
  });

  await t.step("INITIALIZE = ON_CREATE holds the rows at once", async () => {
    await ready();
    await db.run(`CREATE DYNAMIC TABLE on_create_dt TARGET_LAG = '10 minutes' WAREHOUSE = w
      INITIALIZE = ON_CREATE AS SELECT k, v FROM src;`);
    await expectRows(db, "SELECT COUNT(*) AS n FROM on_create_dt;", {
      columns: ["N"],
      rows: [["3"]],
    });
  });

  await t.step("INITIALIZE = ON_SCHEDULE: not initialized until refreshed", async () => {
    await ready();
    // "No data is populated when the dynamic table is created. If you try to query the table …
    // you might see the following error because the first scheduled refresh has not yet
    // occurred: Dynamic Table is not initialized. Please run a manual refresh or wait for a
    // scheduled refresh before querying." With TARGET_LAG = DOWNSTREAM and nothing downstream,
    // no scheduled refresh ever occurs, so the error is certain here.
    await db.run(`CREATE DYNAMIC TABLE on_schedule_dt TARGET_LAG = DOWNSTREAM WAREHOUSE = w
      INITIALIZE = ON_SCHEDULE AS SELECT k, v FROM src;`);
    await db.expectError("SELECT * FROM on_schedule_dt;", { message: /not initialized/i });
    await db.run("ALTER DYNAMIC TABLE on_schedule_dt REFRESH;");
    await expectRows(db, "SELECT k, v FROM on_schedule_dt ORDER BY k;", {
      columns: ["K", "V"],
      rows: [["1", "10"], ["2", "20"], ["3", "30"]],
    });
  });
});

// https://docs.snowflake.com/en/sql-reference/sql/create-dynamic-table (column list)
conformance(
  "a dynamic table's column list names its columns; SET | UNSET COMMENT",
  async ({ db }) => {
    await db.runAll([
      "CREATE TABLE VISITS (ID INT, WHO VARCHAR);",
      "INSERT INTO VISITS VALUES (1, 'ana'), (2, 'ana'), (3, 'bob');",
      `CREATE DYNAMIC TABLE PER_PERSON (PERSON VARCHAR COMMENT 'who', VISITS)
      TARGET_LAG = '1 minute' WAREHOUSE = WH
      AS SELECT WHO, COUNT(*) FROM VISITS GROUP BY WHO;`,
    ]);
    await expectRows(db, "SELECT PERSON, VISITS FROM PER_PERSON ORDER BY 1", {
      columns: ["PERSON", "VISITS"],
      rows: [["ana", "2"], ["bob", "1"]],
    });
    // An incremental refresh keeps the names too.
    await db.runAll([
      "INSERT INTO VISITS VALUES (4, 'cy');",
      "DELETE FROM VISITS WHERE ID = 1;",
      "ALTER DYNAMIC TABLE PER_PERSON REFRESH;",
    ]);
    await expectRows(db, "SELECT * FROM PER_PERSON ORDER BY 1", {
      rows: [["ana", "1"], ["bob", "1"], ["cy", "1"]],
    });
    await db.run("ALTER DYNAMIC TABLE PER_PERSON SET COMMENT = 'visits per person'");
    await db.run("SHOW DYNAMIC TABLES LIKE 'PER_PERSON'");
    const comment = async () =>
      (await db.run(`SELECT "comment" FROM TABLE(RESULT_SCAN(LAST_QUERY_ID()))`)).rows;
    assert.deepEqual(await comment(), [["visits per person"]]);
    await db.run("ALTER DYNAMIC TABLE PER_PERSON UNSET COMMENT");
    await db.run("SHOW DYNAMIC TABLES LIKE 'PER_PERSON'");
    assert.deepEqual(await comment(), [[""]]);
  },
);
