/**
 * A streaming commit that DuckDB fails for want of memory (rows of a large commit, while a refresh
 * or a query holds the rest of the everyday limit) must cost nothing: DuckDB 1.5 leaves a table it
 * failed to commit to out of step, and the next commit to it wrote rows the client never sent in
 * place of rows it did. The warehouse is reopened before it writes again, and the commit is made
 * at once with more memory: every row sent is there once, and no commit failure is reported.
 */
import assert from "node:assert/strict";
import { createLogger } from "../../src/log.ts";
import {
  appendRows,
  channelStatus,
  ndjson,
  openChannel,
  scopedToken,
  startTestEmulator,
  until,
} from "./helpers.ts";

Deno.test("a commit that runs out of the warehouse's memory is made again, with every row sent and no other", async () => {
  const messages: string[] = [];
  const t = await startTestEmulator({
    provision: false,
    // 4 MB: 3 MB of rows commit; four times that does not.
    memoryLimit: "4MB",
    commitDelayMs: 1000,
    log: createLogger({ format: "json", write: (l) => messages.push(JSON.parse(l).msg) }),
  });
  try {
    await t.sql.query("CREATE TABLE WIDE (N NUMBER, S VARCHAR)");
    const pipe = "WIDE-STREAMING";
    const token = await scopedToken(t);
    let cont = (await openChannel(t.url, token, pipe, "c")).body.next_continuation_token;
    const perAppend = 12_000, appends = 5;
    const send = async (a: number) => {
      const rows = Array.from({ length: perAppend }, (_, i) => ({
        N: a * perAppend + i,
        S: `${a}-${i}-`.padEnd(240, "x"),
      }));
      const res = await appendRows(t.url, token, pipe, "c", cont, ndjson(rows), {
        offsetToken: String(a + 1),
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      cont = res.body.next_continuation_token;
    };
    const committed = async () =>
      (await channelStatus(t.url, token, pipe, ["c"])).body.channel_statuses.c
        .last_committed_offset_token;
    // One append commits on its own; the other four, sent together, are one commit too large.
    await send(0);
    assert.ok(await until(async () => await committed() === "1", 20_000), messages.join("\n"));
    for (let a = 1; a < appends; a++) await send(a);
    assert.ok(
      await until(async () => await committed() === String(appends), 30_000),
      messages.join("\n"),
    );
    const n = perAppend * appends;
    // Each row as sent: its S names its append and its place in it.
    const r = await t.sql.query(
      `SELECT COUNT(*) AS ROWS_, COUNT(DISTINCT N) AS KEYS_, MIN(N) AS LO, MAX(N) AS HI,
         COUNT_IF(NOT (SPLIT_PART(S, '-', 1)::NUMBER = FLOOR(N / ${perAppend})
           AND SPLIT_PART(S, '-', 2)::NUMBER = MOD(N, ${perAppend}) AND LENGTH(S) = 240)) AS WRONG
       FROM WIDE`,
    );
    assert.deepEqual(r.rows, [{ ROWS_: n, KEYS_: n, LO: 0, HI: n - 1, WRONG: 0 }]);
    assert.ok(
      messages.includes("DuckDB failed a commit: reopening the warehouse before it writes again"),
      messages.join("\n"),
    );
    assert.ok(
      messages.includes("commit ran out of memory: committing again with more"),
      messages.join("\n"),
    );
    assert.ok(!messages.includes("commit failed; retrying"), messages.join("\n"));
  } finally {
    await t.close();
  }
});

Deno.test("a commit queued while the warehouse reopens waits for it and is made then, without a failure", async () => {
  const messages: string[] = [];
  const t = await startTestEmulator({
    provision: false,
    commitDelayMs: 20,
    log: createLogger({ format: "json", write: (l) => messages.push(JSON.parse(l).msg) }),
  });
  let unblock = () => {};
  try {
    await t.sql.query("CREATE TABLE Q (N NUMBER)");
    const pipe = "Q-STREAMING";
    const token = await scopedToken(t);
    const cont = (await openChannel(t.url, token, pipe, "q")).body.next_continuation_token;
    const warehouse = t.emu.context.warehouse;
    // Another statement holds the writer lane: the commit comes due and waits behind it.
    const blocked = warehouse.writer.exclusive(() => new Promise<void>((r) => unblock = r));
    const res = await appendRows(t.url, token, pipe, "q", cont, ndjson([{ N: 1 }, { N: 2 }]), {
      offsetToken: "2",
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await new Promise((r) => setTimeout(r, 100));
    // Meanwhile the warehouse is reopened (as after another commit's failure): the queued commit
    // is refused when its turn comes, and must be made once the new instance is there.
    const reopened = warehouse.recover(new Error("a test reopen"));
    unblock();
    await blocked;
    await reopened;
    assert.ok(
      await until(
        async () =>
          (await channelStatus(t.url, token, pipe, ["q"])).body.channel_statuses.q
            ?.last_committed_offset_token === "2",
        10_000,
      ),
      messages.join("\n"),
    );
    assert.deepEqual((await t.sql.query("SELECT N FROM Q ORDER BY N")).rows, [{ N: 1 }, { N: 2 }]);
    assert.ok(!messages.includes("commit failed; retrying"), messages.join("\n"));
  } finally {
    unblock();
    await t.close();
  }
});
