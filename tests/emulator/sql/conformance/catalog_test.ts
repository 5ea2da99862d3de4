/**
 * The catalog: SHOW TABLES (with is_dynamic), SHOW VIEWS, DESCRIBE TABLE, the Information
 * Schema's TABLES, COLUMNS and VIEWS, and RESULT_SCAN of an earlier result (by LAST_QUERY_ID()
 * or by query ID). SHOW outputs are asserted by the column names the doc pages list and the
 * values that do not depend on time (no created_on, bytes or owner).
 */
import assert from "node:assert/strict";
import {
  assertHasColumns,
  assertRecord,
  columnNames,
  conformance,
  expectRows,
  once,
  records,
} from "./harness.ts";

const DB = "STREAMING_INGEST";
const SCHEMA = "STREAMING_INGEST";

// https://docs.snowflake.com/en/sql-reference/sql/show-tables (Output)
// https://docs.snowflake.com/en/release-notes/bcr-bundles/2024_03/bcr-1580 (is_dynamic)
conformance(
  "SHOW TABLES: the documented columns; dynamic tables listed as TABLE with is_dynamic Y",
  async ({ db }, t) => {
    const ready = once(async () => {
      await db.runAll([
        "CREATE TABLE plain_t (id NUMBER, amount NUMBER(10,2));",
        "INSERT INTO plain_t VALUES (1, 2.50), (2, 3.50);",
        `CREATE DYNAMIC TABLE dyn_t
         TARGET_LAG = '1 minute'
         WAREHOUSE = w
         AS SELECT id, amount FROM plain_t;`,
      ]);
    });

    await t.step("SHOW TABLES has the columns of the Output section, and is_dynamic", async () => {
      await ready();
      const r = await db.run("SHOW TABLES LIKE 'PLAIN_T';");
      // Every column of the page's Output table except dropped_on (only with HISTORY) and
      // automatic_clustering (only where Automatic Clustering is enabled for the account).
      assertHasColumns(r, [
        "created_on",
        "name",
        "database_name",
        "schema_name",
        "kind",
        "comment",
        "cluster_by",
        "rows",
        "bytes",
        "owner",
        "retention_time",
        "change_tracking",
        "search_optimization",
        "search_optimization_progress",
        "search_optimization_bytes",
        "is_external",
        "enable_schema_evolution",
        "owner_role_type",
        "is_event",
        "is_hybrid",
        "is_iceberg",
        "is_immutable",
        "is_dynamic",
      ]);
      assert.deepEqual(columnNames(r).slice(0, 11), [
        "created_on",
        "name",
        "database_name",
        "schema_name",
        "kind",
        "comment",
        "cluster_by",
        "rows",
        "bytes",
        "owner",
        "retention_time",
      ]);
    });

    await t.step("a regular table: kind TABLE, is_dynamic N, its row count", async () => {
      await ready();
      const r = await db.run("SHOW TABLES LIKE 'plain_t';");
      assertRecord(r, "name", "PLAIN_T", {
        database_name: DB,
        schema_name: SCHEMA,
        kind: "TABLE",
        rows: "2",
        is_dynamic: "N",
        is_external: "N",
        is_iceberg: "N",
        is_hybrid: "N",
      });
    });

    await t.step("a dynamic table: kind TABLE, is_dynamic Y", async () => {
      await ready();
      const r = await db.run("SHOW TABLES LIKE 'dyn_t';");
      assertRecord(r, "name", "DYN_T", { kind: "TABLE", is_dynamic: "Y" });
    });

    await t.step("SHOW TABLES LIKE is case-insensitive and matches % wildcards", async () => {
      await ready();
      // From the page's LIKE parameter: "case-insensitive pattern matching, with support for SQL
      // wildcard characters (% and _)".
      const r = await db.run("SHOW TABLES LIKE '%_T';");
      const names = records(r).map((row) => row.name).sort();
      assert.ok(names.includes("PLAIN_T") && names.includes("DYN_T"), JSON.stringify(names));
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/sql/show-views (Output)
conformance(
  "SHOW VIEWS: the documented columns, kind VIEW, the comment and CREATE text",
  async ({ db }, t) => {
    const ready = once(async () => {
      await db.runAll([
        "CREATE TABLE mytable (col1 NUMBER, col2 VARCHAR);",
        "CREATE VIEW myview COMMENT='Test view' AS SELECT col1, col2 FROM mytable;",
      ]);
    });

    await t.step("SHOW VIEWS has the columns of the Output section", async () => {
      await ready();
      const r = await db.run("SHOW VIEWS LIKE 'myview';");
      assertHasColumns(r, [
        "created_on",
        "name",
        "reserved",
        "kind",
        "database_name",
        "schema_name",
        "owner",
        "comment",
        "text",
        "is_secure",
        "is_materialized",
        "owner_role_type",
        "change_tracking",
      ]);
    });

    await t.step(
      "MYVIEW: kind VIEW, not secure, not materialized, its comment and text",
      async () => {
        await ready();
        const r = await db.run("SHOW VIEWS LIKE 'myview';");
        assertRecord(r, "name", "MYVIEW", {
          kind: "VIEW",
          database_name: DB,
          schema_name: SCHEMA,
          comment: "Test view",
          text: "CREATE VIEW myview COMMENT='Test view' AS SELECT col1, col2 FROM mytable",
          is_secure: "false",
          is_materialized: "false",
        });
      },
    );
  },
);

// https://docs.snowflake.com/en/sql-reference/sql/desc-table
conformance(
  "DESCRIBE TABLE: one row per column with type, nullability, default, keys, comment",
  async ({ db }, t) => {
    const ready = once(async () => {
      await db.run(`CREATE OR REPLACE TABLE desc_example(
      c1 INT PRIMARY KEY,
      c2 INT,
      c3 INT UNIQUE,
      c4 VARCHAR(30) DEFAULT 'Not applicable' COMMENT 'This column is rarely populated',
      c5 VARCHAR(100));`);
    });

    await t.step("DESCRIBE TABLE desc_example prints the page's five rows", async () => {
      await ready();
      const r = await db.run("DESCRIBE TABLE desc_example;");
      const names = [
        "name",
        "type",
        "kind",
        "null?",
        "default",
        "primary key",
        "unique key",
        "check",
        "expression",
        "comment",
        "policy name",
        "privacy domain",
      ];
      assert.deepEqual(columnNames(r).slice(0, names.length), names);
      assert.deepEqual(r.rows.map((row) => row.slice(0, names.length)), [
        ["C1", "NUMBER(38,0)", "COLUMN", "N", null, "Y", "N", null, null, null, null, null],
        ["C2", "NUMBER(38,0)", "COLUMN", "Y", null, "N", "N", null, null, null, null, null],
        ["C3", "NUMBER(38,0)", "COLUMN", "Y", null, "N", "Y", null, null, null, null, null],
        [
          "C4",
          "VARCHAR(30)",
          "COLUMN",
          "Y",
          "'Not applicable'",
          "N",
          "N",
          null,
          null,
          "This column is rarely populated",
          null,
          null,
        ],
        ["C5", "VARCHAR(100)", "COLUMN", "Y", null, "N", "N", null, null, null, null, null],
      ]);
    });

    await t.step("DESC TABLE is the same command", async () => {
      await ready();
      // DESC is DESCRIBE's abbreviation on the same page.
      const r = await db.run("DESC TABLE desc_example;");
      assert.equal(r.rows.length, 5);
      assert.deepEqual(r.rows.map((row) => row[0]), ["C1", "C2", "C3", "C4", "C5"]);
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/info-schema/tables
conformance(
  "INFORMATION_SCHEMA.TABLES: tables, views and dynamic tables of the database",
  async ({ db }, t) => {
    const ready = once(async () => {
      await db.runAll([
        "CREATE TABLE it_table (id NUMBER);",
        "INSERT INTO it_table VALUES (1), (2), (3);",
        "CREATE VIEW it_view AS SELECT id FROM it_table;",
        "CREATE DYNAMIC TABLE it_dynamic TARGET_LAG = '1 minute' WAREHOUSE = w AS SELECT id FROM it_table;",
      ]);
    });

    await t.step(
      "the page's example query (bytes per schema) runs and lists INFORMATION_SCHEMA too",
      async () => {
        await ready();
        const r = await db.run(`SELECT table_schema, SUM(bytes)
      FROM ${DB}.INFORMATION_SCHEMA.TABLES
      GROUP BY TABLE_SCHEMA;`);
        assert.deepEqual(columnNames(r), ["TABLE_SCHEMA", "SUM(BYTES)"]);
        const schemas = r.rows.map((row) => row[0]);
        // "displays a row for each table and view ..., including the views in the
        // INFORMATION_SCHEMA schema itself."
        assert.ok(schemas.includes(SCHEMA), JSON.stringify(schemas));
        assert.ok(schemas.includes("INFORMATION_SCHEMA"), JSON.stringify(schemas));
      },
    );

    await t.step(
      "TABLE_TYPE is BASE TABLE or VIEW; IS_DYNAMIC is YES only for the dynamic table",
      async () => {
        await ready();
        // The page's valid TABLE_TYPE values have no kind of their own for dynamic tables: a dynamic
        // table is a BASE TABLE told apart by IS_DYNAMIC (as SHOW TABLES prints kind TABLE for it).
        await expectRows(
          db,
          `SELECT table_catalog, table_schema, table_name, table_type, is_dynamic
         FROM INFORMATION_SCHEMA.TABLES
         WHERE table_schema = '${SCHEMA}' AND table_name IN ('IT_TABLE', 'IT_VIEW', 'IT_DYNAMIC')
         ORDER BY table_name;`,
          {
            columns: ["TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "TABLE_TYPE", "IS_DYNAMIC"],
            rows: [
              [DB, SCHEMA, "IT_DYNAMIC", "BASE TABLE", "YES"],
              [DB, SCHEMA, "IT_TABLE", "BASE TABLE", "NO"],
              [DB, SCHEMA, "IT_VIEW", "VIEW", "NO"],
            ],
          },
        );
      },
    );

    await t.step("ROW_COUNT is the table's number of rows", async () => {
      await ready();
      await expectRows(
        db,
        `SELECT row_count FROM INFORMATION_SCHEMA.TABLES
         WHERE table_schema = '${SCHEMA}' AND table_name = 'IT_TABLE';`,
        { columns: ["ROW_COUNT"], rows: [["3"]] },
      );
    });

    await t.step("the view has the columns the page lists", async () => {
      await ready();
      const r = await db.run(
        `SELECT * FROM INFORMATION_SCHEMA.TABLES WHERE table_name = 'IT_TABLE';`,
      );
      assertHasColumns(r, [
        "TABLE_CATALOG",
        "TABLE_SCHEMA",
        "TABLE_NAME",
        "TABLE_OWNER",
        "TABLE_TYPE",
        "IS_TRANSIENT",
        "CLUSTERING_KEY",
        "ROW_COUNT",
        "BYTES",
        "RETENTION_TIME",
        "CREATED",
        "LAST_ALTERED",
        "LAST_DDL",
        "LAST_DDL_BY",
        "AUTO_CLUSTERING_ON",
        "COMMENT",
        "IS_TEMPORARY",
        "IS_ICEBERG",
        "IS_DYNAMIC",
        "IS_IMMUTABLE",
        "IS_HYBRID",
      ]);
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/info-schema/columns
conformance(
  "INFORMATION_SCHEMA.COLUMNS: one row per column with position, nullability and type",
  async ({ db }, t) => {
    // The page's example looks up table_name = 'myTable', which matches a table created with that
    // quoted (case-sensitive) name.
    const ready = once(async () => {
      await db.run(
        `CREATE TABLE "myTable" (id NUMBER NOT NULL, name VARCHAR(30), price NUMBER(7,2));`,
      );
    });

    await t.step("SELECT * … WHERE table_name = 'myTable' returns its three columns", async () => {
      await ready();
      const r = await db.run(
        "SELECT *\n    FROM INFORMATION_SCHEMA.COLUMNS WHERE table_name = 'myTable';",
      );
      assert.equal(r.rows.length, 3);
      assertHasColumns(r, [
        "TABLE_CATALOG",
        "TABLE_SCHEMA",
        "TABLE_NAME",
        "COLUMN_NAME",
        "ORDINAL_POSITION",
        "COLUMN_DEFAULT",
        "IS_NULLABLE",
        "DATA_TYPE",
        "CHARACTER_MAXIMUM_LENGTH",
        "CHARACTER_OCTET_LENGTH",
        "NUMERIC_PRECISION",
        "NUMERIC_PRECISION_RADIX",
        "NUMERIC_SCALE",
        "IS_IDENTITY",
        "IDENTITY_START",
        "IDENTITY_INCREMENT",
        "IDENTITY_ORDERED",
        "COMMENT",
      ]);
    });

    await t.step(
      "positions, IS_NULLABLE YES/NO, NUMBER precision and scale, text length",
      async () => {
        await ready();
        // Values from the page's column descriptions ('YES' if the column may contain NULL; the
        // NUMBER columns' precision and scale as DESCRIBE prints them; the length of VARCHAR(30)).
        await expectRows(
          db,
          `SELECT column_name, ordinal_position, is_nullable, numeric_precision, numeric_scale,
              character_maximum_length
         FROM INFORMATION_SCHEMA.COLUMNS
         WHERE table_name = 'myTable'
         ORDER BY ordinal_position;`,
          {
            columns: [
              "COLUMN_NAME",
              "ORDINAL_POSITION",
              "IS_NULLABLE",
              "NUMERIC_PRECISION",
              "NUMERIC_SCALE",
              "CHARACTER_MAXIMUM_LENGTH",
            ],
            rows: [
              ["ID", "1", "NO", "38", "0", null],
              ["NAME", "2", "YES", null, null, "30"],
              ["PRICE", "3", "YES", "7", "2", null],
            ],
          },
        );
      },
    );

    await t.step("DATA_TYPE of a NUMBER column is NUMBER", async () => {
      await ready();
      await expectRows(
        db,
        "SELECT data_type FROM INFORMATION_SCHEMA.COLUMNS WHERE table_name = 'myTable' AND column_name = 'ID';",
        { columns: ["DATA_TYPE"], rows: [["NUMBER"]] },
      );
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/info-schema/views
conformance(
  "INFORMATION_SCHEMA.VIEWS: one row per view with its definition and comment",
  async ({ db }, t) => {
    const ready = once(async () => {
      await db.runAll([
        "CREATE TABLE mytable (col1 NUMBER, col2 VARCHAR);",
        "CREATE VIEW myview COMMENT='Test view' AS SELECT col1, col2 FROM mytable;",
      ]);
    });

    await t.step("MYVIEW is listed with its query text and comment", async () => {
      await ready();
      const r = await db.run(
        `SELECT table_catalog, table_schema, table_name, view_definition, comment
      FROM INFORMATION_SCHEMA.VIEWS WHERE table_name = 'MYVIEW';`,
      );
      assert.equal(r.rows.length, 1);
      const [row] = records(r);
      assert.equal(row.TABLE_CATALOG, DB);
      assert.equal(row.TABLE_SCHEMA, SCHEMA);
      assert.equal(row.COMMENT, "Test view");
      // "Text of the view's query expression".
      assert.match(row.VIEW_DEFINITION ?? "", /SELECT col1, col2 FROM mytable/);
    });

    await t.step("the view has the columns the page lists", async () => {
      await ready();
      const r = await db.run("SELECT * FROM INFORMATION_SCHEMA.VIEWS WHERE table_name = 'MYVIEW';");
      assertHasColumns(r, [
        "TABLE_CATALOG",
        "TABLE_SCHEMA",
        "TABLE_NAME",
        "TABLE_OWNER",
        "VIEW_DEFINITION",
        "CHECK_OPTION",
        "IS_UPDATABLE",
        "INSERTABLE_INTO",
        "IS_SECURE",
        "CREATED",
        "LAST_ALTERED",
        "LAST_DDL",
        "LAST_DDL_BY",
        "COMMENT",
      ]);
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/functions/result_scan
conformance(
  "RESULT_SCAN: an earlier result as a table, by LAST_QUERY_ID() or by query ID",
  async ({ db }, t) => {
    await t.step("the values greater than 1 of the last result", async () => {
      await expectRows(db, "SELECT $1 AS value FROM VALUES (1), (2), (3);", {
        columns: ["VALUE"],
        rows: [["1"], ["2"], ["3"]],
        ordered: false,
      });
      await expectRows(db, "SELECT * FROM TABLE(RESULT_SCAN(LAST_QUERY_ID())) WHERE value > 1;", {
        columns: ["VALUE"],
        rows: [["2"], ["3"]],
        ordered: false,
      });
    });

    await t.step(
      "RESULT_SCAN('<query id>') reads a result by its ID, after other statements",
      async () => {
        // The page's form `RESULT_SCAN('ce6687a4-…')`, with the ID the SDK reports for the statement.
        const first = await db.run("SELECT 1 AS c1, 'two' AS c2 UNION ALL SELECT 3, 'four';");
        await db.run("SELECT 42;");
        await expectRows(db, `SELECT c2 FROM TABLE(RESULT_SCAN('${first.queryId}')) ORDER BY c2;`, {
          columns: ["C2"],
          rows: [["four"], ["two"]],
        });
      },
    );

    await t.step("LAST_QUERY_ID(-2) is the second most recent query", async () => {
      // Computed from the page's LAST_QUERY_ID(-2) example.
      await db.run("SELECT 'older' AS which;");
      await db.run("SELECT 'newer' AS which;");
      await expectRows(db, "SELECT * FROM TABLE(RESULT_SCAN(LAST_QUERY_ID(-2)));", {
        columns: ["WHICH"],
        rows: [["older"]],
      });
    });

    await t.step("SHOW TABLES then RESULT_SCAN with quoted lowercase column names", async () => {
      // The page's query keeps empty tables older than 21 days; every table here was just
      // created, so the result is empty, with the page's column names.
      await db.run("CREATE TABLE fresh_t (id NUMBER);");
      await db.run("SHOW TABLES;");
      await expectRows(
        db,
        `SELECT "database_name", "schema_name", "name" as "table_name", "rows", "created_on"
         FROM table(RESULT_SCAN(LAST_QUERY_ID()))
         WHERE "rows" = 0 AND "created_on" < DATEADD(day, -21, CURRENT_TIMESTAMP())
         ORDER BY "created_on";`,
        { columns: ["database_name", "schema_name", "table_name", "rows", "created_on"], rows: [] },
      );
    });

    await t.step("SHOW TABLES LIKE then RESULT_SCAN picks the name and kind", async () => {
      // Computed: the SHOW output's "name" and "kind" for the table just created.
      await db.run("SHOW TABLES LIKE 'fresh_t';");
      await expectRows(db, `SELECT "name", "kind" FROM TABLE(RESULT_SCAN(LAST_QUERY_ID()));`, {
        columns: ["name", "kind"],
        rows: [["FRESH_T", "TABLE"]],
      });
    });

    await t.step("DESC TABLE then RESULT_SCAN filters the description", async () => {
      // The page's DESC USER … RESULT_SCAN pattern, on DESC TABLE; values computed.
      await db.run("DESC TABLE fresh_t;");
      await expectRows(
        db,
        `SELECT "name", "type" FROM TABLE(RESULT_SCAN(LAST_QUERY_ID())) WHERE "name" = 'ID';`,
        { columns: ["name", "type"], rows: [["ID", "NUMBER(38,0)"]] },
      );
    });

    await t.step("duplicate column names are renamed ID, ID_1 by RESULT_SCAN", async () => {
      await db.runAll([
        "CREATE TABLE employees (id INT);",
        "CREATE TABLE dependents (id INT, employee_id INT);",
        "INSERT INTO employees (id) VALUES (11);",
        "INSERT INTO dependents (id, employee_id) VALUES (101, 11);",
      ]);
      await expectRows(
        db,
        `SELECT *
         FROM employees INNER JOIN dependents
           ON dependents.employee_ID = employees.id
         ORDER BY employees.id, dependents.id;`,
        { columns: ["ID", "ID", "EMPLOYEE_ID"], rows: [["11", "101", "11"]] },
      );
      await expectRows(
        db,
        `SELECT id, id_1, employee_id
         FROM TABLE(RESULT_SCAN(LAST_QUERY_ID()))
         WHERE id_1 = 101;`,
        { columns: ["ID", "ID_1", "EMPLOYEE_ID"], rows: [["11", "101", "11"]] },
      );
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/sql/show-objects
conformance(
  "SHOW OBJECTS lists the tables and views, dynamic tables flagged",
  async ({ db }, t) => {
    await db.runAll([
      "CREATE TABLE obj_t (x INT)",
      "INSERT INTO obj_t VALUES (1), (2)",
      "CREATE VIEW obj_v AS SELECT x FROM obj_t",
      "CREATE DYNAMIC TABLE obj_d TARGET_LAG = '1 minute' WAREHOUSE = w AS SELECT x FROM obj_t",
    ]);
    await t.step("name, kind, rows and is_dynamic", async () => {
      const r = records(await db.run("SHOW OBJECTS LIKE 'OBJ_%'"));
      assert.deepEqual(r.map((o) => [o.name, o.kind, o.rows, o.is_dynamic]), [
        ["OBJ_D", "TABLE", "2", "Y"],
        ["OBJ_T", "TABLE", "2", "N"],
        ["OBJ_V", "VIEW", "0", "N"],
      ]);
    });
    await t.step("TERSE keeps five columns", async () => {
      const r = await db.run("SHOW TERSE OBJECTS LIKE 'OBJ_V' IN SCHEMA");
      assert.deepEqual(columnNames(r), [
        "created_on",
        "name",
        "kind",
        "database_name",
        "schema_name",
      ]);
      assert.deepEqual(r.rows.map((row) => row[1]), ["OBJ_V"]);
    });
  },
);

// What BI tools and ORMs read to list an account: answered, empty where the emulator has none.
conformance(
  "metadata tools read: TABLE_CONSTRAINTS, empty views and SHOWs, users, roles",
  async ({ db }, t) => {
    await db.run("CREATE TABLE keyed (id INT PRIMARY KEY, code VARCHAR UNIQUE, note VARCHAR)");

    await t.step("INFORMATION_SCHEMA.TABLE_CONSTRAINTS lists the declared keys", async () => {
      const r = records(
        await db.run(`SELECT CONSTRAINT_TYPE, TABLE_NAME, ENFORCED
        FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS WHERE TABLE_NAME = 'KEYED' ORDER BY 1`),
      );
      assert.deepEqual(r.map((x) => [x.CONSTRAINT_TYPE, x.TABLE_NAME, x.ENFORCED]), [
        ["PRIMARY KEY", "KEYED", "NO"],
        ["UNIQUE", "KEYED", "NO"],
      ]);
    });

    await t.step("views of objects the emulator has none of: their columns, no rows", async () => {
      const r = await db.run("SELECT * FROM INFORMATION_SCHEMA.STAGES");
      assert.deepEqual(r.rows, []);
      assert.equal(columnNames(r)[2], "STAGE_NAME");
      for (const view of ["REFERENTIAL_CONSTRAINTS", "TABLE_PRIVILEGES", "FILE_FORMATS"]) {
        assert.deepEqual((await db.run(`SELECT * FROM INFORMATION_SCHEMA.${view}`)).rows, [], view);
      }
    });

    await t.step("SHOW STAGES | TASKS | FILE FORMATS: Snowflake's columns, no rows", async () => {
      const stages = await db.run("SHOW STAGES");
      assert.deepEqual(stages.rows, []);
      assert.deepEqual(columnNames(stages).slice(0, 4), [
        "created_on",
        "name",
        "database_name",
        "schema_name",
      ]);
      assert.deepEqual((await db.run("SHOW TASKS")).rows, []);
      assert.deepEqual((await db.run("SHOW FILE FORMATS")).rows, []);
    });

    await t.step("SHOW USERS and SHOW ROLES: the signed-in user and its role", async () => {
      const users = records(await db.run("SHOW USERS"));
      assert.deepEqual(users.map((u) => [u.name, u.has_rsa_public_key]), [[
        "STREAMING_INGEST",
        "true",
      ]]);
      const roles = records(await db.run("SHOW ROLES"));
      assert.ok(roles.some((r) => r.is_current === "Y"), JSON.stringify(roles));
      assert.ok(roles.some((r) => r.name === "PUBLIC"));
    });

    await t.step("role and account context functions", async () => {
      const r = records(
        await db.run(`SELECT CURRENT_AVAILABLE_ROLES() AS AVAILABLE,
          IS_ROLE_IN_SESSION(CURRENT_ROLE()) AS MINE, IS_ROLE_IN_SESSION('PUBLIC') AS PUB,
          IS_ROLE_IN_SESSION('NOBODY') AS NOBODY,
          CURRENT_ACCOUNT_LOCATOR() = CURRENT_ACCOUNT() AS ACC, CURRENT_ROLE() AS ROLE`),
      )[0];
      assert.deepEqual(JSON.parse(String(r.AVAILABLE)), [r.ROLE, "PUBLIC"]);
      assert.deepEqual([r.MINE, r.PUB, r.NOBODY, r.ACC], ["True", "True", "False", "True"]);
    });
  },
);
