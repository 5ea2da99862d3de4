/**
 * Statements other tools send, each of which failed or gave a wrong answer before: dbt's catalog
 * and schema checks, sample-data generators built on RANDOM(), string escapes, and what metadata
 * tools read back after DDL.
 */
import assert from "node:assert/strict";
import { conformance } from "./harness.ts";

/** `n` rows of `expr` from a GENERATOR, as a sample-data script draws them. */
const drawn = (expr: string, n = 1000) =>
  `SELECT ${expr} AS X FROM TABLE(GENERATOR(ROWCOUNT => ${n}))`;

conformance("a random operand is read once per row, as Snowflake reads it", async ({ db }, t) => {
  // Each counts rows no branch could have produced if the operand were read once.
  const cases: [string, string][] = [
    [
      "DECODE",
      `SELECT COUNT_IF(X IS NULL) FROM (${
        drawn("DECODE(UNIFORM(1, 3, RANDOM()), 1, 'a', 2, 'b', 3, 'c')")
      })`,
    ],
    [
      "simple CASE",
      `SELECT COUNT_IF(X = 'none') FROM (${
        drawn(
          "CASE UNIFORM(1, 3, RANDOM()) WHEN 1 THEN 'a' WHEN 2 THEN 'b' WHEN 3 THEN 'c' ELSE 'none' END",
        )
      })`,
    ],
    ["NULLIF", `SELECT COUNT_IF(X = 1) FROM (${drawn("NULLIF(UNIFORM(1, 2, RANDOM()), 1)")})`],
    ["IN", `SELECT COUNT_IF(NOT X) FROM (${drawn("UNIFORM(1, 2, RANDOM()) IN (1, 2)")})`],
    [
      "BETWEEN",
      `SELECT COUNT_IF(NOT X) FROM (${drawn("UNIFORM(1, 3, RANDOM()) BETWEEN 1 AND 3")})`,
    ],
    ["DIV0", `SELECT COUNT_IF(X IS NULL) FROM (${drawn("DIV0(10, UNIFORM(0, 2, RANDOM()))")})`],
  ];
  for (const [name, sql] of cases) {
    await t.step(name, async () => {
      assert.deepEqual((await db.run(sql)).rows, [["0"]]);
    });
  }

  await t.step("a column operand and an aggregate one still work", async () => {
    const r = await db.run(
      `SELECT CASE SEQ4() % 3 WHEN 0 THEN 'z' WHEN 1 THEN 'o' ELSE 't' END,
              DECODE(SEQ4(), 0, 'a', 'b') FROM TABLE(GENERATOR(ROWCOUNT => 3))`,
    );
    assert.deepEqual(r.rows, [["z", "a"], ["o", "b"], ["t", "b"]]);
    const agg = await db.run(
      "SELECT CASE COUNT(*) WHEN 3 THEN 'three' END, NULLIF(COUNT(*), 3) FROM TABLE(GENERATOR(ROWCOUNT => 3))",
    );
    assert.deepEqual(agg.rows, [["three", null]]);
  });
});

// https://docs.snowflake.com/en/sql-reference/data-types-text#escape-sequences-in-single-quoted-string-constants
conformance("escape sequences in single-quoted strings", async ({ db }, t) => {
  await t.step("hex, Unicode and octal escapes", async () => {
    const r = await db.run(
      String.raw`SELECT 'uni\u00e9', 'hex\x41', 'oct\101', 'a\\x41', 'it''s \x41', 'q\'s'`,
    );
    assert.deepEqual(r.rows, [["unié", "hexA", "octA", "a\\x41", "it's A", "q's"]]);
  });

  await t.step("a NUL character is a character", async () => {
    const r = await db.run(String.raw`SELECT LENGTH('z\0z'), 'z\0z' = 'z' || CHR(0) || 'z'`);
    assert.deepEqual(r.rows, [["3", "True"]]);
  });

  await t.step("an unknown escape drops its backslash", async () => {
    const r = await db.run(
      String
        .raw`SELECT REGEXP_REPLACE('ab12cd', '\\d+', '#'), REGEXP_REPLACE('ab12cd', '\d+', '#')`,
    );
    assert.deepEqual(r.rows, [["ab#cd", "ab12c#"]]);
  });
});

conformance("what dbt sends to list and describe a schema", async ({ db }, t) => {
  await t.step("TO_VARCHAR with a format made of concatenated literals", async () => {
    // dbt-snowflake's catalog query: to_varchar(convert_timezone('UTC', last_altered), …)
    const r = await db.run(
      `SELECT TO_VARCHAR('2024-03-05 10:11:00'::TIMESTAMP_NTZ, 'yyyy-mm-dd HH24:MI'||'UTC'),
              TO_VARCHAR('2024-03-05'::DATE, ('YYYY'||'-')||'MM')`,
    );
    assert.deepEqual(r.rows, [["2024-03-05 10:11UTC", "2024-03"]]);
  });

  await t.step("SHOW SCHEMAS LIKE | STARTS WITH | LIMIT list only what matches", async () => {
    await db.run("CREATE SCHEMA ANALYTICS");
    const names = async (sql: string) => (await db.run(sql)).rows.map((r) => r[1]);
    // check_schema_exists: one row when it exists, none when not.
    assert.deepEqual(await names("SHOW TERSE SCHEMAS LIKE 'ANALYTICS' LIMIT 1"), ["ANALYTICS"]);
    assert.deepEqual(await names("SHOW SCHEMAS LIKE 'NOPE'"), []);
    assert.deepEqual(await names("SHOW SCHEMAS STARTS WITH 'AN'"), ["ANALYTICS"]);
    assert.deepEqual(await names("SHOW SCHEMAS LIMIT 2"), ["ANALYTICS", "INFORMATION_SCHEMA"]);
    assert.deepEqual(await names("SHOW DATABASES STARTS WITH 'X'"), []);
  });

  await t.step("SHOW … LIMIT n FROM 'name' pages after that name", async () => {
    await db.runAll(["CREATE TABLE P_A (X INT);", "CREATE TABLE P_B (X INT);"]);
    await db.runAll(["CREATE TABLE P_C (X INT);", "CREATE VIEW P_D AS SELECT 1 AS X;"]);
    const names = async (sql: string) => (await db.run(sql)).rows.map((r) => r[1]);
    assert.deepEqual(await names("SHOW TERSE OBJECTS LIKE 'P\\_%' LIMIT 2"), ["P_A", "P_B"]);
    assert.deepEqual(
      await names("SHOW TERSE OBJECTS LIKE 'P\\_%' LIMIT 2 FROM 'P_B'"),
      ["P_C", "P_D"],
    );
    assert.deepEqual(await names("SHOW TERSE OBJECTS LIKE 'P\\_%' LIMIT 9 FROM 'P_D'"), []);
  });

  await t.step("INFORMATION_SCHEMA.TABLES.ROW_COUNT counts deleted rows out", async () => {
    await db.runAll([
      "CREATE TABLE T_CNT (A INT);",
      "INSERT INTO T_CNT SELECT SEQ4() FROM TABLE(GENERATOR(ROWCOUNT => 10));",
      "DELETE FROM T_CNT WHERE A < 4;",
    ]);
    const r = await db.run(
      "SELECT ROW_COUNT FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = 'T_CNT'",
    );
    assert.deepEqual(r.rows, [["6"]]);
  });

  await t.step("ADD COLUMN IF NOT EXISTS … DEFAULT keeps the default's text", async () => {
    await db.runAll([
      "CREATE TABLE D2 (A INT);",
      "ALTER TABLE D2 ADD COLUMN IF NOT EXISTS K VARCHAR DEFAULT 'hello';",
      "ALTER TABLE D2 ADD IF NOT EXISTS M NUMBER DEFAULT 42;",
    ]);
    const r = await db.run(
      `SELECT COLUMN_NAME, COLUMN_DEFAULT FROM INFORMATION_SCHEMA.COLUMNS
       WHERE TABLE_NAME = 'D2' ORDER BY ORDINAL_POSITION`,
    );
    assert.deepEqual(r.rows, [["A", null], ["K", "'hello'"], ["M", "42"]]);
  });

  await t.step("an inline key with RELY", async () => {
    await db.run("CREATE TABLE PK_T (ID INT PRIMARY KEY RELY, C VARCHAR DEFAULT 'x')");
    const r = await db.run("SHOW PRIMARY KEYS IN TABLE PK_T");
    assert.equal(r.rows.length, 1);
  });
});

// https://docs.snowflake.com/en/sql-reference/parameters#timezone
conformance("the account's TIMEZONE and stored TIMESTAMP_TZ values", async ({ db }, t) => {
  await t.step("TIMEZONE is UTC, set at the account level, until a session sets it", async () => {
    const level = async () =>
      (await db.run("SHOW PARAMETERS LIKE 'TIMEZONE' IN SESSION")).rows.map((r) => [r[1], r[3]]);
    assert.deepEqual(await level(), [["UTC", "ACCOUNT"]]);
    await db.run("ALTER SESSION SET TIMEZONE = 'Europe/Paris'");
    assert.deepEqual(await level(), [["Europe/Paris", "SESSION"]]);
    await db.run("ALTER SESSION UNSET TIMEZONE");
    assert.deepEqual(await level(), [["UTC", "ACCOUNT"]]);
  });

  await t.step("a stored TIMESTAMP_TZ is read where it is shown, in any session", async () => {
    await db.runAll([
      "CREATE TABLE TZ2 (ID INT, TZ TIMESTAMP_TZ);",
      "INSERT INTO TZ2 VALUES (1, '2024-06-01 23:30:00 +02:00');",
    ]);
    const read = async () =>
      (await db.run("SELECT TZ, DATE(TZ), HOUR(TZ), TZ::TIMESTAMP_NTZ FROM TZ2")).rows;
    const utc = await read();
    assert.deepEqual(utc, [[
      "2024-06-01 21:30:00.000 +0000",
      "2024-06-01",
      "21",
      "2024-06-01 21:30:00.000",
    ]]);
    await db.run("ALTER SESSION SET TIMEZONE = 'America/Los_Angeles'");
    assert.deepEqual(await read(), utc);
  });
});

conformance("statements about what the emulator has not: Snowflake's error", async ({ db }, t) => {
  await t.step("unsupported objects and commands get 000002, naming them", async () => {
    for (
      const [sql, named] of [
        ["ALTER SEQUENCE SEQ1 SET INCREMENT = 2", "ALTER SEQUENCE"],
        ["ALTER TASK T1 RESUME", "ALTER TASK"],
        ["EXECUTE TASK T1", "EXECUTE TASK"],
        ["PUT file:///tmp/x.csv @MY_STAGE", "PUT"],
        ["LIST @MY_STAGE", "LIST"],
        ["CREATE FILE FORMAT FF TYPE = CSV", "CREATE FILE FORMAT"],
        ["CREATE OR REPLACE MASKING POLICY MP AS (V STRING) RETURNS STRING -> V", "MASKING"],
        ["CREATE HYBRID TABLE H (ID INT PRIMARY KEY)", "CREATE HYBRID TABLE"],
        ["CREATE EXTERNAL TABLE E (A INT) LOCATION = @S", "CREATE EXTERNAL TABLE"],
        ["DESCRIBE RESULT LAST_QUERY_ID()", "DESCRIBE RESULT"],
        ["SHOW TABLES HISTORY", "HISTORY"],
      ]
    ) {
      await assert.rejects(
        () => db.run(sql),
        (e: Error) => /000002/.test(e.message) && e.message.includes(named),
        sql,
      );
    }
  });

  await t.step("DROP … IF EXISTS of such an object still succeeds", async () => {
    const r = await db.run("DROP TASK IF EXISTS T1");
    assert.match(String(r.rows[0][0]), /successfully/);
  });

  await t.step("a session parameter it would ignore is refused, its default taken", async () => {
    await assert.rejects(
      () => db.run("ALTER SESSION SET DATE_INPUT_FORMAT = 'DD/MM/YYYY'"),
      /000002[\s\S]*DATE_INPUT_FORMAT/,
    );
    await assert.rejects(
      () => db.run("ALTER SESSION SET QUOTED_IDENTIFIERS_IGNORE_CASE = TRUE"),
      /000002/,
    );
    await db.run("ALTER SESSION SET DATE_INPUT_FORMAT = 'AUTO'");
    await db.run("ALTER SESSION SET QUERY_TAG = 'dbt'");
    assert.deepEqual((await db.run("SELECT '2024-03-05'::DATE")).rows, [["2024-03-05"]]);
  });

  await t.step("a semi-structured call in VALUES is refused, as Snowflake does", async () => {
    await db.run("CREATE TABLE JV (V VARIANT)");
    await assert.rejects(
      () => db.run(`INSERT INTO JV (V) VALUES (PARSE_JSON('{"a":1}'))`),
      /002014[\s\S]*Invalid expression \[PARSE_JSON\('\{"a":1\}'\)\] in VALUES clause/,
    );
    await db.run(`INSERT INTO JV (V) SELECT PARSE_JSON('{"a":1}')`);
    assert.deepEqual((await db.run("SELECT V:a FROM JV")).rows, [["1"]]);
  });

  await t.step("SELECT * of a generator, which has no columns", async () => {
    await assert.rejects(
      () => db.run("SELECT * FROM TABLE(GENERATOR(ROWCOUNT => 5)) A LIMIT 1"),
      /SELECT with no columns/,
    );
  });
});

conformance("ALTER TABLE … ADD COLUMN a, b: several columns at once", async ({ db }, t) => {
  await t.step("each column with its type and default", async () => {
    // dbt's on_schema_change = 'append_new_columns' sends this form.
    await db.runAll([
      "CREATE TABLE T (A INT);",
      "ALTER TABLE T ADD COLUMN C4 INT, C5 NUMBER(10,2) DEFAULT 1.5, C6 VARCHAR DEFAULT 'a,b';",
      "ALTER TABLE T ADD COLUMN IF NOT EXISTS C6 INT, C7 INT;",
    ]);
    const r = await db.run(
      `SELECT COLUMN_NAME, DATA_TYPE, NUMERIC_SCALE, COLUMN_DEFAULT FROM INFORMATION_SCHEMA.COLUMNS
       WHERE TABLE_NAME = 'T' ORDER BY ORDINAL_POSITION`,
    );
    assert.deepEqual(r.rows, [
      ["A", "NUMBER", "0", null],
      ["C4", "NUMBER", "0", null],
      ["C5", "NUMBER", "2", "1.5"],
      ["C6", "TEXT", null, "'a,b'"],
      ["C7", "NUMBER", "0", null],
    ]);
  });
});

conformance("array functions, HAVERSINE, TO_BINARY, GETVARIABLE", async ({ db }, t) => {
  // https://docs.snowflake.com/en/sql-reference/functions/array_except (and _intersection)
  await t.step("ARRAY_EXCEPT and ARRAY_INTERSECTION count duplicates", async () => {
    const r = await db.run(
      `SELECT ARRAY_EXCEPT(ARRAY_CONSTRUCT('A','B','B','B','C'), ARRAY_CONSTRUCT('B','C')),
              ARRAY_INTERSECTION(ARRAY_CONSTRUCT('A','B','B','B','C'), ARRAY_CONSTRUCT('B','B','C','D')),
              ARRAY_EXCEPT(NULL, ARRAY_CONSTRUCT(1))`,
    );
    assert.deepEqual(r.rows.map((x) => x.map((v) => v && JSON.parse(v))), [[
      ["A", "B", "B"],
      ["B", "B", "C"],
      null,
    ]]);
  });

  // https://docs.snowflake.com/en/sql-reference/functions/array_remove
  await t.step("ARRAY_REMOVE takes out every equal number", async () => {
    const r = await db.run(
      "SELECT ARRAY_REMOVE(ARRAY_CONSTRUCT(1, 5, 5.00, 5.0, 1), 5), ARRAY_REMOVE(ARRAY_CONSTRUCT(1), NULL)",
    );
    assert.deepEqual([JSON.parse(r.rows[0][0]!), r.rows[0][1]], [[1, 1], null]);
  });

  await t.step("ARRAY_GENERATE_RANGE, ARRAY_MIN, ARRAY_MAX", async () => {
    const r = await db.run(
      `SELECT ARRAY_GENERATE_RANGE(2, 5), ARRAY_GENERATE_RANGE(5, 25, 10),
              ARRAY_GENERATE_RANGE(-1, -4, -2), ARRAY_GENERATE_RANGE(5, 2),
              ARRAY_MIN(ARRAY_CONSTRUCT(20, 0, NULL, 10)), ARRAY_MAX(ARRAY_CONSTRUCT(20, 0, NULL, 10)),
              ARRAY_MIN(ARRAY_CONSTRUCT('b', 'a'))`,
    );
    assert.deepEqual(r.rows[0].map((v) => JSON.parse(v!)), [
      [2, 3, 4],
      [5, 15],
      [-1, -3],
      [],
      0,
      20,
      "a",
    ]);
  });

  // https://docs.snowflake.com/en/sql-reference/functions/haversine
  await t.step("HAVERSINE in kilometres", async () => {
    const r = await db.run("SELECT HAVERSINE(40.7127, -74.0059, 34.0500, -118.2500)");
    assert.equal(Number(r.rows[0][0]).toFixed(6), "3936.385096");
  });

  await t.step("TO_BINARY from hex, base64 and UTF-8", async () => {
    const r = await db.run(
      `SELECT HEX_ENCODE(TO_BINARY('534E4F57')), HEX_ENCODE(TO_BINARY('U05PVw==', 'BASE64')),
              HEX_ENCODE(TO_BINARY('SNOW', 'UTF-8'))`,
    );
    assert.deepEqual(r.rows, [["534E4F57", "534E4F57", "534E4F57"]]);
  });

  await t.step("GETVARIABLE reads a session variable, NULL when there is none", async () => {
    await db.run("SET MY_VAR = 'abc'");
    assert.deepEqual(
      (await db.run("SELECT GETVARIABLE('MY_VAR'), GETVARIABLE('NOPE')")).rows,
      [["abc", null]],
    );
  });
});

// snowflake-sdk's `describeOnly`, which tools use to learn a query's columns before running it.
conformance(
  "describe-only requests: a query's columns, no rows, nothing run",
  async ({ db }, t) => {
    await t.step("a query's columns and types come back without its rows", async () => {
      await db.runAll([
        "CREATE TABLE D (ID NUMBER(10,0), PRICE NUMBER(12,2), NAME VARCHAR(20), AT TIMESTAMP_NTZ);",
        "INSERT INTO D VALUES (1, 9.99, 'a', '2024-01-01 00:00:00');",
      ]);
      const r = await db.describe("SELECT ID, PRICE * 2 AS DOUBLED, NAME, AT FROM D");
      assert.deepEqual(r.rows, []);
      assert.deepEqual(r.columns.map((c) => [c.name, c.type, c.scale]), [
        ["ID", "fixed", 0],
        ["DOUBLED", "fixed", 2],
        ["NAME", "text", null],
        ["AT", "timestamp_ntz", 9],
      ]);
    });

    await t.step("placeholders need no values to be described", async () => {
      const r = await db.describe("SELECT ID, NAME FROM D WHERE ID = ? AND NAME <> ?");
      assert.deepEqual([r.columns.map((c) => c.name), r.rows], [["ID", "NAME"], []]);
    });

    await t.step(
      "a statement that would change something is refused, and changes nothing",
      async () => {
        await assert.rejects(() => db.describe("DELETE FROM D"), /000002/);
        assert.deepEqual((await db.run("SELECT COUNT(*) FROM D")).rows, [["1"]]);
      },
    );
  },
);

// Looker's symmetric aggregates: a sum over a one-to-many join, each order counted once.
conformance(
  "TO_NUMBER with a hexadecimal format, as Looker's symmetric aggregates use it",
  async ({ db }, t) => {
    await t.step("hexadecimal text to a number, up to 32 digits (an MD5)", async () => {
      const r = await db.run(
        `SELECT TO_NUMBER(MD5('1'), 'XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX'), TO_NUMBER('ff', 'XX'),
              TRY_TO_NUMBER('fff', 'XX'), TO_NUMBER('0a', 'XX', 10, 0)`,
      );
      assert.deepEqual(r.rows, [["261578874264819908609102035485573088411", "255", null, "10"]]);
      await assert.rejects(() => db.run("SELECT TO_NUMBER('zz', 'XX')"), /100038/);
    });

    await t.step("a symmetric sum over a fan-out join counts each order once", async () => {
      await db.runAll([
        "CREATE TABLE ORDERS (ID INT, AMOUNT NUMBER(10,2));",
        "INSERT INTO ORDERS VALUES (1, 10.50), (2, 20.25), (3, 5.00);",
        "CREATE TABLE ITEMS (ORDER_ID INT, SKU VARCHAR);",
        "INSERT INTO ITEMS VALUES (1,'a'), (1,'b'), (2,'c'), (3,'d'), (3,'e'), (3,'f');",
      ]);
      const key = "TO_NUMBER(MD5(ORDERS.ID), 'XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX') % 1.0e27";
      const r = await db.run(
        `SELECT COALESCE(CAST((SUM(DISTINCT (CAST(FLOOR(COALESCE(ORDERS.AMOUNT, 0) * (1000000 * 1.0))
         AS DECIMAL(38,0))) + (${key})::NUMERIC(38, 0)) - SUM(DISTINCT (${key})::NUMERIC(38, 0)))
         AS DOUBLE PRECISION) / CAST((1000000 * 1.0) AS DOUBLE PRECISION), 0) AS TOTAL_AMOUNT
       FROM ORDERS JOIN ITEMS ON ITEMS.ORDER_ID = ORDERS.ID`,
      );
      assert.deepEqual(r.rows, [["35.75"]]);
    });
  },
);

conformance(
  "what SQLAlchemy and profilers send: EXTRACT forms, OBJECT_CONSTRUCT_KEEP_NULL(*)",
  async ({ db }, t) => {
    await t.step("EXTRACT(WEEK | TIMEZONE_HOUR | EPOCH_SECOND FROM …)", async () => {
      const r = await db.run(
        `SELECT EXTRACT(WEEK FROM '2024-05-17'::DATE),
              EXTRACT(TIMEZONE_HOUR FROM '2024-05-17 10:00:00 +02:00'::TIMESTAMP_TZ),
              EXTRACT(EPOCH_SECOND FROM '2024-05-17'::DATE), EXTRACT(MONTH FROM '2024-05-17'::DATE)`,
      );
      assert.deepEqual(r.rows, [["20", "2", "1715904000", "5"]]);
    });

    await t.step("OBJECT_CONSTRUCT_KEEP_NULL(*) keeps every column, NULLs included", async () => {
      const r = await db.run(
        "SELECT OBJECT_CONSTRUCT_KEEP_NULL(*), OBJECT_CONSTRUCT(*) FROM (SELECT 3 AS A, NULL AS B)",
      );
      assert.deepEqual(r.rows[0].map((v) => JSON.parse(v!)), [{ A: 3, B: null }, { A: 3 }]);
    });
  },
);

// What SQLAlchemy's reflection, JDBC's getPrimaryKeys and ERD tools read back.
conformance("composite and named keys, as declared", async ({ db }, t) => {
  await t.step("each key with its name and its columns in the declared order", async () => {
    await db.run(
      `CREATE TABLE UQ (A INT, B INT, C INT,
         CONSTRAINT UQ_AB UNIQUE (A, B), CONSTRAINT PK_BC PRIMARY KEY (C, B))`,
    );
    const keys = async (what: string) =>
      (await db.run(`SHOW ${what} IN TABLE UQ`)).rows.map((r) => [r[4], r[5], r[6]]);
    assert.deepEqual(await keys("UNIQUE KEYS"), [["A", "1", "UQ_AB"], ["B", "2", "UQ_AB"]]);
    assert.deepEqual(await keys("PRIMARY KEYS"), [["C", "1", "PK_BC"], ["B", "2", "PK_BC"]]);
    const ddl = (await db.run("SELECT GET_DDL('TABLE', 'UQ')")).rows[0][0]!;
    assert.match(ddl, /constraint UQ_AB unique \(A, B\),\n\tconstraint PK_BC primary key \(C, B\)/);
    assert.match(ddl, /\tC NUMBER\(38,0\) NOT NULL,/);
  });

  await t.step("ALTER TABLE adds, renames into and drops keys", async () => {
    await db.runAll([
      "ALTER TABLE UQ ADD CONSTRAINT U2 UNIQUE (C, A);",
      "ALTER TABLE UQ RENAME COLUMN A TO A2;",
      "ALTER TABLE UQ DROP PRIMARY KEY;",
    ]);
    const r = await db.run(
      `SELECT CONSTRAINT_NAME, CONSTRAINT_TYPE FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS
       WHERE TABLE_NAME = 'UQ' ORDER BY 1`,
    );
    assert.deepEqual(r.rows, [["U2", "UNIQUE"], ["UQ_AB", "UNIQUE"]]);
    const u2 = (await db.run("SHOW UNIQUE KEYS IN TABLE UQ")).rows
      .filter((x) => x[6] === "U2").map((x) => x[4]);
    assert.deepEqual(u2, ["C", "A2"]);
  });
});

conformance(
  "what profilers and catalogs send: functions, TERSE listings, COLUMNS' full set",
  async ({ db }, t) => {
    // https://docs.snowflake.com/en/sql-reference/functions/md5_number_lower64
    await t.step(
      "GREATEST/LEAST_IGNORE_NULLS, TRY_BASE64_DECODE_STRING, MD5_NUMBER_*64",
      async () => {
        const r = await db.run(
          `SELECT GREATEST_IGNORE_NULLS(1, NULL, 3), LEAST_IGNORE_NULLS(NULL, 2, 5),
              TRY_BASE64_DECODE_STRING('U05PVw=='), TRY_BASE64_DECODE_STRING('%%%'),
              MD5_NUMBER_LOWER64('Snowflake'), MD5_NUMBER_UPPER64('Snowflake')`,
        );
        assert.deepEqual(r.rows, [[
          "3",
          "2",
          "SNOW",
          null,
          "9203306159527282910",
          "17145559544104499780",
        ]]);
      },
    );

    await t.step("JSON_EXTRACT_PATH_TEXT", async () => {
      const r = await db.run(
        `SELECT JSON_EXTRACT_PATH_TEXT('{"a":{"b":[10,{"c":"x"}]}}', 'a.b[1].c'),
              JSON_EXTRACT_PATH_TEXT('{"odd key":{"c":1}}', '"odd key".c'),
              JSON_EXTRACT_PATH_TEXT('{"a":1}', 'z'), JSON_EXTRACT_PATH_TEXT('not json', 'a')`,
      );
      assert.deepEqual(r.rows, [["x", "1", null, null]]);
    });

    await t.step("SHOW TERSE DATABASES | SCHEMAS | VIEWS: the five terse columns", async () => {
      await db.run("CREATE VIEW VV AS SELECT 1 AS X");
      for (const what of ["DATABASES", "SCHEMAS", "VIEWS"]) {
        const r = await db.run(`SHOW TERSE ${what}`);
        assert.deepEqual(
          r.columns.map((c) => c.name),
          ["created_on", "name", "kind", "database_name", "schema_name"],
          what,
        );
      }
      assert.deepEqual(
        (await db.run("SHOW TERSE VIEWS")).rows.map((r) => r.slice(1)),
        [["VV", "VIEW", "STREAMING_INGEST", "STREAMING_INGEST"]],
      );
    });

    await t.step("INFORMATION_SCHEMA.COLUMNS has the standard's columns", async () => {
      await db.run("CREATE TABLE CT (ID INT AUTOINCREMENT, NAME VARCHAR(10))");
      const r = await db.run(
        `SELECT COLUMN_NAME, COLLATION_NAME, IS_IDENTITY, IDENTITY_CYCLE, IS_SELF_REFERENCING
       FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = 'CT' ORDER BY ORDINAL_POSITION`,
      );
      assert.deepEqual(r.rows, [["ID", null, "YES", "NO", "NO"], ["NAME", null, "NO", null, "NO"]]);
    });
  },
);

conformance("timestamps inside a VARIANT are Snowflake's text of them", async ({ db }) => {
  await db.runAll([
    "CREATE TABLE O (C_LTZ TIMESTAMP_LTZ, C_NTZ TIMESTAMP_NTZ, C_D DATE);",
    "INSERT INTO O VALUES ('2024-01-01 10:00:00 +00:00', '2024-01-01 10:00:00', '2024-01-01');",
    "ALTER SESSION SET TIMEZONE = 'America/New_York';",
  ]);
  const r = await db.run("SELECT TO_VARIANT(C_LTZ), TO_VARIANT(C_NTZ), OBJECT_CONSTRUCT(*) FROM O");
  assert.deepEqual(r.rows[0].map((v) => JSON.parse(v!)), [
    "2024-01-01 05:00:00.000 -0500",
    "2024-01-01 10:00:00.000",
    { C_LTZ: "2024-01-01 05:00:00.000 -0500", C_NTZ: "2024-01-01 10:00:00.000", C_D: "2024-01-01" },
  ]);
  // And they read back as the same instants.
  const back = await db.run(
    "SELECT TO_VARIANT(C_NTZ)::TIMESTAMP_NTZ = C_NTZ, OBJECT_CONSTRUCT(*):C_LTZ::TIMESTAMP_LTZ = C_LTZ FROM O",
  );
  assert.deepEqual(back.rows, [["True", "True"]]);
});

// What monitoring by QUERY_TAG (dbt sets one per model) reads back.
conformance("QUERY_HISTORY has each statement's QUERY_TYPE and QUERY_TAG", async ({ db }) => {
  await db.runAll([
    "ALTER SESSION SET QUERY_TAG = 'nightly';",
    "CREATE OR REPLACE TEMPORARY TABLE T1 (A INT);",
    "INSERT INTO T1 VALUES (1);",
    "SELECT * FROM T1;",
    "SHOW TABLES;",
  ]);
  await db.run("ALTER SESSION UNSET QUERY_TAG");
  const r = await db.run(
    `SELECT QUERY_TYPE, QUERY_TAG FROM TABLE(INFORMATION_SCHEMA.QUERY_HISTORY_BY_SESSION())
     ORDER BY START_TIME`,
  );
  assert.deepEqual(r.rows, [
    ["ALTER_SESSION", "nightly"],
    ["CREATE_TABLE", "nightly"],
    ["INSERT", "nightly"],
    ["SELECT", "nightly"],
    ["SHOW", "nightly"],
    ["ALTER_SESSION", ""],
  ]);
});

// dbt's metadata-based source freshness reads LAST_ALTERED.
conformance("INFORMATION_SCHEMA.TABLES.LAST_ALTERED moves with DML", async ({ db }) => {
  await db.run("CREATE TABLE FRESH (A INT)");
  const read = async () =>
    (await db.run(
      `SELECT CREATED, LAST_ALTERED FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = 'FRESH'`,
    )).rows[0];
  const [created, first] = await read();
  assert.equal(first, created, "nothing written yet");
  await new Promise((r) => setTimeout(r, 20));
  await db.run("INSERT INTO FRESH VALUES (1)");
  const [, inserted] = await read();
  assert.ok(inserted! > created!, `${inserted} after ${created}`);
  await new Promise((r) => setTimeout(r, 20));
  await db.run("DELETE FROM FRESH");
  const [, deleted] = await read();
  assert.ok(deleted! > inserted!, `${deleted} after ${inserted}`);
});

conformance("APPROX_TOP_K for profilers, NORMAL and RANDSTR for sample data", async ({ db }, t) => {
  await t.step("APPROX_TOP_K: the most frequent values with their counts", async () => {
    await db.runAll([
      "CREATE TABLE V (K VARCHAR, N INT);",
      "INSERT INTO V VALUES ('a',1),('b',2),('a',3),('c',4),('a',5),('b',6),(NULL,7);",
    ]);
    const r = await db.run(
      "SELECT APPROX_TOP_K(K), APPROX_TOP_K(K, 2), APPROX_TOP_K(N % 2, 2, 100) FROM V",
    );
    assert.deepEqual(r.rows[0].map((v) => JSON.parse(v!)), [
      [["a", 3]],
      [["a", 3], ["b", 2]],
      [[1, 4], [0, 3]],
    ]);
  });

  await t.step("NORMAL and RANDSTR: random with RANDOM(), repeatable with a constant", async () => {
    const stats = await db.run(
      `SELECT ROUND(AVG(X)), ROUND(STDDEV(X)) FROM
       (SELECT NORMAL(10, 2, RANDOM()) AS X FROM TABLE(GENERATOR(ROWCOUNT => 20000)))`,
    );
    assert.deepEqual(stats.rows, [["10", "2"]]);
    const r = await db.run(
      `SELECT NORMAL(0, 1, 42) = NORMAL(0, 1, 42), LENGTH(RANDSTR(12, RANDOM())),
              RANDSTR(8, 7) = RANDSTR(8, 7), RANDSTR(8, 7) <> RANDSTR(8, 8),
              REGEXP_LIKE(RANDSTR(30, RANDOM()), '[0-9A-Za-z]{30}')`,
    );
    assert.deepEqual(r.rows, [["True", "12", "True", "True", "True"]]);
  });
});

conformance(
  "ARRAY_UNION_AGG: the multiset union of arrays, for hierarchical distinct counts",
  async ({ db }) => {
    // Snowflake's example: [1, 1, 2] and [1, 2, 3] make [1, 1, 2, 3] (in no set order).
    await db.runAll([
      "CREATE TABLE UNION_TEST (A ARRAY);",
      "INSERT INTO UNION_TEST SELECT PARSE_JSON(A) FROM VALUES ('[1, 1, 2]'), ('[1, 2, 3]') V(A);",
    ]);
    const sorted = (v: string | null) => JSON.parse(v!).sort();
    const r = await db.run("SELECT ARRAY_UNION_AGG(A) FROM UNION_TEST");
    assert.deepEqual(sorted(r.rows[0][0]), [1, 1, 2, 3]);
    // NULL arrays and NULL elements are left out; no rows make an empty array.
    await db.runAll([
      `INSERT INTO UNION_TEST SELECT PARSE_JSON('[null, "x", 3, 3]');`,
      "INSERT INTO UNION_TEST SELECT NULL;",
    ]);
    const all = await db.run("SELECT ARRAY_UNION_AGG(A) FROM UNION_TEST");
    assert.deepEqual(sorted(all.rows[0][0]), [1, 1, 2, 3, 3, "x"]);
    const none = await db.run("SELECT ARRAY_UNION_AGG(A) FROM UNION_TEST WHERE FALSE");
    assert.deepEqual(none.rows, [["[]"]]);
    // Distinct values per group, then across groups: the distinct count of the whole.
    const rollup = await db.run(
      `SELECT ARRAY_SIZE(ARRAY_UNION_AGG(U)) FROM
       (SELECT ARRAY_UNIQUE_AGG(V) AS U FROM VALUES (1, 'a'), (2, 'a'), (2, 'b'), (3, 'b') T(V, G)
        GROUP BY G)`,
    );
    assert.deepEqual(rollup.rows, [["3"]]);
  },
);

conformance(
  "functions an outside probe found answering wrong, as Snowflake's documentation answers",
  async ({ db }, t) => {
    const one = async (sql: string) => (await db.run(sql)).rows;
    await t.step("RATIO_TO_REPORT: an ORDER BY in OVER does not make a running sum", async () => {
      assert.deepEqual(
        await one(
          "SELECT RATIO_TO_REPORT(V) OVER (ORDER BY V) FROM (SELECT 1 V UNION ALL SELECT 3) ORDER BY V",
        ),
        [["0.250000"], ["0.750000"]],
      );
    });
    await t.step("LAG and LEAD: the default widens the result's type", async () => {
      assert.deepEqual(
        await one(
          `SELECT LAG(V, 1, 0.5) OVER (ORDER BY V), LEAD(V, 1, 100) OVER (ORDER BY V)
         FROM (SELECT 1 V UNION ALL SELECT 2) ORDER BY V`,
        ),
        [["0.5", "2"], ["1.0", "100"]],
      );
    });
    await t.step("TIME_SLICE: weeks start on Monday (the week of 1970-01-01)", async () => {
      assert.deepEqual(
        await one(
          `SELECT TIME_SLICE('2024-06-10 10:17:33'::TIMESTAMP_NTZ, 1, 'WEEK'),
                TIME_SLICE('2024-06-12'::DATE, 1, 'WEEK', 'END')`,
        ),
        [["2024-06-10 00:00:00.000", "2024-06-17"]],
      );
    });
    await t.step("EDITDISTANCE counts characters; HEX_ENCODE(…, 0) is lowercase", async () => {
      assert.deepEqual(
        await one(
          `SELECT EDITDISTANCE('Ich weiß nicht', 'Ich wei? nicht'), EDITDISTANCE('❄❄', '❄'),
                EDITDISTANCE('kitten', 'sitting'), HEX_ENCODE('Snowflake', 0), HEX_ENCODE('Snowflake')`,
        ),
        [["1", "1", "3", "536e6f77666c616b65", "536E6F77666C616B65"]],
      );
    });
    await t.step(
      "CHARINDEX from 0 or below, LEFT/RIGHT of a negative length, an empty pad",
      async () => {
        assert.deepEqual(
          await one(
            `SELECT CHARINDEX('a', 'banana', 0), CHARINDEX('a', 'banana', -2), LEFT('abc', -1),
                RIGHT('abc', -1), LPAD('abc', 5, ''), RPAD('abc', 2, '')`,
          ),
          [["2", "2", "", "", "abc", "ab"]],
        );
      },
    );
  },
);

conformance(
  "ARRAY_REVERSE, ARRAY_REMOVE_AT, TRY_HEX_DECODE_STRING, GET_IGNORE_CASE, GETBIT, HASH_AGG(*)",
  async ({ db }) => {
    const star = await db.run(
      `SELECT HASH_AGG(*) = HASH_AGG(X, Y), HASH_AGG(*) = HASH_AGG(Y, X)
       FROM (SELECT 1 X, 'a' Y UNION ALL SELECT 2, 'b')`,
    );
    assert.deepEqual(star.rows, [["True", "False"]]);
    // A statement Snowflake has and the emulator does not: refused as such, not a syntax error.
    await assert.rejects(
      () => db.run("CREATE OR ALTER TABLE T (A INT)"),
      (e: Error) => /000002/.test(e.message) && e.message.includes("CREATE OR ALTER"),
    );
    const r = await db.run(
      `SELECT ARRAY_REVERSE([1, 2, 3]), ARRAY_REMOVE_AT([2, 5, 7], 0), ARRAY_REMOVE_AT([2, 5, 7], -1),
            ARRAY_REMOVE_AT([2, 5, 7], 10), TRY_HEX_DECODE_STRING('536E6F77666C616B65'),
            TRY_HEX_DECODE_STRING('ABC'), GET_IGNORE_CASE(PARSE_JSON('{"Key": 1}'), 'KEY'),
            GET_IGNORE_CASE(PARSE_JSON('{"k": 1, "K": 2}'), 'K'), GETBIT(11, 3), GETBIT(11, 2)`,
    );
    assert.deepEqual(r.rows, [[
      "[3,2,1]",
      "[5,7]",
      "[2,5]",
      "[2,5,7]",
      "Snowflake",
      null,
      "1",
      "2",
      "1",
      "0",
    ]]);
  },
);
