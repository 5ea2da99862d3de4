/**
 * A pipe with a transformation, the form Snowflake's Snowpipe Streaming pages lead with:
 * `COPY INTO t (c1, …) FROM (SELECT $1:k::TYPE, f($1:k), … FROM TABLE(DATA_SOURCE(TYPE =>
 * 'STREAMING')))`. Rows streamed over the REST API through it land transformed; a row whose
 * expression fails (a cast) or whose result does not fit its column is a bad row, counted in the
 * channel's status, and the rest of its batch lands; the columns it leaves out get their
 * DEFAULTs; a transformation that cannot load its table fails its CREATE PIPE.
 */
import assert from "node:assert/strict";
import { appendAndCommit, openSession, testStreamingClient } from "./helpers.ts";

Deno.test({
  name: "a pipe's transformation loads streamed rows, and its bad rows are counted",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const dataDir = await Deno.makeTempDir({ prefix: "liftline-transform-pipe-" });
    const { emu, db, privateKeyPem, close } = await openSession(dataDir);
    try {
      await db.runAll([
        `CREATE TABLE CHECKINS (GUEST_ID NUMBER(10,0) NOT NULL, NAME VARCHAR(10),
           AT TIMESTAMP_NTZ, SHOUT VARCHAR, NIGHTS NUMBER(4,0), RAW VARIANT,
           SOURCE VARCHAR DEFAULT 'kiosk')`,
        `CREATE PIPE CHECKINS_IN AS COPY INTO CHECKINS (GUEST_ID, NAME, AT, SHOUT, NIGHTS, RAW)
           FROM (SELECT $1:guest::NUMBER, $1:name, $1:at::TIMESTAMP_NTZ,
             UPPER($1:name::VARCHAR) || '!', DATEDIFF('day', $1:at::DATE, $1:out::DATE), $1
           FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING')))`,
      ]);
      const client = await testStreamingClient(emu.url, privateKeyPem);
      const rows = [
        { guest: 1, name: "ana", at: "2026-03-01 15:00:00", out: "2026-03-04" },
        { guest: "2", name: "ben", at: "2026-03-02 16:30:00", out: "2026-03-03", extra: true },
        { guest: "not a number", name: "cy", at: "2026-03-02 17:00:00", out: "2026-03-05" },
        { guest: 4, name: "a name too long", at: "2026-03-02 18:00:00", out: "2026-03-05" },
        { name: "no guest", at: "2026-03-02 18:00:00", out: "2026-03-05" },
        { guest: 6, name: "fay", at: "2026-03-03 09:00:00", out: "2026-03-10" },
      ];
      const lines = rows.map((r) => JSON.stringify(r));
      lines.splice(3, 0, "{not json");
      const status = await appendAndCommit(client, "CHECKINS_IN", "desk", lines);

      await t.step("good rows land transformed; left-out columns get their DEFAULT", async () => {
        const r = await db.run(
          `SELECT GUEST_ID, NAME, AT, SHOUT, NIGHTS, RAW:extra::BOOLEAN, SOURCE FROM CHECKINS
           ORDER BY GUEST_ID`,
        );
        assert.deepEqual(r.rows, [
          ["1", "ana", "2026-03-01 15:00:00.000", "ANA!", "3", null, "kiosk"],
          ["2", "ben", "2026-03-02 16:30:00.000", "BEN!", "1", "True", "kiosk"],
          ["6", "fay", "2026-03-03 09:00:00.000", "FAY!", "7", null, "kiosk"],
        ]);
      });

      await t.step("a failed cast, a value too long, a NULL in NOT NULL, bad JSON: counted", () => {
        assert.equal(status.rowsErrorCount, 4);
        assert.ok(status.lastErrorMessage, "the last bad row's message");
        assert.doesNotMatch(status.lastErrorMessage!, /no guest|not a number|too long/);
      });

      const stream = (pipe: string, channel: string, json: string[]) =>
        appendAndCommit(client, pipe, channel, json);

      await t.step("typed values keep their type in VARIANT; numbers stay exact", async () => {
        await db.runAll([
          "CREATE TABLE TYPED (V1 VARIANT, V2 VARIANT, BIG NUMBER(38,0), TAG VARCHAR)",
          `CREATE PIPE TYPED_IN AS COPY INTO TYPED FROM (SELECT $1:n::NUMBER, $1:b::BOOLEAN,
             $1:big, 'tag:__liftline_pipe_stage__' FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING')))`,
        ]);
        const st = await stream("TYPED_IN", "c", [
          '{"n": "5", "b": "true", "big": 12345678901234567891}',
        ]);
        assert.equal(st.rowsErrorCount, 0, st.lastErrorMessage ?? "");
        const r = await db.run("SELECT TYPEOF(V1), TYPEOF(V2), BIG, TAG FROM TYPED");
        assert.deepEqual(r.rows, [[
          "INTEGER",
          "BOOLEAN",
          "12345678901234567891",
          "tag:__liftline_pipe_stage__",
        ]]);
      });

      await t.step("many bad rows among good ones: each counted, the good ones land", async () => {
        await db.runAll([
          "CREATE TABLE NUMS (N NUMBER)",
          `CREATE PIPE NUMS_IN AS COPY INTO NUMS FROM (SELECT $1:n::NUMBER
             FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING')))`,
        ]);
        const json = Array.from(
          { length: 4000 },
          (_, i) => JSON.stringify({ n: i % 2 ? `bad${i}` : i }),
        );
        const started = performance.now();
        const st = await stream("NUMS_IN", "c", json);
        assert.equal(st.rowsErrorCount, 2000);
        assert.ok(performance.now() - started < 30_000, "bad rows are found in one pass");
        const r = await db.run("SELECT COUNT(*), SUM(N) FROM NUMS");
        assert.deepEqual(r.rows, [["2000", String(2 * (1999 * 1000))]]);
      });

      await t.step(
        "a pipe whose table changed under it: rows are bad, status readable",
        async () => {
          await db.run(`CREATE PIPE NUMS_BY_NAME AS COPY INTO NUMS (N) FROM (SELECT $1:n::NUMBER
            FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING')))`);
          await stream("NUMS_BY_NAME", "c", ['{"n": 1}']);
          await db.run("ALTER TABLE NUMS RENAME COLUMN N TO M");
          const st = await stream("NUMS_BY_NAME", "c", ['{"n": 2}']);
          assert.equal(st.rowsErrorCount, 1);
          assert.match(st.lastErrorMessage ?? "", /no longer fits its table/);
          // Without a column list the pipe loads the table's columns by position, as before.
          const byPosition = await stream("NUMS_IN", "c", ['{"n": 3}']);
          assert.equal(byPosition.rowsErrorCount, 2000);
          const r = await db.run("SELECT COUNT(*) FROM NUMS WHERE M IN (1, 3)");
          assert.deepEqual(r.rows, [["2"]]);
        },
      );

      await t.step("a transformation that cannot load the table fails its CREATE", async () => {
        await db.expectError(
          `CREATE PIPE P2 AS COPY INTO CHECKINS (GUEST_ID) FROM (SELECT $1:a, $1:b
             FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING')))`,
          { code: "002020" },
        );
        await db.expectError(
          `CREATE PIPE P3 AS COPY INTO CHECKINS (GUEST_ID) FROM (SELECT GUEST_ID FROM CHECKINS)`,
          { sqlState: "0A000" },
        );
        await db.expectError(
          `CREATE PIPE P4 AS COPY INTO CHECKINS (GUEST_ID) FROM (SELECT $1:a
             FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING'))) MATCH_BY_COLUMN_NAME = CASE_SENSITIVE`,
          { message: "match_by_column_name is not supported with copy transform" },
        );
        await db.expectError(
          `CREATE PIPE P5 AS COPY INTO CHECKINS (GUEST_ID) FROM (SELECT MAX($1:a::NUMBER)
             FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING')))`,
          { sqlState: "0A000", message: "aggregate" },
        );
        await db.expectError(
          `CREATE PIPE P6 AS COPY INTO CHECKINS (GUEST_ID) FROM (SELECT SUM($1:a::NUMBER) OVER ()
             FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING')))`,
          { sqlState: "0A000", message: "window" },
        );
      });
    } finally {
      await close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
