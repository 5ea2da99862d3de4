import assert from "node:assert/strict";
import { join } from "node:path";
import {
  appendRows,
  channelStatus,
  columnInOrder,
  exchange,
  keypairJwt,
  ndjson,
  openChannel,
  ride,
  startTestEmulator,
  testKeys,
} from "./helpers.ts";
import { childEnv, DENO_RUN } from "../helpers/child_env.ts";

const PIPE = "LIFT_RIDE_PIPE";

Deno.test("committed batches survive a restart with their offset; uncommitted ones and old tokens do not", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const keys = await testKeys();
    let t = await startTestEmulator({ dataDir: dir, keys, commitDelayMs: 0 });
    const token = await exchange(t.url, await keypairJwt(keys));
    const open = await openChannel(t.url, token, PIPE, "restart");
    const rows = [ride(), ride(), ride()];
    const app = await appendRows(
      t.url,
      token,
      PIPE,
      "restart",
      open.body.next_continuation_token,
      ndjson(rows),
      {
        offsetToken: "3",
      },
    );
    assert.equal(app.status, 200);
    await t.close();

    // Restart with a long commit delay and append one more batch that never commits.
    // No setup on restart: the tables and pipes are durable too.
    t = await startTestEmulator({ dataDir: dir, keys, commitDelayMs: 60_000, provision: false });
    try {
      const token2 = await exchange(t.url, await keypairJwt(keys));
      // A token from before the restart is stale: the client must reopen and replay.
      const stale = await appendRows(
        t.url,
        token2,
        PIPE,
        "restart",
        app.body.next_continuation_token,
        ndjson([ride()]),
        {
          offsetToken: "4",
        },
      );
      assert.equal(stale.status, 400);
      assert.equal(stale.body.code, "STALE_CONTINUATION_TOKEN_SEQUENCER");
      const reopen = await openChannel(t.url, token2, PIPE, "restart");
      assert.equal(reopen.body.channel_status.last_committed_offset_token, "3");
      assert.equal(reopen.body.channel_status.rows_inserted, 3);
      assert.equal(await t.count("LIFT_RIDE"), 3);
      const pending = await appendRows(
        t.url,
        token2,
        PIPE,
        "restart",
        reopen.body.next_continuation_token,
        ndjson([ride()]),
        {
          offsetToken: "4",
        },
      );
      assert.equal(pending.status, 200);
    } finally {
      await t.close();
    }

    t = await startTestEmulator({ dataDir: dir, keys, commitDelayMs: 0, provision: false });
    try {
      const token3 = await exchange(t.url, await keypairJwt(keys));
      const st = await channelStatus(t.url, token3, PIPE, ["restart"]);
      assert.equal(st.body.channel_statuses.restart.last_committed_offset_token, "3");
      assert.deepEqual(await columnInOrder(t.sql, "LIFT_RIDE"), rows.map((r) => r.TXID));
    } finally {
      await t.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SIGKILL mid-stream: everything reported committed is in the warehouse exactly once", async () => {
  const dir = await Deno.makeTempDir();
  const keys = await testKeys();
  await Deno.writeTextFile(join(dir, "rsa_key.p8"), keys.privateKeyPem, { mode: 0o600 });
  await Deno.writeTextFile(join(dir, "rsa_key.pub"), keys.publicKeyPem);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      ...DENO_RUN,
      new URL("./fixtures/emulator_child.ts", import.meta.url).pathname,
      dir,
      "30",
    ],
    env: childEnv(),
    clearEnv: true,
    stdout: "piped",
    stderr: "null",
    stdin: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let killed = false;
  try {
    let out = "";
    while (!out.includes("\n")) {
      const part = await reader.read();
      if (part.done) break;
      out += part.value;
    }
    const url = out.match(/^READY (\S+)/)?.[1];
    assert.ok(url, `child did not start: ${out}`);

    const token = await exchange(url, await keypairJwt(keys));
    const BATCH = 200;
    const open = await openChannel(url, token, PIPE, "crash");
    assert.equal(open.status, 200);
    let cont: string = open.body.next_continuation_token;
    const sent: string[][] = []; // TXIDs per batch; batch i ends at offset (i + 1) * BATCH
    let reportedCommitted = 0;

    // Poll status concurrently, remembering the highest committed offset the emulator reported.
    const poller = (async () => {
      while (!killed) {
        try {
          const st = await channelStatus(url, token, PIPE, ["crash"]);
          const c = Number(st.body.channel_statuses.crash?.last_committed_offset_token ?? 0);
          // Only count what the server said before the kill.
          if (!killed) reportedCommitted = Math.max(reportedCommitted, c);
        } catch {
          return;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();

    // Stream batches; once enough have committed, kill while the next append is in flight.
    for (let i = 0; i < 5000 && !killed; i++) {
      const rows = Array.from({ length: BATCH }, () => ride());
      sent.push(rows.map((r) => r.TXID as string));
      const request = appendRows(url, token, PIPE, "crash", cont, ndjson(rows), {
        startOffsetToken: String(i * BATCH + 1),
        endOffsetToken: String((i + 1) * BATCH),
      });
      if (i >= 30 && reportedCommitted >= 10 * BATCH) {
        await new Promise((r) => setTimeout(r, 1));
        killed = true;
        child.kill("SIGKILL");
        await request.catch(() => undefined);
        break;
      }
      const res = await request;
      assert.equal(res.status, 200);
      cont = res.body.next_continuation_token;
    }
    assert.ok(killed, "the stream ended before the kill");
    await poller;
    const status = await child.status;
    assert.equal(status.signal, "SIGKILL");
    assert.ok(reportedCommitted > 0, "nothing was reported committed before the kill");

    // Read what survived through a new emulator on the same data folder (its API and SQL).
    const after = await startTestEmulator({ dataDir: dir, keys, provision: false });
    try {
      const token2 = await exchange(after.url, await keypairJwt(keys));
      const st = await channelStatus(after.url, token2, PIPE, ["crash"]);
      const committed = Number(st.body.channel_statuses.crash.last_committed_offset_token);
      // Never lost what it reported committed…
      assert.ok(committed >= reportedCommitted, `${committed} < reported ${reportedCommitted}`);
      const rows = await columnInOrder(after.sql, "LIFT_RIDE");
      // …and never holds what its committed offset does not cover: exactly the batches up to it,
      // each row once, in order.
      const expected = sent.slice(0, committed / BATCH).flat();
      assert.equal(rows.length, expected.length);
      assert.deepEqual(rows, expected);
    } finally {
      await after.close();
    }
  } finally {
    if (!killed) {
      child.kill("SIGKILL");
      await child.status;
    }
    await reader.cancel().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});
