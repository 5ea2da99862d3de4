/**
 * Session variables and IDENTIFIER, with the examples of Snowflake's pages:
 * https://docs.snowflake.com/en/sql-reference/session-variables,
 * https://docs.snowflake.com/en/sql-reference/identifier-literal.
 */
import { conformance, expectRows, once } from "./harness.ts";

conformance("session variables: SET, $name, SHOW VARIABLES, UNSET", async ({ db, connect }, t) => {
  await t.step("SET one or several; $name reads each back with its type", async () => {
    await db.run("SET var1 = 10");
    await db.run("SET (var2, var3) = ('some_text', '2024-02-28'::DATE)");
    const r = await expectRows(
      db,
      "SELECT $var1 * 2 AS a, $var2 || '!' AS b, DATEADD(day, 1, $var3) AS c",
      { columns: ["A", "B", "C"], rows: [["20", "some_text!", "2024-02-29"]] },
    );
    const types = r.columns.map((c) => c.type);
    if (types.join() !== "fixed,text,date") throw new Error(`types: ${types.join()}`);
  });

  await t.step("a variable may hold a subquery's value", async () => {
    await db.runAll([
      "CREATE OR REPLACE TABLE sv_t (n NUMBER)",
      "INSERT INTO sv_t VALUES (1), (2), (3)",
      "SET total = (SELECT SUM(n) FROM sv_t)",
    ]);
    await expectRows(db, "SELECT $total", { rows: [["6"]] });
  });

  await t.step("SHOW VARIABLES lists them, LIKE filters", async () => {
    const r = await db.run("SHOW VARIABLES LIKE 'VAR%'");
    const by = new Map(r.rows.map((row) => [row[3], [row[4], row[5]]]));
    const want = [["VAR1", "10", "fixed"], ["VAR2", "some_text", "text"], [
      "VAR3",
      "2024-02-28",
      "date",
    ]];
    for (const [name, value, type] of want) {
      const got = by.get(name);
      if (!got || got[0] !== value || got[1] !== type) {
        throw new Error(`${name}: ${JSON.stringify(got)}`);
      }
    }
    if (by.size !== 3) throw new Error(`LIKE 'VAR%' listed ${[...by.keys()]}`);
  });

  await t.step("variables belong to their session", async () => {
    const other = await connect();
    await other.expectError("SELECT $var1", {
      code: "002211",
      message: "Session variable '$VAR1' does not exist",
    });
  });

  await t.step("UNSET forgets them", async () => {
    await db.run("UNSET var1");
    await db.run("UNSET (var2, var3)");
    await db.expectError("SELECT $var2", { code: "002211" });
    await expectRows(db, "SELECT $total", { rows: [["6"]] });
  });
});

conformance(
  "IDENTIFIER: objects and columns named by a string or a variable",
  async ({ db }, t) => {
    const ready = once(() =>
      db.runAll([
        "CREATE OR REPLACE TABLE id_t (id NUMBER, label VARCHAR)",
        "INSERT INTO id_t VALUES (1, 'one'), (2, 'two')",
        "SET table_name = 'id_t'",
        "SET column_name = 'label'",
      ])
    );

    await t.step("FROM IDENTIFIER('name') and IDENTIFIER($variable)", async () => {
      await ready();
      await expectRows(db, "SELECT id FROM IDENTIFIER('id_t') ORDER BY id", {
        rows: [["1"], ["2"]],
      });
      await expectRows(db, "SELECT COUNT(*) FROM IDENTIFIER($table_name)", { rows: [["2"]] });
    });

    await t.step("a qualified name, and a column", async () => {
      await ready();
      await expectRows(
        db,
        "SELECT IDENTIFIER($column_name) FROM IDENTIFIER('STREAMING_INGEST.STREAMING_INGEST.id_t') " +
          "WHERE id = 2",
        { columns: ["LABEL"], rows: [["two"]] },
      );
    });

    await t.step("INSERT INTO IDENTIFIER($variable)", async () => {
      await ready();
      await db.run("INSERT INTO IDENTIFIER($table_name) VALUES (3, 'three')");
      await expectRows(db, "SELECT MAX(id) FROM id_t", { rows: [["3"]] });
    });

    await t.step("CREATE, DROP and SHOW of an object named by a variable", async () => {
      await ready();
      await db.run("SET other_table = 'id_other'");
      await db.run("CREATE TABLE IDENTIFIER($other_table) (n NUMBER)");
      await expectRows(db, "SELECT COUNT(*) FROM id_other", { rows: [["0"]] });
      await db.run("DROP TABLE IDENTIFIER($other_table)");
      await db.expectError("SELECT * FROM id_other", { code: "002003" });
    });

    await t.step("an unset variable is Snowflake's error, not an internal one", async () => {
      await ready();
      await db.expectError("SELECT * FROM IDENTIFIER($missing)", { code: "002211" });
    });
  },
);

conformance(
  "objects the emulator does not have are refused in Snowflake's shape",
  async ({ db }, t) => {
    for (
      const sql of [
        "CREATE TASK t1 SCHEDULE = '1 minute' AS SELECT 1",
        "CREATE OR REPLACE PROCEDURE p() RETURNS VARCHAR LANGUAGE SQL AS 'SELECT 1'",
        "CREATE ALERT a1 WAREHOUSE = W SCHEDULE = '1 minute' IF (EXISTS (SELECT 1)) THEN SELECT 1",
      ]
    ) {
      await t.step(sql.split(" ").slice(0, 4).join(" "), async () => {
        await db.expectError(sql, { code: "000002", message: "Unsupported feature" });
      });
    }
  },
);
