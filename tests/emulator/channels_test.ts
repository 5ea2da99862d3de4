import assert from "node:assert/strict";
import {
  appendRows,
  channelPath,
  channelStatus,
  columnInOrder,
  DB,
  dropChannel,
  headers,
  ndjson,
  openChannel,
  ride,
  SCHEMA,
  scopedToken,
  startTestEmulator,
  statusPath,
  until,
} from "./helpers.ts";

const PIPE = "LIFT_RIDE_PIPE";

Deno.test("open → append → status → drop, committed offset reaching the end token only after the commit delay", async () => {
  const t = await startTestEmulator({ commitDelayMs: 1500 });
  try {
    const token = await scopedToken(t);
    const open = await openChannel(t.url, token, PIPE, "happy");
    assert.equal(open.status, 200);
    const st = open.body.channel_status;
    assert.equal(st.channel_status_code, "SUCCESS");
    assert.equal(st.last_committed_offset_token, null);
    assert.equal(st.database_name, DB);
    assert.equal(st.schema_name, SCHEMA);
    assert.equal(st.pipe_name, PIPE);
    assert.equal(st.channel_name, "happy");
    assert.equal(typeof st.created_on_ms, "number");
    assert.equal(typeof open.body.next_continuation_token, "string");

    const rows = [ride(), ride(), ride()];
    // Taken before sending: the server's commit clock starts no earlier than this.
    const sentAt = Date.now();
    const app = await appendRows(
      t.url,
      token,
      PIPE,
      "happy",
      open.body.next_continuation_token,
      ndjson(rows),
      {
        startOffsetToken: "1",
        endOffsetToken: "3",
      },
    );
    assert.equal(app.status, 200);
    assert.notEqual(app.body.next_continuation_token, open.body.next_continuation_token);

    assert.ok(
      await until(async () =>
        (await channelStatus(t.url, token, PIPE, ["happy"])).body.channel_statuses.happy
          .last_committed_offset_token === "3"
      ),
    );
    assert.ok(Date.now() - sentAt >= 1500, "committed before the commit delay");
    const after = (await channelStatus(t.url, token, PIPE, ["happy"])).body.channel_statuses.happy;
    assert.equal(after.rows_inserted, 3);
    assert.equal(after.rows_parsed, 3);
    assert.equal(after.rows_error_count, 0);
    assert.equal(await t.count("LIFT_RIDE"), 3);
    assert.deepEqual(await columnInOrder(t.sql, "LIFT_RIDE"), rows.map((r) => r.TXID));

    // Reopen answers the committed token.
    const reopen = await openChannel(t.url, token, PIPE, "happy");
    assert.equal(reopen.body.channel_status.last_committed_offset_token, "3");

    const drop = await dropChannel(t.url, token, PIPE, "happy");
    assert.equal(drop.status, 200);
    const gone = await channelStatus(t.url, token, PIPE, ["happy"]);
    assert.deepEqual(gone.body.channel_statuses, {});
    // The dropped channel's offset is gone too: a new open starts from null.
    const fresh = await openChannel(t.url, token, PIPE, "happy");
    assert.equal(fresh.body.channel_status.last_committed_offset_token, null);
    // And the rows that committed stay.
    assert.equal(await t.count("LIFT_RIDE"), 3);
  } finally {
    await t.close();
  }
});

Deno.test("appended rows are neither committed nor visible while the commit delay runs", async () => {
  // A delay no test outlives: the check cannot race the commit, however loaded the machine.
  const t = await startTestEmulator({ commitDelayMs: 60_000 });
  try {
    const token = await scopedToken(t);
    const open = await openChannel(t.url, token, PIPE, "waiting");
    const app = await appendRows(
      t.url,
      token,
      PIPE,
      "waiting",
      open.body.next_continuation_token,
      ndjson([ride(), ride()]),
      { offsetToken: "2" },
    );
    assert.equal(app.status, 200);
    const st = await channelStatus(t.url, token, PIPE, ["waiting"]);
    assert.equal(st.status, 200);
    assert.equal(st.body.channel_statuses.waiting.last_committed_offset_token, null);
    assert.equal(st.body.channel_statuses.waiting.rows_inserted, 0);
    assert.equal(await t.count("LIFT_RIDE"), 0);
  } finally {
    await t.close();
  }
});

Deno.test("a single offsetToken works as the end token, and chained appends commit in order", async () => {
  const t = await startTestEmulator({ commitDelayMs: 0 });
  try {
    const token = await scopedToken(t);
    let cont = (await openChannel(t.url, token, PIPE, "chain")).body.next_continuation_token;
    for (let i = 1; i <= 5; i++) {
      const res = await appendRows(t.url, token, PIPE, "chain", cont, ndjson([ride()]), {
        offsetToken: String(i),
      });
      assert.equal(res.status, 200);
      cont = res.body.next_continuation_token;
      // Commit delay 0: committed when the append returns.
      const st = await channelStatus(t.url, token, PIPE, ["chain"]);
      assert.equal(st.body.channel_statuses.chain.last_committed_offset_token, String(i));
    }
    assert.equal(await t.count("LIFT_RIDE"), 5);
  } finally {
    await t.close();
  }
});

Deno.test("after a reopen the older continuation token is stale (400 STALE_CONTINUATION_TOKEN_SEQUENCER)", async () => {
  const t = await startTestEmulator();
  try {
    const token = await scopedToken(t);
    const first = await openChannel(t.url, token, PIPE, "stale");
    const second = await openChannel(t.url, token, PIPE, "stale");
    assert.equal(second.status, 200);
    const res = await appendRows(
      t.url,
      token,
      PIPE,
      "stale",
      first.body.next_continuation_token,
      ndjson([ride()]),
      {
        offsetToken: "1",
      },
    );
    assert.equal(res.status, 400);
    assert.equal(res.body.code, "STALE_CONTINUATION_TOKEN_SEQUENCER");
    assert.match(res.body.message, /reopen/i);
    // The new writer's token works.
    const ok = await appendRows(
      t.url,
      token,
      PIPE,
      "stale",
      second.body.next_continuation_token,
      ndjson([ride()]),
      {
        offsetToken: "1",
      },
    );
    assert.equal(ok.status, 200);
    // Replaying a token that was already used is refused too (no duplicate rows).
    const replay = await appendRows(
      t.url,
      token,
      PIPE,
      "stale",
      second.body.next_continuation_token,
      ndjson([ride()]),
      {
        offsetToken: "2",
      },
    );
    assert.equal(replay.status, 400);
    assert.equal(replay.body.code, "ERR_CHANNEL_HAS_INVALID_ROW_SEQUENCER");
    // A token that is not ours at all.
    const junk = await appendRows(t.url, token, PIPE, "stale", "not-a-token", ndjson([ride()]));
    assert.equal(junk.status, 400);
    // A token of another channel.
    const other = await openChannel(t.url, token, PIPE, "stale-other");
    const cross = await appendRows(
      t.url,
      token,
      PIPE,
      "stale",
      other.body.next_continuation_token,
      ndjson([ride()]),
    );
    assert.equal(cross.status, 400);
    assert.equal(await t.count("LIFT_RIDE"), 1);
  } finally {
    await t.close();
  }
});

Deno.test("reopening discards uncommitted rows; fail_on_uncommitted_rows refuses with 409 instead", async () => {
  // A delay long enough that nothing commits while the test talks to the channel.
  const t = await startTestEmulator({ commitDelayMs: 2000 });
  try {
    const token = await scopedToken(t);
    const open = await openChannel(t.url, token, PIPE, "discard");
    const lost = ride();
    const app = await appendRows(
      t.url,
      token,
      PIPE,
      "discard",
      open.body.next_continuation_token,
      ndjson([lost]),
      {
        offsetToken: "7",
      },
    );
    assert.equal(app.status, 200);

    const refused = await openChannel(t.url, token, PIPE, "discard", {
      fail_on_uncommitted_rows: true,
    });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, "ERR_CHANNEL_HAS_UNCOMMITTED_DATA");
    const dropRefused = await dropChannel(t.url, token, PIPE, "discard", {
      fail_on_uncommitted_rows: true,
    });
    assert.equal(dropRefused.status, 409);

    // The refused open did not bump the sequencer: the writer's token still works.
    const next = await appendRows(
      t.url,
      token,
      PIPE,
      "discard",
      app.body.next_continuation_token,
      ndjson([ride()]),
      {
        offsetToken: "8",
      },
    );
    assert.equal(next.status, 200);

    const reopen = await openChannel(t.url, token, PIPE, "discard", {
      fail_on_uncommitted_rows: false,
    });
    assert.equal(reopen.status, 200);
    assert.equal(reopen.body.channel_status.last_committed_offset_token, null);
    // Wait well past the commit delay: the discarded rows never land.
    assert.equal(t.emu.context.streaming.pendingBatches, 0);
    await new Promise((r) => setTimeout(r, 2300));
    assert.equal(await t.count("LIFT_RIDE"), 0);
    const st = await channelStatus(t.url, token, PIPE, ["discard"]);
    assert.equal(st.body.channel_statuses.discard.last_committed_offset_token, null);
    assert.equal(st.body.channel_statuses.discard.rows_inserted, 0);
  } finally {
    await t.close();
  }
});

Deno.test("open with offset_token sets the committed offset token", async () => {
  const t = await startTestEmulator();
  try {
    const token = await scopedToken(t);
    const open = await openChannel(t.url, token, PIPE, "seeded", { offset_token: "41" });
    assert.equal(open.body.channel_status.last_committed_offset_token, "41");
    const again = await openChannel(t.url, token, PIPE, "seeded");
    assert.equal(again.body.channel_status.last_committed_offset_token, "41");
    const bad = await openChannel(t.url, token, PIPE, "seeded", { offset_token: 41 });
    assert.equal(bad.status, 400);
  } finally {
    await t.close();
  }
});

Deno.test("bulk status leaves out unknown channels; names are case-sensitive", async () => {
  const t = await startTestEmulator();
  try {
    const token = await scopedToken(t);
    await openChannel(t.url, token, PIPE, "known");
    const res = await channelStatus(t.url, token, PIPE, ["known", "unknown", "KNOWN"]);
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body.channel_statuses), ["known"]);
    const s = res.body.channel_statuses.known;
    for (
      const key of [
        "channel_status_code",
        "last_committed_offset_token",
        "database_name",
        "schema_name",
        "pipe_name",
        "channel_name",
        "rows_inserted",
        "rows_parsed",
        "rows_error_count",
        "last_error_offset_upper_bound",
        "last_error_message",
        "last_error_timestamp",
        "snowflake_avg_processing_latency_ms",
      ]
    ) assert.ok(key in s, `missing ${key}`);
    // Channels are per pipe.
    const otherPipe = await channelStatus(t.url, token, "RESORT_TICKET_PIPE", ["known"]);
    assert.deepEqual(otherPipe.body.channel_statuses, {});
    const bad = await fetch(t.url + statusPath(PIPE), {
      method: "POST",
      headers: headers(token),
      body: JSON.stringify({ channel_names: "known" }),
    });
    assert.equal(bad.status, 400);
    await bad.body?.cancel();
  } finally {
    await t.close();
  }
});

Deno.test("unknown pipe, database or schema → 404 with the matching code; unknown channel → 404", async () => {
  const t = await startTestEmulator();
  try {
    const token = await scopedToken(t);
    const pipe = await openChannel(t.url, token, "NO_SUCH_PIPE", "c");
    assert.equal(pipe.status, 404);
    assert.equal(pipe.body.code, "ERR_PIPE_DOES_NOT_EXIST_OR_NOT_AUTHORIZED");
    const status = await channelStatus(t.url, token, "NO_SUCH_PIPE", ["c"]);
    assert.equal(status.status, 404);
    assert.equal(status.body.code, "ERR_PIPE_DOES_NOT_EXIST_OR_NOT_AUTHORIZED");
    const db = await fetch(t.url + channelPath(PIPE, "c", "OTHER_DB"), {
      method: "PUT",
      headers: headers(token),
      body: "{}",
    });
    assert.equal(db.status, 404);
    assert.equal((await db.json()).code, "ERR_DATABASE_DOES_NOT_EXIST_OR_NOT_AUTHORIZED");
    const schema = await fetch(t.url + channelPath(PIPE, "c", DB, "OTHER_SCHEMA"), {
      method: "PUT",
      headers: headers(token),
      body: "{}",
    });
    assert.equal(schema.status, 404);
    assert.equal((await schema.json()).code, "ERR_SCHEMA_DOES_NOT_EXIST_OR_NOT_AUTHORIZED");
    // Unquoted identifiers are case-insensitive.
    const lower = await openChannel(t.url, token, PIPE.toLowerCase(), "c");
    assert.equal(lower.status, 200);
    assert.equal(lower.body.channel_status.pipe_name, PIPE);

    const never = await appendRows(t.url, token, PIPE, "never-opened", "x", ndjson([ride()]));
    assert.equal(never.status, 404);
    assert.equal(never.body.code, "ERR_CHANNEL_DOES_NOT_EXIST_OR_IS_NOT_AUTHORIZED");
    const dropUnknown = await dropChannel(t.url, token, PIPE, "never-opened");
    assert.equal(dropUnknown.status, 404);
  } finally {
    await t.close();
  }
});

Deno.test("an append without continuationToken is refused", async () => {
  const t = await startTestEmulator();
  try {
    const token = await scopedToken(t);
    await openChannel(t.url, token, PIPE, "c");
    const { appendPath } = await import("./helpers.ts");
    const res = await fetch(`${t.url}${appendPath(PIPE, "c")}?offsetToken=1`, {
      method: "POST",
      headers: headers(token),
      body: ndjson([ride()]),
    });
    assert.equal(res.status, 400);
    assert.match((await res.json()).message, /continuationToken/);
    assert.equal(await t.count("LIFT_RIDE"), 0);
  } finally {
    await t.close();
  }
});

Deno.test("columns added to or dropped from a table between commits are matched by the next append", async () => {
  const t = await startTestEmulator({ provision: false });
  try {
    await t.sql.query("CREATE TABLE EVOLVING (A NUMBER, B VARCHAR)");
    // A table's default pipe, `<TABLE>-STREAMING`.
    const pipe = "EVOLVING-STREAMING";
    const token = await scopedToken(t);
    let cont = (await openChannel(t.url, token, pipe, "c")).body.next_continuation_token;
    const send = async (row: Record<string, unknown>, offset: string) => {
      const res = await appendRows(t.url, token, pipe, "c", cont, ndjson([row]), {
        offsetToken: offset,
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      cont = res.body.next_continuation_token;
    };
    await send({ A: 1, B: "one", C: "ignored" }, "1");
    await t.sql.query("ALTER TABLE EVOLVING ADD COLUMN C VARCHAR");
    await send({ A: 2, B: "two", C: "second" }, "2");
    await t.sql.query("ALTER TABLE EVOLVING DROP COLUMN B");
    await send({ A: 3, B: "gone", C: "third" }, "3");
    const rows = (await t.sql.query("SELECT * FROM EVOLVING ORDER BY A")).rows;
    assert.deepEqual(rows, [
      { A: 1, C: null },
      { A: 2, C: "second" },
      { A: 3, C: "third" },
    ]);
    const st = (await channelStatus(t.url, token, pipe, ["c"])).body.channel_statuses.c;
    assert.equal(st.rows_inserted, 3);
    assert.equal(st.rows_error_count, 0);
  } finally {
    await t.close();
  }
});
