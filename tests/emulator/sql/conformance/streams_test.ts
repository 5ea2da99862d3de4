/**
 * Streams on tables: CREATE STREAM … ON TABLE … [APPEND_ONLY = TRUE] [SHOW_INITIAL_ROWS = TRUE].
 * A stream returns the table's changes since its offset with METADATA$ACTION, METADATA$ISUPDATE
 * and METADATA$ROW_ID; selecting from it does not move the offset, a DML statement that reads
 * it does.
 *
 * METADATA$ROW_ID values are opaque hashes: the pages' values cannot be reproduced, so the
 * suite asserts what they show about them (present, one per row, the same ID for the same row
 * across reads and for the DELETE/INSERT pair of an update).
 */
import assert from "node:assert/strict";
import {
  type Cell,
  columnNames,
  conformance,
  expectRows,
  once,
  type Result,
  type Session,
} from "./harness.ts";

const META = ["METADATA$ACTION", "METADATA$ISUPDATE", "METADATA$ROW_ID"];

/** The rows of a stream read without METADATA$ROW_ID, and the row IDs by position. */
function splitRowIds(r: Result): { rows: Cell[][]; rowIds: Cell[] } {
  const i = columnNames(r).indexOf("METADATA$ROW_ID");
  assert.ok(i >= 0, `no METADATA$ROW_ID in ${JSON.stringify(columnNames(r))}`);
  return {
    rows: r.rows.map((row) => row.filter((_, j) => j !== i)),
    rowIds: r.rows.map((row) => row[i]),
  };
}

function sortRows(rows: Cell[][]): Cell[][] {
  return [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

/** Reads a stream; asserts its columns and (as a multiset) its rows without the row IDs. */
async function expectStream(
  db: Session,
  sql: string,
  columns: string[],
  rows: Cell[][],
): Promise<Result> {
  const r = await db.run(sql);
  assert.deepEqual(columnNames(r), [...columns, ...META]);
  const split = splitRowIds(r);
  assert.deepEqual(sortRows(split.rows), sortRows(rows));
  for (const id of split.rowIds) {
    assert.ok(id !== null && id !== "", "a row without METADATA$ROW_ID");
  }
  return r;
}

/** METADATA$ROW_ID by the value of the first column (an ID) and METADATA$ACTION. */
function rowIdsByKey(r: Result): Map<string, Cell> {
  const names = columnNames(r);
  const action = names.indexOf("METADATA$ACTION");
  const rowId = names.indexOf("METADATA$ROW_ID");
  return new Map(r.rows.map((row) => [`${row[0]}/${row[action]}`, row[rowId]]));
}

// https://docs.snowflake.com/en/user-guide/streams-examples (Basic example)
// The page runs the fee UPDATE inside BEGIN … COMMIT; so does the test, and the stream is
// checked as the page shows it after the COMMIT.
conformance(
  "Stream basic example: inserts, a MERGE, consumption by INSERT … SELECT, an UPDATE",
  async ({ db }, t) => {
    const ready = once(async () => {
      await db.runAll([
        `CREATE OR REPLACE TABLE members (
         id number(8) NOT NULL,
         name varchar(255) default NULL,
         fee number(3) NULL
       );`,
        "CREATE OR REPLACE STREAM member_check ON TABLE members;",
        `CREATE OR REPLACE TABLE signup (
         id number(8),
         dt DATE
         );`,
        `INSERT INTO members (id,name,fee)
       VALUES
       (1,'Joe',0),
       (2,'Jane',0),
       (3,'George',0),
       (4,'Betty',0),
       (5,'Sally',0);`,
        `INSERT INTO signup
       VALUES
       (1,'2018-01-01'),
       (2,'2018-02-15'),
       (3,'2018-05-01'),
       (4,'2018-07-16'),
       (5,'2018-08-21');`,
      ]);
    });
    const cols = ["ID", "NAME", "FEE"];
    let inserted: Result | undefined;

    await t.step("the stream records the 5 inserted rows as INSERT, not updates", async () => {
      await ready();
      inserted = await expectStream(db, "SELECT * FROM member_check;", cols, [
        ["1", "Joe", "0", "INSERT", "False"],
        ["2", "Jane", "0", "INSERT", "False"],
        ["3", "George", "0", "INSERT", "False"],
        ["4", "Betty", "0", "INSERT", "False"],
        ["5", "Sally", "0", "INSERT", "False"],
      ]);
      assert.equal(new Set(splitRowIds(inserted).rowIds).size, 5, "one METADATA$ROW_ID per row");
    });

    await t.step(
      "selecting from the stream again returns the same rows (no DML, no new offset)",
      async () => {
        await ready();
        // CREATE STREAM usage notes: "A stream can be queried multiple times … and it will return the
        // same data"; the offset moves only when the stream is used in a DML statement.
        const again = await db.run("SELECT * FROM member_check;");
        assert.deepEqual(sortRows(again.rows), sortRows(inserted?.rows ?? []));
      },
    );

    await t.step(
      "a MERGE applies the $90 fee to members who joined over 30 days before 2018-08-15",
      async () => {
        await ready();
        await db.run(`MERGE INTO members m
      USING (
        SELECT id, dt
        FROM signup s
        WHERE DATEDIFF(day, '2018-08-15'::date, s.dt::DATE) < -30) s
        ON m.id = s.id
      WHEN MATCHED THEN UPDATE SET m.fee = 90;`);
        await expectRows(db, "SELECT * FROM members;", {
          columns: cols,
          rows: [
            ["1", "Joe", "90"],
            ["2", "Jane", "90"],
            ["3", "George", "90"],
            ["4", "Betty", "0"],
            ["5", "Sally", "0"],
          ],
          ordered: false,
        });
      },
    );

    await t.step("before consumption the update shows as inserts of the new values", async () => {
      await ready();
      await expectStream(db, "SELECT * FROM member_check;", cols, [
        ["1", "Joe", "90", "INSERT", "False"],
        ["2", "Jane", "90", "INSERT", "False"],
        ["3", "George", "90", "INSERT", "False"],
        ["4", "Betty", "0", "INSERT", "False"],
        ["5", "Sally", "0", "INSERT", "False"],
      ]);
    });

    await t.step(
      "INSERT INTO members_prod … SELECT FROM the stream advances its offset: the stream is empty",
      async () => {
        await ready();
        await db.runAll([
          `CREATE OR REPLACE TABLE members_prod (
         id number(8) NOT NULL,
         name varchar(255) default NULL,
         fee number(3) NULL
       );`,
          "INSERT INTO members_prod(id,name,fee) SELECT id, name, fee FROM member_check WHERE METADATA$ACTION = 'INSERT';",
        ]);
        await expectStream(db, "select * from member_check;", cols, []);
      },
    );

    await t.step("members_prod received the stream's 5 rows", async () => {
      await ready();
      // Computed: what the INSERT … SELECT read from the stream.
      await expectRows(db, "SELECT * FROM members_prod ORDER BY id;", {
        columns: cols,
        rows: [
          ["1", "Joe", "90"],
          ["2", "Jane", "90"],
          ["3", "George", "90"],
          ["4", "Betty", "0"],
          ["5", "Sally", "0"],
        ],
      });
    });

    await t.step("UPDATE … SET fee = fee + 15 where fee > 0 updates 3 rows", async () => {
      await ready();
      await db.run("BEGIN;");
      await expectRows(db, "UPDATE members SET fee = fee + 15 where fee > 0;", {
        columns: ["number of rows updated", "number of multi-joined rows updated"],
        rows: [["3", "0"]],
      });
      await db.run("COMMIT;");
    });

    await t.step(
      "an update after the offset shows as DELETE + INSERT pairs with METADATA$ISUPDATE True",
      async () => {
        await ready();
        const r = await expectStream(db, "SELECT * FROM member_check;", cols, [
          ["1", "Joe", "105", "INSERT", "True"],
          ["2", "Jane", "105", "INSERT", "True"],
          ["3", "George", "105", "INSERT", "True"],
          ["1", "Joe", "90", "DELETE", "True"],
          ["2", "Jane", "90", "DELETE", "True"],
          ["3", "George", "90", "DELETE", "True"],
        ]);
        // The page prints the same METADATA$ROW_ID for each row's DELETE and INSERT.
        const ids = rowIdsByKey(r);
        for (const id of ["1", "2", "3"]) {
          assert.equal(ids.get(`${id}/INSERT`), ids.get(`${id}/DELETE`), `row ${id}`);
        }
      },
    );
  },
);

// https://docs.snowflake.com/en/user-guide/streams-examples (Differences between standard and
// append-only streams)
conformance("Standard and append-only streams: deletes and updates", async ({ db }, t) => {
  const ready = once(async () => {
    await db.runAll([
      "create or replace table t(id int, name string);",
      "create or replace  stream delta_s on table t;",
      "create or replace  stream append_only_s on table t append_only=true;",
      "insert into t values (0, 'charlie brown');",
      "insert into t values (1, 'lucy');",
      "insert into t values (2, 'linus');",
      "delete from t where id = '0';",
    ]);
  });
  const cols = ["ID", "NAME"];
  let delta: Result | undefined;

  await t.step("the standard stream nets out the deleted row", async () => {
    await ready();
    delta = await expectStream(db, "select * from delta_s order by id;", cols, [
      ["1", "lucy", "INSERT", "False"],
      ["2", "linus", "INSERT", "False"],
    ]);
    assert.deepEqual(delta.rows.map((row) => row[0]), ["1", "2"], "ORDER BY id");
  });

  await t.step("the append-only stream keeps the deleted row", async () => {
    await ready();
    const appendOnly = await expectStream(db, "select * from append_only_s order by id;", cols, [
      ["0", "charlie brown", "INSERT", "False"],
      ["1", "lucy", "INSERT", "False"],
      ["2", "linus", "INSERT", "False"],
    ]);
    assert.deepEqual(appendOnly.rows.map((row) => row[0]), ["0", "1", "2"], "ORDER BY id");
    // The page prints the same METADATA$ROW_ID for lucy and linus in both streams.
    const a = rowIdsByKey(appendOnly);
    const d = rowIdsByKey(delta!);
    assert.equal(a.get("1/INSERT"), d.get("1/INSERT"));
    assert.equal(a.get("2/INSERT"), d.get("2/INSERT"));
  });

  await t.step(
    "inserting from each stream advances each offset; an UPDATE then shows in the standard stream only",
    async () => {
      await ready();
      await db.runAll([
        "create or replace  table t2(id int, name string, stream_type string default NULL);",
        "insert into t2(id,name,stream_type) select id, name, 'delta stream' from delta_s;",
        "insert into t2(id,name,stream_type) select id, name, 'append_only stream' from append_only_s;",
        "update t set name = 'sally' where name = 'linus';",
      ]);
      const r = await expectStream(db, "select * from delta_s order by id;", cols, [
        ["2", "sally", "INSERT", "True"],
        ["2", "linus", "DELETE", "True"],
      ]);
      const ids = rowIdsByKey(r);
      assert.equal(ids.get("2/INSERT"), ids.get("2/DELETE"));
      // …and it is the row ID linus had when inserted.
      assert.equal(ids.get("2/INSERT"), rowIdsByKey(delta!).get("2/INSERT"));
    },
  );

  await t.step("the append-only stream does not record the update", async () => {
    await ready();
    await expectStream(db, "select * from append_only_s order by id;", cols, []);
  });

  await t.step("t2 holds what each stream returned when it was consumed", async () => {
    await ready();
    // Computed from the two INSERT … SELECT statements above.
    await expectRows(db, "SELECT id, name, stream_type FROM t2 ORDER BY stream_type, id;", {
      columns: ["ID", "NAME", "STREAM_TYPE"],
      rows: [
        ["0", "charlie brown", "append_only stream"],
        ["1", "lucy", "append_only stream"],
        ["2", "linus", "append_only stream"],
        ["1", "lucy", "delta stream"],
        ["2", "linus", "delta stream"],
      ],
    });
  });
});

// https://docs.snowflake.com/en/sql-reference/sql/create-stream (SHOW_INITIAL_ROWS, Output)
// The page describes SHOW_INITIAL_ROWS without an example; the expected rows are computed from
// its description.
conformance(
  "CREATE STREAM … SHOW_INITIAL_ROWS: the first read returns the rows present at creation",
  async ({ db }, t) => {
    const ready = once(async () => {
      await db.runAll([
        "CREATE TABLE mytable (id NUMBER, name VARCHAR);",
        "INSERT INTO mytable VALUES (1, 'a'), (2, 'b');",
      ]);
    });

    await t.step(
      "CREATE STREAM mystream ON TABLE mytable (the page's example) is empty: no changes yet",
      async () => {
        await ready();
        await db.run("CREATE STREAM mystream ON TABLE mytable;");
        await expectStream(db, "SELECT * FROM mystream;", ["ID", "NAME"], []);
      },
    );

    await t.step(
      "with SHOW_INITIAL_ROWS = TRUE the existing rows come as INSERTs, METADATA$ISUPDATE FALSE",
      async () => {
        await ready();
        await db.run("CREATE STREAM initial_s ON TABLE mytable SHOW_INITIAL_ROWS = TRUE;");
        await expectStream(db, "SELECT * FROM initial_s;", ["ID", "NAME"], [
          ["1", "a", "INSERT", "False"],
          ["2", "b", "INSERT", "False"],
        ]);
      },
    );

    await t.step("once consumed by a DML statement, only later changes are returned", async () => {
      await ready();
      await db.runAll([
        "CREATE TABLE sink (id NUMBER, name VARCHAR);",
        "INSERT INTO sink SELECT id, name FROM initial_s;",
      ]);
      await expectStream(db, "SELECT * FROM initial_s;", ["ID", "NAME"], []);
      await db.run("INSERT INTO mytable VALUES (3, 'c');");
      await expectStream(db, "SELECT * FROM initial_s;", ["ID", "NAME"], [[
        "3",
        "c",
        "INSERT",
        "False",
      ]]);
    });

    await t.step(
      "the plain stream meanwhile returns only the row inserted after it was created",
      async () => {
        await ready();
        await expectStream(db, "SELECT * FROM mystream;", ["ID", "NAME"], [[
          "3",
          "c",
          "INSERT",
          "False",
        ]]);
      },
    );

    await t.step(
      "a row inserted then updated within the same offset interval is a single INSERT",
      async () => {
        await ready();
        // Output section: "If a row is added and then updated in the current offset, the delta
        // change is a new row. The METADATA$ISUPDATE row records a FALSE value."
        await db.run("UPDATE mytable SET name = 'C' WHERE id = 3;");
        await expectStream(db, "SELECT * FROM mystream;", ["ID", "NAME"], [[
          "3",
          "C",
          "INSERT",
          "False",
        ]]);
      },
    );

    await t.step(
      "an APPEND_ONLY stream created with SHOW_INITIAL_ROWS returns the current rows",
      async () => {
        await ready();
        await db.run(
          "CREATE STREAM append_initial_s ON TABLE mytable APPEND_ONLY = TRUE SHOW_INITIAL_ROWS = TRUE;",
        );
        await expectStream(db, "SELECT * FROM append_initial_s;", ["ID", "NAME"], [
          ["1", "a", "INSERT", "False"],
          ["2", "b", "INSERT", "False"],
          ["3", "C", "INSERT", "False"],
        ]);
      },
    );
  },
);

// https://docs.snowflake.com/en/sql-reference/functions/system_stream_has_data
conformance("SYSTEM$STREAM_HAS_DATA says whether a stream has changes", async ({ db }, t) => {
  await t.step("FALSE when empty, TRUE after an insert, and reading it moves nothing", async () => {
    await db.runAll([
      "CREATE TABLE shd_t (i INT);",
      "CREATE TABLE shd_copy (i INT);",
      "CREATE STREAM shd_s ON TABLE shd_t;",
    ]);
    await expectRows(db, "SELECT SYSTEM$STREAM_HAS_DATA('SHD_S');", { rows: [["False"]] });
    await db.run("INSERT INTO shd_t VALUES (1), (2);");
    await expectRows(db, "SELECT SYSTEM$STREAM_HAS_DATA('shd_s');", { rows: [["True"]] });
    // Used in a DML statement that does not read the stream itself: the offset stays.
    await db.run(
      "INSERT INTO shd_copy SELECT 0 WHERE SYSTEM$STREAM_HAS_DATA('STREAMING_INGEST.STREAMING_INGEST.SHD_S');",
    );
    await expectRows(db, "SELECT COUNT(*) FROM shd_s;", { rows: [["2"]] });
    await db.run("INSERT INTO shd_copy SELECT i FROM shd_s;");
    await expectRows(db, "SELECT SYSTEM$STREAM_HAS_DATA('SHD_S');", { rows: [["False"]] });
  });

  await t.step("a name that is not a stream fails", async () => {
    await db.expectError("SELECT SYSTEM$STREAM_HAS_DATA('SHD_T');", { code: "002003" });
  });
});

// https://docs.snowflake.com/en/sql-reference/sql/alter-stream
conformance("ALTER STREAM | PIPE … SET | UNSET COMMENT", async ({ db }) => {
  await db.runAll([
    "CREATE TABLE commented_t (i INT);",
    "CREATE STREAM commented_s ON TABLE commented_t;",
    "CREATE PIPE commented_p AS COPY INTO commented_t FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING'));",
    "ALTER STREAM commented_s SET COMMENT = 'changes';",
    "ALTER PIPE commented_p SET COMMENT = 'rows in';",
  ]);
  const comment = async (show: string) => {
    await db.run(show);
    return (await db.run(`SELECT "comment" FROM TABLE(RESULT_SCAN(LAST_QUERY_ID()))`)).rows;
  };
  assert.deepEqual(await comment("SHOW STREAMS LIKE 'COMMENTED_S'"), [["changes"]]);
  assert.deepEqual(await comment("SHOW PIPES LIKE 'COMMENTED_P'"), [["rows in"]]);
  await db.run("ALTER STREAM commented_s UNSET COMMENT");
  assert.deepEqual(await comment("SHOW STREAMS LIKE 'COMMENTED_S'"), [[""]]);
  await db.expectError("ALTER STREAM no_such_stream SET COMMENT = 'x'", { code: "002003" });
  await db.run("ALTER STREAM IF EXISTS no_such_stream SET COMMENT = 'x'");
});
