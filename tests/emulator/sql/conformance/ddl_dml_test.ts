/**
 * DDL and DML: CREATE [OR REPLACE] TABLE [IF NOT EXISTS] (and AS SELECT, LIKE), DROP TABLE,
 * ALTER TABLE ADD COLUMN, INSERT (VALUES, SELECT, OVERWRITE), DELETE, UPDATE, MERGE and
 * CREATE [OR REPLACE] VIEW, with the status rows Snowflake returns for them.
 *
 * The doc pages ran in database TESTDB (or MYTEST1), schema PUBLIC; here the session is in
 * STREAMING_INGEST.STREAMING_INGEST, so SHOW outputs are asserted with those names.
 */
import assert from "node:assert/strict";
import {
  assertRecord,
  cell,
  type Conformance,
  conformance,
  expectRows,
  once,
  type Session,
} from "./harness.ts";

const DB = "STREAMING_INGEST";
const SCHEMA = "STREAMING_INGEST";

/** The columns DESCRIBE TABLE prints on every doc page (later pages add more after these). */
const DESC_COLUMNS = [
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
];

/** DESC TABLE's first ten columns, row by row. */
async function describe(db: Session, table: string): Promise<(string | null)[][]> {
  const r = await db.run(`DESC TABLE ${table};`);
  assert.deepEqual(r.columns.slice(0, DESC_COLUMNS.length).map((c) => c.name), DESC_COLUMNS);
  return r.rows.map((row) => row.slice(0, DESC_COLUMNS.length));
}

// https://docs.snowflake.com/en/sql-reference/sql/create-table (Basic examples)
conformance(
  "CREATE TABLE: creates the table, SHOW TABLES lists it, DESC describes it",
  async ({ db }, t) => {
    await t.step("CREATE TABLE returns status 'Table MYTABLE successfully created.'", async () => {
      await expectRows(db, "CREATE TABLE mytable (amount NUMBER);", {
        columns: ["status"],
        rows: [["Table MYTABLE successfully created."]],
      });
    });

    await t.step("INSERT INTO mytable VALUES(1) inserts one row", async () => {
      // The column and its format are those of the INSERT page; the count is this statement's.
      await expectRows(db, "INSERT INTO mytable VALUES(1);", {
        columns: ["number of rows inserted"],
        rows: [["1"]],
      });
    });

    await t.step(
      "SHOW TABLES LIKE 'mytable' lists MYTABLE, kind TABLE, 1 row, retention 1",
      async () => {
        const r = await db.run("SHOW TABLES like 'mytable';");
        assert.equal(r.rows.length, 1);
        assertRecord(r, "name", "MYTABLE", {
          database_name: DB,
          schema_name: SCHEMA,
          kind: "TABLE",
          comment: "",
          cluster_by: "",
          rows: "1",
          retention_time: "1",
        });
      },
    );

    await t.step("DESC TABLE mytable: AMOUNT NUMBER(38,0), nullable", async () => {
      assert.deepEqual(await describe(db, "mytable"), [
        ["AMOUNT", "NUMBER(38,0)", "COLUMN", "Y", null, "N", "N", null, null, null],
      ]);
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/sql/create-table (Basic examples)
conformance("CREATE TABLE: table and column comments", async ({ db }, t) => {
  await t.step("CREATE TABLE example … COMMENT='a table comment' returns its status", async () => {
    await expectRows(
      db,
      "CREATE TABLE example (col1 NUMBER COMMENT 'a column comment') COMMENT='a table comment';",
      { columns: ["status"], rows: [["Table EXAMPLE successfully created."]] },
    );
  });

  await t.step("SHOW TABLES shows the table comment and 0 rows", async () => {
    const r = await db.run("SHOW TABLES LIKE 'example';");
    assertRecord(r, "name", "EXAMPLE", { kind: "TABLE", comment: "a table comment", rows: "0" });
  });

  await t.step("DESC TABLE shows the column comment", async () => {
    assert.deepEqual(await describe(db, "example"), [
      ["COL1", "NUMBER(38,0)", "COLUMN", "Y", null, "N", "N", null, null, "a column comment"],
    ]);
  });
});

// https://docs.snowflake.com/en/sql-reference/sql/create-table (CTAS examples)
conformance(
  "CREATE TABLE … AS SELECT: renamed columns, derived types, copied rows",
  async ({ db }, t) => {
    const ready = once(async () => {
      await db.runAll(["CREATE TABLE mytable (amount NUMBER);", "INSERT INTO mytable VALUES(1);"]);
    });

    await t.step(
      "CREATE TABLE mytable_copy (b) AS SELECT * renames the column: B NUMBER(38,0)",
      async () => {
        await ready();
        await db.run("CREATE TABLE mytable_copy (b) AS SELECT * FROM mytable;");
        assert.deepEqual(await describe(db, "mytable_copy"), [
          ["B", "NUMBER(38,0)", "COLUMN", "Y", null, "N", "N", null, null, null],
        ]);
      },
    );

    // The page prints NUMBER(39,0), which no longer exists: "the maximum precision is 38"
    // (https://docs.snowflake.com/en/sql-reference/operators-arithmetic), so the sum of a
    // NUMBER(38,0) and 1 is NUMBER(38,0).
    await t.step("b+1 AS c is NUMBER(38,0): the sum's precision is capped at 38", async () => {
      await ready();
      await db.run("CREATE TABLE mytable_copy2 AS SELECT b+1 AS c FROM mytable_copy;");
      assert.deepEqual(await describe(db, "mytable_copy2"), [
        ["C", "NUMBER(38,0)", "COLUMN", "Y", null, "N", "N", null, null, null],
      ]);
    });

    await t.step("the CTAS table holds the query's rows: C = 2", async () => {
      await ready();
      await expectRows(db, "SELECT * FROM mytable_copy2;", { columns: ["C"], rows: [["2"]] });
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/sql/create-table (CREATE TABLE … LIKE examples)
conformance("CREATE TABLE … LIKE: same columns, no rows", async ({ db }, t) => {
  const ready = once(async () => {
    await db.runAll(["CREATE TABLE mytable (amount NUMBER);", "INSERT INTO mytable VALUES(1);"]);
  });

  await t.step("the source table has its row", async () => {
    await ready();
    await expectRows(db, "SELECT * FROM mytable;", { columns: ["AMOUNT"], rows: [["1"]] });
  });

  await t.step("CREATE TABLE mytable_2 LIKE mytable copies the column definitions", async () => {
    await ready();
    await db.run("CREATE TABLE mytable_2 LIKE mytable;");
    assert.deepEqual(await describe(db, "mytable_2"), [
      ["AMOUNT", "NUMBER(38,0)", "COLUMN", "Y", null, "N", "N", null, null, null],
    ]);
  });

  await t.step("…and no rows", async () => {
    await ready();
    await expectRows(db, "SELECT * FROM mytable_2;", { columns: ["AMOUNT"], rows: [] });
  });
});

// https://docs.snowflake.com/en/sql-reference/sql/create-table (Syntax: OR REPLACE, IF NOT EXISTS)
// Expected rows computed from the page's parameter descriptions; the page prints no output for
// these two forms.
conformance(
  "CREATE OR REPLACE TABLE replaces; CREATE TABLE IF NOT EXISTS keeps",
  async ({ db }, t) => {
    const ready = once(async () => {
      await db.runAll(["CREATE TABLE mytable (amount NUMBER);", "INSERT INTO mytable VALUES(1);"]);
    });

    await t.step(
      "CREATE TABLE IF NOT EXISTS on an existing table succeeds and keeps its rows",
      async () => {
        await ready();
        await db.run("CREATE TABLE IF NOT EXISTS mytable (amount NUMBER);");
        await expectRows(db, "SELECT * FROM mytable;", { columns: ["AMOUNT"], rows: [["1"]] });
      },
    );

    await t.step(
      "CREATE TABLE without IF NOT EXISTS on an existing table fails: already exists",
      async () => {
        await ready();
        await db.expectError("CREATE TABLE mytable (amount NUMBER);", {
          message: /already exists/i,
        });
      },
    );

    await t.step(
      "CREATE OR REPLACE TABLE returns the created status and an empty new table",
      async () => {
        await ready();
        await expectRows(db, "CREATE OR REPLACE TABLE mytable (amount NUMBER, note VARCHAR);", {
          columns: ["status"],
          rows: [["Table MYTABLE successfully created."]],
        });
        await expectRows(db, "SELECT * FROM mytable;", { columns: ["AMOUNT", "NOTE"], rows: [] });
      },
    );
  },
);

// https://docs.snowflake.com/en/sql-reference/sql/drop-table
conformance(
  "DROP TABLE: drops the table; IF EXISTS does not fail when it is gone",
  async ({ db }, t) => {
    const ready = once(async () => {
      await db.runAll([
        "CREATE TABLE t2 (i INTEGER);",
        "INSERT INTO t2 VALUES (1), (2), (3), (4), (5);",
      ]);
    });

    await t.step("SHOW TABLES LIKE 't2%' lists T2 with its 5 rows", async () => {
      await ready();
      const r = await db.run("SHOW TABLES LIKE 't2%';");
      assertRecord(r, "name", "T2", {
        database_name: DB,
        schema_name: SCHEMA,
        kind: "TABLE",
        rows: "5",
      });
    });

    await t.step("DROP TABLE t2 returns 'T2 successfully dropped.'", async () => {
      await ready();
      await expectRows(db, "DROP TABLE t2;", {
        columns: ["status"],
        rows: [["T2 successfully dropped."]],
      });
    });

    await t.step("SHOW TABLES LIKE 't2%' is then empty", async () => {
      await ready();
      const r = await db.run("SHOW TABLES LIKE 't2%';");
      assert.deepEqual(r.rows, []);
      assert.deepEqual(
        r.columns.slice(0, 11).map((c) => c.name),
        [
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
        ],
      );
    });

    await t.step(
      "DROP TABLE IF EXISTS t2 returns 'Drop statement executed successfully (T2 already dropped).'",
      async () => {
        await ready();
        await expectRows(db, "DROP TABLE IF EXISTS t2;", {
          columns: ["status"],
          rows: [["Drop statement executed successfully (T2 already dropped)."]],
        });
      },
    );
  },
);

// https://docs.snowflake.com/en/sql-reference/sql/alter-table (Adding columns)
// The page also adds `a5 VARCHAR COLLATE 'en_US'`; collations are not in the emulator's contract,
// so that statement and its DESC row are left out.
conformance(
  "ALTER TABLE … ADD COLUMN: nullable, NOT NULL, DEFAULT, IF NOT EXISTS",
  async ({ db }, t) => {
    await t.step("CREATE OR REPLACE TABLE t1(a1 NUMBER) has one column", async () => {
      await db.run("CREATE OR REPLACE TABLE t1(a1 NUMBER);");
      assert.deepEqual(await describe(db, "t1"), [
        ["A1", "NUMBER(38,0)", "COLUMN", "Y", null, "N", "N", null, null, null],
      ]);
    });

    const after = [
      ["A1", "NUMBER(38,0)", "COLUMN", "Y", null, "N", "N", null, null, null],
      ["A2", "NUMBER(38,0)", "COLUMN", "Y", null, "N", "N", null, null, null],
      ["A3", "NUMBER(38,0)", "COLUMN", "N", null, "N", "N", null, null, null],
      ["A4", "NUMBER(38,0)", "COLUMN", "N", "0", "N", "N", null, null, null],
    ];

    await t.step("ADD COLUMN a2, a3 NOT NULL, a4 DEFAULT 0 NOT NULL appear in DESC", async () => {
      await db.runAll([
        "ALTER TABLE t1 ADD COLUMN a2 NUMBER;",
        "ALTER TABLE t1 ADD COLUMN a3 NUMBER NOT NULL;",
        "ALTER TABLE t1 ADD COLUMN a4 NUMBER DEFAULT 0 NOT NULL;",
      ]);
      assert.deepEqual(await describe(db, "t1"), after);
    });

    await t.step("ADD COLUMN IF NOT EXISTS a2 has no effect on the existing a2", async () => {
      await db.run("ALTER TABLE t1 ADD COLUMN IF NOT EXISTS a2 NUMBER;");
      assert.deepEqual(await describe(db, "t1"), after);
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/sql/insert
conformance("INSERT … SELECT: converted values, and a subset of the columns", async ({ db }, t) => {
  await t.step("DESC TABLE: DATE and TIMESTAMP_NTZ(9)", async () => {
    await db.run(`CREATE OR REPLACE TABLE mytable (
      col1 DATE,
      col2 TIMESTAMP_NTZ,
      col3 TIMESTAMP_NTZ);`);
    assert.deepEqual(await describe(db, "mytable"), [
      ["COL1", "DATE", "COLUMN", "Y", null, "N", "N", null, null, null],
      ["COL2", "TIMESTAMP_NTZ(9)", "COLUMN", "Y", null, "N", "N", null, null, null],
      ["COL3", "TIMESTAMP_NTZ(9)", "COLUMN", "Y", null, "N", "N", null, null, null],
    ]);
  });

  await t.step(
    "INSERT INTO mytable SELECT TO_DATE(…), TO_TIMESTAMP(…), TO_TIMESTAMP(…)",
    async () => {
      await db.run(`INSERT INTO mytable
      SELECT
        TO_DATE('2013-05-08T23:39:20.123'),
        TO_TIMESTAMP('2013-05-08T23:39:20.123'),
        TO_TIMESTAMP('2013-05-08T23:39:20.123');`);
      await expectRows(db, "SELECT * FROM mytable;", {
        columns: ["COL1", "COL2", "COL3"],
        rows: [["2013-05-08", "2013-05-08 23:39:20.123", "2013-05-08 23:39:20.123"]],
      });
    },
  );

  await t.step("INSERT INTO mytable (col1, col3) SELECT … leaves col2 NULL", async () => {
    await db.run(`INSERT INTO mytable (col1, col3)
      SELECT
        TO_DATE('2013-05-08T23:39:20.123'),
        TO_TIMESTAMP('2013-05-08T23:39:20.123');`);
    await expectRows(db, "SELECT * FROM mytable;", {
      columns: ["COL1", "COL2", "COL3"],
      rows: [
        ["2013-05-08", "2013-05-08 23:39:20.123", "2013-05-08 23:39:20.123"],
        ["2013-05-08", null, "2013-05-08 23:39:20.123"],
      ],
      ordered: false,
    });
  });
});

const EMPLOYEES = [
  ["May", "Franklin", "1-650-249-5198", "San Francisco", "94115"],
  ["Gillian", "Patterson", "1-650-859-3954", "San Francisco", "94115"],
  ["Lysandra", "Reeves", "1-212-759-3751", "New York", "10018"],
  ["Michael", "Arnett", "1-650-230-8467", "San Francisco", "94116"],
];
const EMPLOYEE_COLUMNS = ["FIRST_NAME", "LAST_NAME", "WORKPHONE", "CITY", "POSTAL_CODE"];

async function loadEmployees({ db }: Conformance): Promise<void> {
  await db.runAll([
    `CREATE TABLE employees (
      first_name VARCHAR,
      last_name VARCHAR,
      workphone VARCHAR,
      city VARCHAR,
      postal_code VARCHAR);`,
    `INSERT INTO employees
      VALUES
        ('May', 'Franklin', '1-650-249-5198', 'San Francisco', 94115),
        ('Gillian', 'Patterson', '1-650-859-3954', 'San Francisco', 94115),
        ('Lysandra', 'Reeves', '1-212-759-3751', 'New York', 10018),
        ('Michael', 'Arnett', '1-650-230-8467', 'San Francisco', 94116);`,
  ]);
}

// https://docs.snowflake.com/en/sql-reference/sql/insert (Multi-row insert using explicitly-specified values)
conformance("INSERT … VALUES: several rows; the first row's types guide the rest", async (c, t) => {
  const { db } = c;

  const ready = once(async () => {
    await db.run("CREATE OR REPLACE TABLE demo_insert_type_mismatch (v VARCHAR);");
  });

  await t.step("four rows of VALUES, numbers coerced to VARCHAR", async () => {
    await ready();
    await loadEmployees(c);
    await expectRows(db, "SELECT * FROM employees;", {
      columns: EMPLOYEE_COLUMNS,
      rows: EMPLOYEES,
      ordered: false,
    });
  });

  await t.step("('three'), ('four') inserts 2 rows", async () => {
    await ready();
    await expectRows(
      db,
      "INSERT INTO demo_insert_type_mismatch (v) VALUES\n  ('three'),\n  ('four');",
      {
        columns: ["number of rows inserted"],
        rows: [["2"]],
      },
    );
  });

  await t.step(
    "(3), ('d') fails with 100038 (22018): Numeric value 'd' is not recognized",
    async () => {
      await ready();
      await db.expectError("INSERT INTO demo_insert_type_mismatch (v) VALUES\n  (3),\n  ('d');", {
        code: "100038",
        sqlState: "22018",
        message: "Numeric value 'd' is not recognized",
      });
    },
  );

  await t.step("(3), (4) inserts 2 rows, coerced to VARCHAR", async () => {
    await ready();
    await expectRows(db, "INSERT INTO demo_insert_type_mismatch (v) VALUES\n  (3),\n  (4);", {
      columns: ["number of rows inserted"],
      rows: [["2"]],
    });
  });
});

// https://docs.snowflake.com/en/sql-reference/sql/insert (Multi-row insert using query)
conformance("INSERT … SELECT from another table, with a NULL column and a filter", async (c, t) => {
  const { db } = c;
  const ready = once(async () => {
    await loadEmployees(c);
    await db.runAll([
      `CREATE TABLE contractors (
        contractor_first VARCHAR,
        contractor_last VARCHAR,
        worknum VARCHAR,
        city VARCHAR,
        zip_code VARCHAR);`,
      `INSERT INTO contractors
        VALUES
          ('Bradley', 'Greenbloom', '1-650-445-0676', 'San Francisco', 94110),
          ('Cole', 'Simpson', '1-212-285-8904', 'New York', 10001),
          ('Laurel', 'Slater', '1-650-633-4495', 'San Francisco', 94115);`,
    ]);
  });

  await t.step("the contractors as loaded", async () => {
    await ready();
    await expectRows(db, "SELECT * FROM contractors;", {
      columns: ["CONTRACTOR_FIRST", "CONTRACTOR_LAST", "WORKNUM", "CITY", "ZIP_CODE"],
      rows: [
        ["Bradley", "Greenbloom", "1-650-445-0676", "San Francisco", "94110"],
        ["Cole", "Simpson", "1-212-285-8904", "New York", "10001"],
        ["Laurel", "Slater", "1-650-633-4495", "San Francisco", "94115"],
      ],
      ordered: false,
    });
  });

  await t.step("the 650 contractors are added to employees with a NULL city", async () => {
    await ready();
    await db.run(`INSERT INTO employees(first_name, last_name, workphone, city, postal_code)
      SELECT contractor_first, contractor_last, worknum, NULL, zip_code
        FROM contractors
        WHERE CONTAINS(worknum,'650');`);
    await expectRows(db, "SELECT * FROM employees;", {
      columns: EMPLOYEE_COLUMNS,
      rows: [
        ...EMPLOYEES,
        ["Bradley", "Greenbloom", "1-650-445-0676", null, "94110"],
        ["Laurel", "Slater", "1-650-633-4495", null, "94115"],
      ],
      ordered: false,
    });
  });

  await t.step("INSERT … WITH cte AS (…) SELECT inserts the CTE's rows", async () => {
    await ready();
    // The page prints no output for this one: the expected count (all 3 contractors) is computed.
    await expectRows(
      db,
      `INSERT INTO employees (first_name, last_name, workphone, city, postal_code)
        WITH cte AS
          (SELECT contractor_first AS first_name,
                  contractor_last AS last_name,
                  worknum AS workphone,
                  city,
                  zip_code AS postal_code
             FROM contractors)
        SELECT first_name, last_name, workphone, city, postal_code
          FROM cte;`,
      { columns: ["number of rows inserted"], rows: [["3"]] },
    );
  });
});

// https://docs.snowflake.com/en/sql-reference/sql/insert (Insert using OVERWRITE)
conformance("INSERT OVERWRITE: replaces the table's rows with the query's", async ({ db }, t) => {
  // The page shows both tables' initial contents but not the statements that load them; these
  // statements load exactly what it shows.
  const ready = once(async () => {
    await db.runAll([
      `CREATE TABLE employees (first_name VARCHAR, last_name VARCHAR, workphone VARCHAR,
         city VARCHAR, postal_code VARCHAR);`,
      `INSERT INTO employees VALUES
         ('May', 'Franklin', '1-650-111-1111', 'San Francisco', '94115'),
         ('Gillian', 'Patterson', '1-650-222-2222', 'San Francisco', '94115'),
         ('Lysandra', 'Reeves', '1-212-222-2222', 'New York', '10018'),
         ('Michael', 'Arnett', '1-650-333-3333', 'San Francisco', '94116');`,
      `CREATE TABLE sf_employees (first_name VARCHAR, last_name VARCHAR, workphone VARCHAR,
           city VARCHAR, postal_code VARCHAR);`,
      "INSERT INTO sf_employees VALUES ('Mary', 'Smith', '1-650-999-9999', 'San Francisco', '94115');",
    ]);
  });

  await t.step("the old rows of sf_employees are gone", async () => {
    await ready();
    await db.run(`INSERT OVERWRITE INTO sf_employees
      SELECT * FROM employees
      WHERE city = 'San Francisco';`);
    await expectRows(db, "SELECT * FROM sf_employees;", {
      columns: EMPLOYEE_COLUMNS,
      rows: [
        ["May", "Franklin", "1-650-111-1111", "San Francisco", "94115"],
        ["Gillian", "Patterson", "1-650-222-2222", "San Francisco", "94115"],
        ["Michael", "Arnett", "1-650-333-3333", "San Francisco", "94116"],
      ],
      ordered: false,
    });
  });

  // Not on the page: the statement's query reads the table before the overwrite empties it, as
  // in Snowflake, where the statement sees the table as it was when it began.
  await t.step("a query over the overwritten table itself reads its old rows", async () => {
    await ready();
    await db.run(`INSERT OVERWRITE INTO sf_employees
      SELECT first_name, last_name, workphone, UPPER(city), postal_code FROM sf_employees;`);
    await expectRows(db, "SELECT first_name, city FROM sf_employees;", {
      rows: [["May", "SAN FRANCISCO"], ["Gillian", "SAN FRANCISCO"], ["Michael", "SAN FRANCISCO"]],
      ordered: false,
    });
  });
});

// https://docs.snowflake.com/en/sql-reference/sql/delete
// The page wraps each DELETE … USING in BEGIN WORK / COMMIT WORK with a TRUNCATE TABLE of
// returned_bicycles; so does the test.
conformance("DELETE: by WHERE, and USING another table or a subquery", async ({ db }, t) => {
  const ready = once(async () => {
    await db.runAll([
      "CREATE TABLE leased_bicycles (bicycle_id INTEGER, customer_id INTEGER);",
      "CREATE TABLE returned_bicycles (bicycle_id INTEGER);",
      `INSERT INTO leased_bicycles (bicycle_ID, customer_ID) VALUES
          (101, 1111),
          (102, 2222),
          (103, 3333),
          (104, 4444),
          (105, 5555);`,
      `INSERT INTO returned_bicycles (bicycle_ID) VALUES
          (102),
          (104);`,
    ]);
  });

  await t.step("DELETE … WHERE bicycle_ID = 105 deletes 1 row", async () => {
    await ready();
    await expectRows(db, "DELETE FROM leased_bicycles WHERE bicycle_ID = 105;", {
      columns: ["number of rows deleted"],
      rows: [["1"]],
    });
    await expectRows(db, "SELECT * FROM leased_bicycles ORDER BY bicycle_ID;", {
      columns: ["BICYCLE_ID", "CUSTOMER_ID"],
      rows: [["101", "1111"], ["102", "2222"], ["103", "3333"], ["104", "4444"]],
    });
  });

  await t.step("DELETE … USING returned_bicycles removes the returned ones", async () => {
    await ready();
    await db.run("BEGIN WORK;");
    await db.run(`DELETE FROM leased_bicycles
      USING returned_bicycles
      WHERE leased_bicycles.bicycle_ID = returned_bicycles.bicycle_ID;`);
    await db.run("TRUNCATE TABLE returned_bicycles;");
    await db.run("COMMIT WORK;");
    await expectRows(db, "SELECT * FROM leased_bicycles ORDER BY bicycle_ID;", {
      columns: ["BICYCLE_ID", "CUSTOMER_ID"],
      rows: [["101", "1111"], ["103", "3333"]],
    });
  });

  await t.step("DELETE … USING (subquery) AS returned", async () => {
    await ready();
    await db.run("INSERT INTO returned_bicycles (bicycle_ID) VALUES (103);");
    await db.run("BEGIN WORK;");
    await db.run(`DELETE FROM leased_bicycles
      USING (SELECT bicycle_ID AS bicycle_ID FROM returned_bicycles) AS returned
      WHERE leased_bicycles.bicycle_ID = returned.bicycle_ID;`);
    await db.run("TRUNCATE TABLE returned_bicycles;");
    await db.run("COMMIT WORK;");
    await expectRows(db, "SELECT COUNT(*) FROM returned_bicycles;", { rows: [["0"]] });
    await expectRows(db, "SELECT * FROM leased_bicycles ORDER BY bicycle_ID;", {
      columns: ["BICYCLE_ID", "CUSTOMER_ID"],
      rows: [["101", "1111"]],
    });
  });
});

// https://docs.snowflake.com/en/sql-reference/sql/update
conformance("UPDATE … FROM: counts updated and multi-joined rows", async ({ db }, t) => {
  // The page shows the tables' contents, not how they are loaded.
  const ready = once(async () => {
    await db.runAll([
      "CREATE TABLE target (k NUMBER, v NUMBER);",
      "INSERT INTO target VALUES (0, 10);",
      "CREATE TABLE src (k NUMBER, v NUMBER);",
      "INSERT INTO src VALUES (0, 11), (0, 12), (0, 13);",
    ]);
  });

  await t.step(
    "a row joined to three source rows is updated once: 1 updated, 1 multi-joined",
    async () => {
      await ready();
      await expectRows(
        db,
        "UPDATE target\n  SET v = src.v\n  FROM src\n  WHERE target.k = src.k;",
        {
          columns: ["number of rows updated", "number of multi-joined rows updated"],
          rows: [["1", "1"]],
        },
      );
      // "the statement randomly updates the single row in target using values from one of" the
      // source rows.
      const v = cell(await db.run("SELECT v FROM target"), 0, "V");
      assert.ok(v === "11" || v === "12" || v === "13", `v = ${v}`);
    },
  );

  await t.step("a 1-to-1 join with MIN(v) updates the row to (0, 11)", async () => {
    await ready();
    await db.run(`UPDATE target SET v = b.v
      FROM (SELECT k, MIN(v) v FROM src GROUP BY k) b
      WHERE target.k = b.k;`);
    await expectRows(db, "SELECT * FROM target;", { columns: ["K", "V"], rows: [["0", "11"]] });
  });
});

// https://docs.snowflake.com/en/sql-reference/sql/merge (Duplicate join behavior)
conformance(
  "MERGE: a target row joined to several source rows fails unless the result is deterministic",
  async ({ db }, t) => {
    // The page's tables: one target row (0, 10) joined to three source rows.
    const reset = () =>
      db.runAll([
        "CREATE OR REPLACE TABLE target (k NUMBER, v NUMBER);",
        "INSERT INTO target VALUES (0, 10);",
        "CREATE OR REPLACE TABLE src (k NUMBER, v NUMBER);",
        "INSERT INTO src VALUES (0, 11), (0, 12), (0, 13);",
      ]);
    const duplicate = {
      code: "100090",
      sqlState: "42P18",
      message: /Duplicate row detected during DML action/,
    };

    await t.step("multiple updates conflict: an error, and nothing changes", async () => {
      await reset();
      await db.expectError(
        `MERGE INTO target USING src ON target.k = src.k
           WHEN MATCHED THEN UPDATE SET target.v = src.v;`,
        duplicate,
      );
      await expectRows(db, "SELECT * FROM target;", { rows: [["0", "10"]] });
    });

    await t.step("updates and deletes conflict: an error", async () => {
      await reset();
      await db.expectError(
        `MERGE INTO target USING src ON target.k = src.k
           WHEN MATCHED AND src.v = 11 THEN DELETE
           WHEN MATCHED THEN UPDATE SET target.v = src.v;`,
        duplicate,
      );
    });

    await t.step("multiple deletes do not conflict: 1 row deleted", async () => {
      await reset();
      await expectRows(
        db,
        `MERGE INTO target USING src ON target.k = src.k
           WHEN MATCHED AND src.v <= 12 THEN DELETE;`,
        { columns: ["number of rows deleted"], rows: [["1"]] },
      );
    });

    await t.step("source rows that match no clause do not prevent the update", async () => {
      await reset();
      await expectRows(
        db,
        `MERGE INTO target USING src ON target.k = src.k
           WHEN MATCHED AND src.v = 11 THEN UPDATE SET target.v = src.v;`,
        { columns: ["number of rows updated"], rows: [["1"]] },
      );
      await expectRows(db, "SELECT * FROM target;", { rows: [["0", "11"]] });
    });

    // The page: with ERROR_ON_NONDETERMINISTIC_MERGE = FALSE, one of the source rows' values is
    // used.
    await t.step(
      "ERROR_ON_NONDETERMINISTIC_MERGE = FALSE: one of them wins, 1 row updated",
      async () => {
        await reset();
        await db.run("ALTER SESSION SET ERROR_ON_NONDETERMINISTIC_MERGE = FALSE;");
        try {
          await expectRows(
            db,
            `MERGE INTO target USING src ON target.k = src.k
             WHEN MATCHED THEN UPDATE SET target.v = src.v;`,
            { columns: ["number of rows updated"], rows: [["1"]] },
          );
          const v = cell(await db.run("SELECT v FROM target"), 0, "V");
          assert.ok(v === "11" || v === "12" || v === "13", `v = ${v}`);
        } finally {
          await db.run("ALTER SESSION UNSET ERROR_ON_NONDETERMINISTIC_MERGE;");
        }
      },
    );

    await t.step("one source row per target row after GROUP BY: no error", async () => {
      await reset();
      await expectRows(
        db,
        `MERGE INTO target USING (SELECT k, MAX(v) AS v FROM src GROUP BY k) AS b
           ON target.k = b.k
           WHEN MATCHED THEN UPDATE SET target.v = b.v
           WHEN NOT MATCHED THEN INSERT (k, v) VALUES (b.k, b.v);`,
        { columns: ["number of rows inserted", "number of rows updated"], rows: [["0", "1"]] },
      );
      await expectRows(db, "SELECT * FROM target;", { rows: [["0", "13"]] });
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/sql/merge
conformance("MERGE: update, delete and insert by match, with their counts", async ({ db }, t) => {
  await t.step("WHEN MATCHED THEN UPDATE: 1 row updated to the new value", async () => {
    await db.runAll([
      "CREATE OR REPLACE TABLE merge_example_target (id INTEGER, description VARCHAR);",
      `INSERT INTO merge_example_target (id, description) VALUES
         (10, 'To be updated (this is the old value)');`,
      "CREATE OR REPLACE TABLE merge_example_source (id INTEGER, description VARCHAR);",
      `INSERT INTO merge_example_source (id, description) VALUES
         (10, 'To be updated (this is the new value)');`,
    ]);
    await expectRows(
      db,
      `MERGE INTO merge_example_target
         USING merge_example_source
         ON merge_example_target.id = merge_example_source.id
         WHEN MATCHED THEN
           UPDATE SET merge_example_target.description = merge_example_source.description;`,
      { columns: ["number of rows updated"], rows: [["1"]] },
    );
    await expectRows(db, "SELECT * FROM merge_example_target;", {
      columns: ["ID", "DESCRIPTION"],
      rows: [["10", "To be updated (this is the new value)"]],
    });
    await expectRows(db, "SELECT * FROM merge_example_source;", {
      columns: ["ID", "DESCRIPTION"],
      rows: [["10", "To be updated (this is the new value)"]],
    });
  });

  await t.step("DELETE, two UPDATEs and an INSERT: 1 inserted, 2 updated, 1 deleted", async () => {
    await db.runAll([
      `CREATE OR REPLACE TABLE merge_example_mult_target (
         id INTEGER,
         val INTEGER,
         status VARCHAR);`,
      `INSERT INTO merge_example_mult_target (id, val, status) VALUES
         (1, 10, 'Production'),
         (2, 20, 'Alpha'),
         (3, 30, 'Production');`,
      `CREATE OR REPLACE TABLE merge_example_mult_source (
         id INTEGER,
         marked VARCHAR,
         isnewstatus INTEGER,
         newval INTEGER,
         newstatus VARCHAR);`,
      `INSERT INTO merge_example_mult_source (id, marked, isnewstatus, newval, newstatus) VALUES
         (1, 'Y', 0, 10, 'Production'),
         (2, 'N', 1, 50, 'Beta'),
         (3, 'N', 0, 60, 'Deprecated'),
         (4, 'N', 0, 40, 'Production');`,
    ]);
    await expectRows(
      db,
      `MERGE INTO merge_example_mult_target
         USING merge_example_mult_source
         ON merge_example_mult_target.id = merge_example_mult_source.id
         WHEN MATCHED AND merge_example_mult_source.marked = 'Y'
           THEN DELETE
         WHEN MATCHED AND merge_example_mult_source.isnewstatus = 1
           THEN UPDATE SET val = merge_example_mult_source.newval, status = merge_example_mult_source.newstatus
         WHEN MATCHED
           THEN UPDATE SET val = merge_example_mult_source.newval
         WHEN NOT MATCHED
           THEN INSERT (id, val, status) VALUES (
             merge_example_mult_source.id,
             merge_example_mult_source.newval,
             merge_example_mult_source.newstatus);`,
      {
        columns: ["number of rows inserted", "number of rows updated", "number of rows deleted"],
        rows: [["1", "2", "1"]],
      },
    );
    await expectRows(db, "SELECT * FROM merge_example_mult_target ORDER BY id;", {
      columns: ["ID", "VAL", "STATUS"],
      rows: [["2", "50", "Beta"], ["3", "60", "Production"], ["4", "40", "Production"]],
    });
  });

  await t.step("UPDATE ALL BY NAME / INSERT ALL BY NAME match columns by name", async () => {
    await db.runAll([
      `CREATE OR REPLACE TABLE merge_example_target_all (
         id INTEGER,
         x INTEGER,
         y VARCHAR);`,
      `CREATE OR REPLACE TABLE merge_example_source_all (
         id INTEGER,
         y VARCHAR,
         x INTEGER);`,
      `INSERT INTO merge_example_target_all (id, x, y) VALUES
         (1, 10, 'Skiing'),
         (2, 20, 'Snowboarding');`,
      `INSERT INTO merge_example_source_all (id, y, x) VALUES
         (1, 'Skiing', 10),
         (2, 'Snowboarding', 25),
         (3, 'Skating', 30);`,
    ]);
    await expectRows(
      db,
      `MERGE INTO merge_example_target_all
         USING merge_example_source_all
         ON merge_example_target_all.id = merge_example_source_all.id
         WHEN MATCHED THEN
           UPDATE ALL BY NAME
         WHEN NOT MATCHED THEN
           INSERT ALL BY NAME;`,
      { columns: ["number of rows inserted", "number of rows updated"], rows: [["1", "2"]] },
    );
    await expectRows(db, "SELECT *\n  FROM merge_example_target_all\n  ORDER BY id;", {
      columns: ["ID", "X", "Y"],
      rows: [["1", "10", "Skiing"], ["2", "25", "Snowboarding"], ["3", "30", "Skating"]],
    });
  });

  await t.step(
    "duplicates in the source with no match are all inserted: 2 inserted, 0 updated",
    async () => {
      // The page empties both tables with TRUNCATE TABLE; TRUNCATE is not in the emulator's
      // contract, so they are recreated empty instead (same state).
      await db.runAll([
        "CREATE OR REPLACE TABLE merge_example_target (id INTEGER, description VARCHAR);",
        "CREATE OR REPLACE TABLE merge_example_source (id INTEGER, description VARCHAR);",
        `INSERT INTO merge_example_source (id, description) VALUES
         (50, 'This is a duplicate in the source and has no match in target'),
         (50, 'This is a duplicate in the source and has no match in target');`,
      ]);
      await expectRows(
        db,
        `MERGE INTO merge_example_target
         USING merge_example_source
         ON merge_example_target.id = merge_example_source.id
         WHEN MATCHED THEN
           UPDATE SET merge_example_target.description = merge_example_source.description
         WHEN NOT MATCHED THEN
           INSERT (id, description) VALUES
             (merge_example_source.id, merge_example_source.description);`,
        { columns: ["number of rows inserted", "number of rows updated"], rows: [["2", "0"]] },
      );
      const dup = "This is a duplicate in the source and has no match in target";
      await expectRows(db, "SELECT * FROM merge_example_target;", {
        columns: ["ID", "DESCRIPTION"],
        rows: [["50", dup], ["50", dup]],
      });
    },
  );
});

// https://docs.snowflake.com/en/sql-reference/sql/create-view (Basic examples)
conformance(
  "CREATE VIEW: a view with a comment, listed by SHOW VIEWS with its text",
  async ({ db }, t) => {
    // The page does not show mytable; any table with col1 and col2 will do.
    const ready = once(async () => {
      await db.runAll([
        "CREATE TABLE mytable (col1 NUMBER, col2 VARCHAR);",
        "INSERT INTO mytable VALUES (1, 'one'), (2, 'two');",
      ]);
    });
    const text = "CREATE VIEW myview COMMENT='Test view' AS SELECT col1, col2 FROM mytable";

    await t.step("SHOW VIEWS lists MYVIEW with its comment and the CREATE text", async () => {
      await ready();
      await db.run(`${text};`);
      const r = await db.run("SHOW VIEWS LIKE 'myview';");
      assertRecord(r, "name", "MYVIEW", {
        database_name: DB,
        schema_name: SCHEMA,
        comment: "Test view",
        text,
      });
    });

    await t.step("the view returns the table's rows", async () => {
      await ready();
      // Computed: a view returns its query's result.
      await expectRows(db, "SELECT * FROM myview ORDER BY col1", {
        columns: ["COL1", "COL2"],
        rows: [["1", "one"], ["2", "two"]],
      });
    });

    await t.step("CREATE OR REPLACE VIEW replaces the definition", async () => {
      await ready();
      // Computed from the page's syntax (OR REPLACE); the page prints no output for it.
      await db.run("CREATE OR REPLACE VIEW myview AS SELECT col1 FROM mytable WHERE col1 > 1;");
      await expectRows(db, "SELECT * FROM myview", { columns: ["COL1"], rows: [["2"]] });
    });
  },
);

const HIERARCHY_COLUMNS = [
  "TITLE",
  "EMPLOYEE_ID",
  "MANAGER_ID",
  "MGR_EMP_ID (SHOULD BE SAME)",
  "MGR TITLE",
];
const HIERARCHY = [
  ["President", "1", null, null, "President"],
  ["Vice President Engineering", "10", "1", "1", "President"],
  ["Vice President HR", "20", "1", "1", "President"],
  ["Programmer", "100", "10", "10", "Vice President Engineering"],
  ["QA Engineer", "101", "10", "10", "Vice President Engineering"],
  ["Health Insurance Analyst", "200", "20", "20", "Vice President HR"],
];

// https://docs.snowflake.com/en/sql-reference/sql/create-view (recursive views)
conformance("CREATE VIEW: recursive views over a hierarchy", async ({ db }, t) => {
  const ready = once(async () => {
    await db.runAll([
      "CREATE OR REPLACE TABLE employees (title VARCHAR, employee_ID INTEGER, manager_ID INTEGER);",
      `INSERT INTO employees (title, employee_ID, manager_ID) VALUES
         ('President', 1, NULL),  -- The President has no manager.
             ('Vice President Engineering', 10, 1),
                 ('Programmer', 100, 10),
                 ('QA Engineer', 101, 10),
             ('Vice President HR', 20, 1),
                 ('Health Insurance Analyst', 200, 20);`,
    ]);
  });

  await t.step("a view over WITH RECURSIVE lists every employee with their manager", async () => {
    await ready();
    await db.run(
      `CREATE VIEW employee_hierarchy (title, employee_ID, manager_ID, "MGR_EMP_ID (SHOULD BE SAME)", "MGR TITLE") AS (
       WITH RECURSIVE employee_hierarchy_cte (title, employee_ID, manager_ID, "MGR_EMP_ID (SHOULD BE SAME)", "MGR TITLE") AS (
          -- Start at the top of the hierarchy ...
          SELECT title, employee_ID, manager_ID, NULL AS "MGR_EMP_ID (SHOULD BE SAME)", 'President' AS "MGR TITLE"
            FROM employees
            WHERE title = 'President'
          UNION ALL
          -- ... and work our way down one level at a time.
          SELECT employees.title,
                 employees.employee_ID,
                 employees.manager_ID,
                 employee_hierarchy_cte.employee_id AS "MGR_EMP_ID (SHOULD BE SAME)",
                 employee_hierarchy_cte.title AS "MGR TITLE"
            FROM employees INNER JOIN employee_hierarchy_cte
           WHERE employee_hierarchy_cte.employee_ID = employees.manager_ID
       )
       SELECT *
          FROM employee_hierarchy_cte
    );`,
    );
    await expectRows(db, "SELECT *\n    FROM employee_hierarchy\n    ORDER BY employee_ID;", {
      columns: HIERARCHY_COLUMNS,
      rows: HIERARCHY,
    });
  });

  await t.step("CREATE RECURSIVE VIEW gives the same rows", async () => {
    await ready();
    await db.run(
      `CREATE RECURSIVE VIEW employee_hierarchy_02 (title, employee_ID, manager_ID, "MGR_EMP_ID (SHOULD BE SAME)", "MGR TITLE") AS (
          -- Start at the top of the hierarchy ...
          SELECT title, employee_ID, manager_ID, NULL AS "MGR_EMP_ID (SHOULD BE SAME)", 'President' AS "MGR TITLE"
            FROM employees
            WHERE title = 'President'
          UNION ALL
          -- ... and work our way down one level at a time.
          SELECT employees.title,
                 employees.employee_ID,
                 employees.manager_ID,
                 employee_hierarchy_02.employee_id AS "MGR_EMP_ID (SHOULD BE SAME)",
                 employee_hierarchy_02.title AS "MGR TITLE"
            FROM employees INNER JOIN employee_hierarchy_02
            WHERE employee_hierarchy_02.employee_ID = employees.manager_ID
    );`,
    );
    await expectRows(db, "SELECT *\n    FROM employee_hierarchy_02\n    ORDER BY employee_ID;", {
      columns: HIERARCHY_COLUMNS,
      rows: HIERARCHY,
    });
  });
});

// https://docs.snowflake.com/en/sql-reference/data-types-text (VARCHAR: "if a value is longer than
// the maximum length, an error is returned"; the error is 100074, "String '…' is too long and
// would be truncated")
conformance("VARCHAR(n): longer text is refused, not stored or truncated", async ({ db }, t) => {
  const ready = once(async () => {
    await db.runAll([
      "CREATE TABLE short_text (s VARCHAR(5), n NUMBER);",
      "INSERT INTO short_text VALUES ('abcde', 1);",
    ]);
  });
  const tooLong = {
    code: "100074",
    sqlState: "22000",
    message: "String 'toolongvalue' is too long and would be truncated",
  };

  await t.step("INSERT … VALUES, INSERT … SELECT, UPDATE and MERGE refuse it", async () => {
    await ready();
    await db.expectError("INSERT INTO short_text (s) VALUES ('toolongvalue');", tooLong);
    await db.expectError("INSERT INTO short_text (s) SELECT 'toolong' || 'value';", tooLong);
    await db.expectError("UPDATE short_text SET s = 'toolongvalue';", tooLong);
    await db.expectError(
      `MERGE INTO short_text USING (SELECT 1 AS n) AS src ON short_text.n = src.n
         WHEN MATCHED THEN UPDATE SET s = 'toolongvalue';`,
      tooLong,
    );
    await expectRows(db, "SELECT s FROM short_text;", { rows: [["abcde"]] });
  });

  await t.step("text that fits is stored, a number as its text", async () => {
    await ready();
    await db.run("INSERT INTO short_text (s) VALUES ('ab'), ('éèêëà'), (12345);");
    await expectRows(db, "SELECT s FROM short_text WHERE s <> 'abcde' ORDER BY s;", {
      rows: [["12345"], ["ab"], ["éèêëà"]],
    });
    await db.expectError("INSERT INTO short_text (s) VALUES (123456);", {
      code: "100074",
      message: "String '123456' is too long and would be truncated",
    });
  });
});

// https://docs.snowflake.com/en/sql-reference/sql/alter-table (RENAME TO)
conformance(
  "ALTER TABLE … RENAME TO: the same table, rows and streams under a new name",
  async ({ db }, t) => {
    await t.step("rows, inserts and a stream on it carry over; the old name is gone", async () => {
      await db.runAll([
        "CREATE TABLE old_name (x NUMBER, s VARCHAR);",
        "INSERT INTO old_name VALUES (1, 'p');",
        "CREATE STREAM old_name_changes ON TABLE old_name;",
        "CREATE VIEW old_name_view AS SELECT * FROM old_name;",
      ]);
      await expectRows(db, "ALTER TABLE old_name RENAME TO new_name;", {
        rows: [["Statement executed successfully."]],
      });
      await db.run("INSERT INTO new_name VALUES (2, 'q');");
      await expectRows(db, "SELECT x, s FROM new_name ORDER BY x;", {
        rows: [["1", "p"], ["2", "q"]],
      });
      await expectRows(db, "SELECT x FROM old_name_changes;", { rows: [["2"]] });
      await db.expectError("SELECT * FROM old_name;", { code: "002003", sqlState: "42S02" });
      // A view names the table in its text: it no longer resolves, as in Snowflake.
      await db.expectError("SELECT * FROM old_name_view;", { code: "002003" });
      const shown = await db.run("SHOW TABLES LIKE 'NEW_NAME';");
      assert.equal(shown.rows.length, 1);
    });

    await t.step("onto a name that exists: 002002, nothing renamed", async () => {
      await db.run("CREATE TABLE other_name (y NUMBER);");
      await db.expectError("ALTER TABLE other_name RENAME TO new_name;", {
        code: "002002",
        message: /already exists/,
      });
      await expectRows(db, "SELECT COUNT(*) FROM other_name;", { rows: [["0"]] });
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/sql/comment,
// https://docs.snowflake.com/en/sql-reference/sql/alter-table-column,
// https://docs.snowflake.com/en/sql-reference/sql/create-schema
conformance("COMMENT ON, ALTER COLUMN, CREATE OR REPLACE SCHEMA", async ({ db }, t) => {
  const ready = once(() =>
    db.runAll([
      "CREATE TABLE alt_t (id NUMBER(10,0), name VARCHAR(10), amt NUMBER(10,2))",
      "INSERT INTO alt_t VALUES (1, 'abc', 1.5), (2, NULL, 2.25)",
    ])
  );

  await t.step("COMMENT ON TABLE and COLUMN, ALTER TABLE SET | UNSET COMMENT", async () => {
    await ready();
    await db.run("COMMENT ON TABLE alt_t IS 'customers'");
    await db.run("COMMENT ON COLUMN alt_t.name IS 'their name'");
    await expectRows(
      db,
      "SELECT COMMENT FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = 'ALT_T'",
      { rows: [["customers"]] },
    );
    await expectRows(
      db,
      "SELECT COMMENT FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = 'ALT_T' AND COLUMN_NAME = 'NAME'",
      { rows: [["their name"]] },
    );
    await db.run("ALTER TABLE alt_t SET COMMENT = 'all customers'");
    await expectRows(
      db,
      "SELECT COMMENT FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = 'ALT_T'",
      { rows: [["all customers"]] },
    );
    await db.run("ALTER TABLE alt_t UNSET COMMENT");
    await expectRows(
      db,
      "SELECT COMMENT FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = 'ALT_T'",
      { rows: [[null]] },
    );
  });

  await t.step(
    "SET DATA TYPE widens a VARCHAR or a NUMBER's precision, refuses the rest",
    async () => {
      await ready();
      await db.run("ALTER TABLE alt_t ALTER COLUMN name SET DATA TYPE VARCHAR(20)");
      await db.run("INSERT INTO alt_t VALUES (3, 'fifteen letters', 3)");
      await db.run("ALTER TABLE alt_t ALTER COLUMN id SET DATA TYPE NUMBER(20,0)");
      await db.run("INSERT INTO alt_t VALUES (12345678901234, 'big', 4)");
      await expectRows(
        db,
        `SELECT COLUMN_NAME, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION FROM INFORMATION_SCHEMA.COLUMNS
         WHERE TABLE_NAME = 'ALT_T' AND COLUMN_NAME IN ('ID', 'NAME') ORDER BY 1`,
        { rows: [["ID", null, "20"], ["NAME", "20", null]] },
      );
      await db.expectError("ALTER TABLE alt_t ALTER COLUMN name SET DATA TYPE VARCHAR(5)", {
        message: "reducing the byte-length of a varchar is not supported",
      });
      await db.expectError("ALTER TABLE alt_t ALTER COLUMN amt SET DATA TYPE NUMBER(10,4)", {
        message: "changing the scale of a number is not supported",
      });
    },
  );

  await t.step("SET NOT NULL and DROP NOT NULL", async () => {
    await ready();
    await db.run("ALTER TABLE alt_t ALTER COLUMN id SET NOT NULL");
    await db.expectError("INSERT INTO alt_t VALUES (NULL, 'x', 1)", { code: "100072" });
    await db.run("ALTER TABLE alt_t ALTER COLUMN id DROP NOT NULL");
    await db.run("INSERT INTO alt_t VALUES (NULL, 'x', 1)");
  });

  await t.step(
    "CREATE OR REPLACE SCHEMA empties it; CREATE TRANSIENT SCHEMA makes one",
    async () => {
      await db.run("CREATE OR REPLACE SCHEMA alt_s");
      await db.run("CREATE TABLE alt_s.inside (x NUMBER)");
      await db.run("CREATE OR REPLACE SCHEMA alt_s");
      await db.expectError("SELECT * FROM alt_s.inside", { code: "002003" });
      await db.run("CREATE TRANSIENT SCHEMA IF NOT EXISTS alt_s2");
      await db.run("CREATE TABLE alt_s2.x (n NUMBER)");
    },
  );
});

// https://docs.snowflake.com/en/sql-reference/sql/create-table ("CREATE OR REPLACE statements are
// atomic"): a replacement that fails leaves the table as it was.
conformance(
  "a CREATE OR REPLACE TABLE that fails leaves the old table as it was",
  async ({ db }) => {
    await db.run("CREATE TABLE kept (x NUMBER(4,0), y VARCHAR)");
    await db.run("INSERT INTO kept VALUES (7, 'seven')");
    await db.expectError("CREATE OR REPLACE TABLE kept AS SELECT 1/0 AS z", { code: "100051" });
    const r = await db.run("SELECT * FROM kept");
    assert.deepEqual(r.columns.map((c) => [c.name, c.type, c.precision]), [
      ["X", "fixed", 4],
      ["Y", "text", null],
    ]);
    assert.deepEqual(r.rows, [["7", "seven"]]);
    await db.run("INSERT INTO kept VALUES (8, 'eight')");
    assert.deepEqual((await db.run("SELECT COUNT(*) FROM kept")).rows, [["2"]]);
  },
);

// https://docs.snowflake.com/en/sql-reference/sql/insert: values must match the column list.
conformance(
  "an INSERT with fewer or more values than columns fails with 002020",
  async ({ db }) => {
    await db.run("CREATE TABLE three (a NUMBER, b NUMBER, c NUMBER)");
    await db.expectError("INSERT INTO three VALUES (1, 2)", {
      code: "002020",
      sqlState: "21S01",
      message: "Insert value list does not match column list expecting 3 but got 2",
    });
    await db.expectError("INSERT INTO three (a, b) SELECT 1, 2, 3", {
      code: "002020",
      message: "expecting 2 but got 3",
    });
    assert.deepEqual((await db.run("SELECT COUNT(*) FROM three")).rows, [["0"]]);
  },
);

// https://docs.snowflake.com/en/sql-reference/data-type-conversion: a VARIANT stored into a column
// of another type is cast to it, a JSON string to its text (not its quoted JSON).
conformance("INSERT … SELECT of VARIANT values into typed columns casts them", async ({ db }) => {
  await db.run("CREATE TABLE from_json (s VARCHAR, n NUMBER(38,0), b BOOLEAN, d DATE)");
  await db.run(
    `INSERT INTO from_json SELECT PARSE_JSON('"ana"'), PARSE_JSON('12345678901234567891'),
    PARSE_JSON('true'), PARSE_JSON('"2026-03-01"')`,
  );
  assert.deepEqual((await db.run("SELECT * FROM from_json")).rows, [[
    "ana",
    "12345678901234567891",
    "True",
    "2026-03-01",
  ]]);
});
