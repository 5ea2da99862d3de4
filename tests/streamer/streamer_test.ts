/**
 * The streamer in-process against the real emulator: drain, commit-before-delete, clean shutdown
 * and resume, row errors, fault injection, channel takeover, rows dropped without a word (the
 * commit timeout), fatal errors. Tests of delays run on a clock the test moves
 * (tests/helpers/fake_clock.ts), never by sleeping.
 */
import assert from "node:assert/strict";
import { TABLES } from "../../src/config/load.ts";
import { Outbox } from "../../src/queue/outbox.ts";
import { Metrics } from "../../src/status/metrics.ts";
import { StatusStore } from "../../src/status/store.ts";
import { createLogger, type Logger, silentLogger } from "../../src/log.ts";
import { startEmulator } from "../../src/emulator/mod.ts";
import { ensureKeyPair } from "../../src/snowflake/key_files.ts";
import { generateKeyPair } from "../../src/snowflake/keys.ts";
import { createStreamingClient } from "../../src/snowflake/streaming.ts";
import { AuthError } from "../../src/snowflake/errors.ts";
import {
  channelNames,
  OffsetMismatchError,
  runStreamer,
  type StreamerDeps,
  type StreamingApi,
} from "../../src/streamer/mod.ts";
import {
  assertExactlyOnce,
  fillOutbox,
  localConfig,
  outboxDepth,
  rowJson,
  startStreamerEmulator,
} from "./fixtures.ts";
import { FakeClock } from "../helpers/fake_clock.ts";

/** Fast tuning so tests don't wait on production backoffs. */
const FAST = {
  pickupMs: 5,
  minAppendIntervalMs: 5,
  pollMinMs: 10,
  idlePollMs: 50,
  reopenBaseMs: 10,
  reopenMaxMs: 100,
  shutdownGraceMs: 2000,
  commitTimeoutMinMs: 500,
  rescanMs: 100,
};

async function setup(opts: { commitDelayMs?: number; faults?: string } = {}) {
  const dir = await Deno.makeTempDir({ prefix: "liftline-st-" });
  const keys = await ensureKeyPair(dir);
  const liftline = await startStreamerEmulator(dir, {
    commitDelayMs: opts.commitDelayMs ?? 20,
    faults: opts.faults,
  });
  const emu = liftline.emu;
  const config = localConfig(dir, emu.url);
  return {
    dir,
    emu,
    /** SQL into the emulator's warehouse. */
    sql: liftline.sql,
    /** Rows of a table, counted through SQL. */
    count: (table: string) => liftline.count(table),
    keys,
    config,
    /** Streamer dependencies; the outbox with `channels` shards per table (default 1). */
    async deps(extra: Partial<StreamerDeps> & { signal: AbortSignal; channels?: number }): Promise<
      StreamerDeps & { outbox: Outbox }
    > {
      const { channels, ...rest } = extra;
      return {
        config,
        outbox: new Outbox(`${dir}/queue.db`, TABLES, { channels: channels ?? 1 }),
        client: await createStreamingClient(config, {
          privateKeyPem: keys.privateKeyPem,
          retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 8 },
        }),
        metrics: new Metrics(),
        status: new StatusStore(),
        log: silentLogger,
        options: FAST,
        ...rest,
      };
    },
    async close() {
      await liftline.close();
      await Deno.remove(dir, { recursive: true });
    },
    /** Closes the emulator, keeping the data folder. */
    closeEmulator: () => liftline.close(),
  };
}

async function metricValue(m: Metrics, name: string, labels: Record<string, string>) {
  // Histograms are registered under their base name; their series carry the suffixed names.
  const base = name.replace(/_(count|sum|bucket)$/, "");
  const metric = m.registry.getSingleMetric(name) ?? m.registry.getSingleMetric(base);
  const data = await metric!.get();
  return data.values
    .filter((v) =>
      (v as { metricName?: string }).metricName === undefined ||
      (v as { metricName?: string }).metricName === name
    )
    .filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))
    .reduce((a, v) => a + v.value, 0);
}

/** Channel `shard` of `table` as the status store shows it. */
function channelOf(status: StatusStore, table: string, shard = 0) {
  const ch = status.channelsOf(table).find((c) => c.shard === shard);
  assert.ok(ch, `no channel ${shard} of ${table}`);
  return ch;
}

function waitFor(cond: () => boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (cond()) return resolve();
      if (Date.now() > until) return reject(new Error("condition not met in time"));
      setTimeout(tick, 10);
    };
    tick();
  });
}

Deno.test("drain over three channels per table: every row lands exactly once and leaves the outbox", async () => {
  const s = await setup();
  try {
    const txids = fillOutbox(
      s.dir,
      { RESORT_TICKET: 1500, SEASON_PASS: 300, LIFT_RIDE: 6000 },
      "tx",
      1000,
      3,
    );
    const deps = await s.deps({ signal: new AbortController().signal, drain: true, channels: 3 });
    // What each shard held before streaming: what its own channel must commit.
    const held = new Map(
      TABLES.flatMap((t) => deps.outbox.shards(t).map((sh) => [sh.name, sh.rows] as const)),
    );
    try {
      await runStreamer(deps);
      assert.deepEqual(outboxDepth(s.dir), { RESORT_TICKET: 0, SEASON_PASS: 0, LIFT_RIDE: 0 });
      assert.equal(await assertExactlyOnce(s.sql, txids, "tx"), 7800);
      const names = await channelNames(s.config, 3);
      for (const t of TABLES) {
        assert.equal(deps.status.tableSummary(t).rowsCommitted, txids[t].length);
        assert.equal(
          await metricValue(deps.metrics, "liftline_rows_committed_total", { table: t }),
          txids[t].length,
        );
        for (const shard of deps.outbox.shards(t)) {
          const ch = channelOf(deps.status, t, shard.index);
          const channel = String(shard.index);
          assert.equal(ch.channel, names[t][shard.index]);
          assert.ok(held.get(shard.name)! > 0, `${shard.name} got rows`);
          assert.equal(ch.rowsCommitted, held.get(shard.name), `${ch.channel}: its own rows`);
          assert.equal(ch.committedOffset, shard.maxId(), "offset = the shard's last id");
          assert.equal(
            await metricValue(deps.metrics, "liftline_rows_committed_total", { table: t, channel }),
            held.get(shard.name),
          );
          assert.equal(
            await metricValue(deps.metrics, "liftline_committed_offset", { table: t, channel }),
            shard.maxId(),
          );
        }
      }
      const lag = await metricValue(deps.metrics, "liftline_ingest_lag_seconds_count", {});
      assert.equal(lag, 7800, "one lag observation per committed row");
      assert.equal(await metricValue(deps.metrics, "liftline_queue_rows", {}), 0);
    } finally {
      deps.outbox.close();
    }
  } finally {
    await s.close();
  }
});

Deno.test("rows stay in the outbox until committed; shutdown returns; the next run resumes", async () => {
  // Commits never come within this run: nothing may leave the outbox.
  const s = await setup({ commitDelayMs: 600_000 });
  const txids = fillOutbox(s.dir, { LIFT_RIDE: 3000, SEASON_PASS: 100 });
  const stop = new AbortController();
  const deps = await s.deps({ signal: stop.signal, options: { ...FAST, shutdownGraceMs: 300 } });
  try {
    const run = runStreamer(deps);
    // Every channel opens (those of a table with nothing queued too, however busy the machine).
    await waitFor(() =>
      deps.status.tableSummary("LIFT_RIDE").rowsAppended === 3000 &&
      deps.status.notReadyReasons().length === 0
    );
    assert.equal(outboxDepth(s.dir).LIFT_RIDE, 3000, "appended is not committed");
    stop.abort();
    await run;
    assert.equal(outboxDepth(s.dir).LIFT_RIDE, 3000);
    assert.equal(channelOf(deps.status, "LIFT_RIDE").state, "stopped");
    assert.ok(deps.status.notReadyReasons().length > 0, "stopped channels are not ready");
  } finally {
    deps.outbox.close();
    await s.closeEmulator();
  }
  // A restarted emulator with quick commits: the second run sends everything, exactly once.
  const emu2 = await startEmulator({
    dataDir: s.dir,
    commitDelayMs: 20,
    dynamic: { autoRefresh: false },
  });
  const sql2 = emu2.localClient();
  try {
    const deps2 = await s.deps({ signal: new AbortController().signal, drain: true });
    deps2.config = localConfig(s.dir, emu2.url);
    deps2.client = await createStreamingClient(deps2.config, {
      privateKeyPem: s.keys.privateKeyPem,
    });
    try {
      await runStreamer(deps2);
    } finally {
      deps2.outbox.close();
    }
    await assertExactlyOnce(sql2, txids, "tx");
    assert.equal(outboxDepth(s.dir).LIFT_RIDE, 0);
  } finally {
    await sql2.close();
    await emu2.close();
    await Deno.remove(s.dir, { recursive: true });
  }
});

Deno.test("clean shutdown mid-stream: committed rows are deleted, the rest stay, nothing lost", async () => {
  const s = await setup({ commitDelayMs: 150 });
  try {
    const txids = fillOutbox(s.dir, { LIFT_RIDE: 40_000 }, "tx", 1000, 2);
    const stop = new AbortController();
    const deps = await s.deps({
      signal: stop.signal,
      channels: 2,
      options: { ...FAST, batchRows: 2000 },
    });
    try {
      const run = runStreamer(deps);
      await waitFor(() => deps.status.tableSummary("LIFT_RIDE").rowsCommitted > 0);
      stop.abort();
      await run;
      const left = outboxDepth(s.dir).LIFT_RIDE;
      const inWarehouse = await s.count("LIFT_RIDE");
      assert.equal(left + inWarehouse, 40_000, "every row is in exactly one place");
      assert.equal(deps.status.tableSummary("LIFT_RIDE").rowsCommitted, inWarehouse);
    } finally {
      deps.outbox.close();
    }
    const deps2 = await s.deps({ signal: new AbortController().signal, drain: true, channels: 2 });
    try {
      await runStreamer(deps2);
    } finally {
      deps2.outbox.close();
    }
    await assertExactlyOnce(s.sql, txids, "tx");
  } finally {
    await s.close();
  }
});

Deno.test("rows the target rejects are surfaced (metric, status, warning) and still leave the outbox", async () => {
  const s = await setup();
  try {
    const outbox = new Outbox(`${s.dir}/queue.db`, TABLES);
    outbox.append({
      RESORT_TICKET: [
        rowJson("RESORT_TICKET", "ok-1"),
        rowJson("RESORT_TICKET", "bad-1", { PRICE_USD: "not-a-number" }),
        rowJson("RESORT_TICKET", "ok-2"),
      ],
    });
    outbox.close();
    const lines: string[] = [];
    const log: Logger = createLogger({ write: (l) => lines.push(l), format: "json" });
    const deps = await s.deps({ signal: new AbortController().signal, drain: true, log });
    try {
      await runStreamer(deps);
      assert.equal(
        await metricValue(deps.metrics, "liftline_rows_error_count", { table: "RESORT_TICKET" }),
        1,
      );
      const ch = channelOf(deps.status, "RESORT_TICKET");
      assert.equal(ch.rowsErrorCount, 1);
      assert.ok(ch.lastErrorMessage && ch.lastErrorMessage.length > 0);
      assert.equal(ch.lastErrorOffsetUpperBound, "3");
      const warn = lines.map((l) => JSON.parse(l)).find((r) =>
        r.level === "warn" && r.rowsErrorCount === 1
      );
      assert.ok(warn, "a warning names the error rows");
      assert.equal(warn.lastErrorMessage, ch.lastErrorMessage);
      assert.equal(warn.lastErrorOffsetUpperBound, "3");
      assert.equal(outboxDepth(s.dir).RESORT_TICKET, 0, "counted by the target, so deleted");
      assert.equal(await s.count("RESORT_TICKET"), 2);
    } finally {
      deps.outbox.close();
    }
  } finally {
    await s.close();
  }
});

Deno.test("with every fault injected the drain over several channels still delivers exactly once", async () => {
  const s = await setup({
    commitDelayMs: 30,
    faults: "http429=0.05,http500=0.05,http503=0.05,reset=0.15,latency=2,invalidate=0.3",
  });
  try {
    const txids = fillOutbox(
      s.dir,
      { RESORT_TICKET: 2000, SEASON_PASS: 500, LIFT_RIDE: 8000 },
      "tx",
      1000,
      3,
    );
    const deps = await s.deps({
      signal: new AbortController().signal,
      drain: true,
      channels: 3,
      options: { ...FAST, batchRows: 200 },
    });
    try {
      await runStreamer(deps);
      await assertExactlyOnce(s.sql, txids, "tx");
      assert.deepEqual(outboxDepth(s.dir), { RESORT_TICKET: 0, SEASON_PASS: 0, LIFT_RIDE: 0 });
      const retries = await metricValue(deps.metrics, "liftline_retries_total", {});
      const reopens = await metricValue(deps.metrics, "liftline_channel_reopens_total", {});
      assert.ok(retries > 0, "retries are counted");
      assert.ok(reopens > 0, "reopens are counted");
      const statusRetries = TABLES.reduce((a, t) => a + deps.status.tableSummary(t).retries, 0);
      assert.equal(statusRetries, retries);
    } finally {
      deps.outbox.close();
    }
  } finally {
    await s.close();
  }
});

Deno.test("a channel taken over by another writer is reported and retried slowly, not hot", async () => {
  const s = await setup();
  try {
    fillOutbox(s.dir, { LIFT_RIDE: 500 });
    const stop = new AbortController();
    // The streamer's time is the test's: its pauses are checked as asked for, not slept through.
    const clock = new FakeClock();
    const deps = await s.deps({ signal: stop.signal, tables: ["LIFT_RIDE"], clock });
    const real = deps.client as StreamingApi;
    /** When each of our opens happened, in the streamer's time. */
    const opens: number[] = [];
    // Requests to the emulator take no time on the streamer's clock.
    let inFlight = 0;
    const request = async <T>(call: () => Promise<T>): Promise<T> => {
      inFlight++;
      try {
        return await call();
      } finally {
        inFlight--;
      }
    };
    // Another writer opens the same channel right after each of our opens.
    const hostile: StreamingApi = {
      prepareAppend: (r, o) => request(() => real.prepareAppend(r, o)),
      appendRows: (...a) => request(() => real.appendRows(...a)),
      channelStatus: (...a) => request(() => real.channelStatus(...a)),
      openChannel: (pipe, channel, o) =>
        request(async () => {
          opens.push(clock.now());
          const mine = await real.openChannel(pipe, channel, o);
          await real.openChannel(pipe, channel);
          return mine;
        }),
    };
    deps.client = hostile;
    deps.options = { ...FAST, reopenBaseMs: 1, reopenMaxMs: 5, takeoverStrikes: 3 };
    const stopClock = clock.run(() => inFlight > 0);
    try {
      const run = runStreamer(deps);
      await waitFor(() => opens.length >= 8);
      stop.abort();
      await run;
      const problem = channelOf(deps.status, "LIFT_RIDE").lastProblem ?? "";
      assert.match(problem, /another writer/);
      // Three strikes in quick succession, then pauses of 5 s doubling up to a minute: a hot
      // loop would open again at once, every time.
      const gaps = opens.slice(1, 8).map((t, i) => t - opens[i]);
      for (const [i, least] of [0, 0, 5_000, 10_000, 20_000, 40_000, 60_000].entries()) {
        assert.ok(gaps[i] >= least, `open ${i + 2} came ${gaps[i]} ms after the last: ${gaps}`);
        if (least === 0) assert.ok(gaps[i] < 1000, `a strike is retried quickly: ${gaps}`);
        else assert.ok(gaps[i] < least + 1000, `paused ${gaps[i]} ms, not ${least}: ${gaps}`);
      }
      assert.equal(outboxDepth(s.dir).LIFT_RIDE, 500, "nothing deleted without a commit");
    } finally {
      stopClock();
      deps.outbox.close();
    }
  } finally {
    await s.close();
  }
});

Deno.test("rows the service dropped without a word are sent again after the commit timeout", async () => {
  const s = await setup();
  try {
    const txids = fillOutbox(s.dir, { SEASON_PASS: 300 });
    const clock = new FakeClock();
    const deps = await s.deps({
      signal: new AbortController().signal,
      drain: true,
      tables: ["SEASON_PASS"],
      clock,
      options: { ...FAST, pickupMs: 250, pollMinMs: 250, commitTimeoutMinMs: 5_000 },
    });
    const real = deps.client as StreamingApi;
    let inFlight = 0;
    const request = async <T>(call: () => Promise<T>): Promise<T> => {
      inFlight++;
      try {
        return await call();
      } finally {
        inFlight--;
      }
    };
    /** The streamer's time of the first append, and of each open. */
    let appendedAt: number | undefined;
    const opens: number[] = [];
    // Right after our first append, someone else opens the channel: the service drops the rows
    // appended and not committed, and says nothing. Our token stays fine, and no row follows.
    const silentDrop: StreamingApi = {
      prepareAppend: (r, o) => request(() => real.prepareAppend(r, o)),
      channelStatus: (...a) => request(() => real.channelStatus(...a)),
      openChannel: (...a) =>
        request(() => {
          opens.push(clock.now());
          return real.openChannel(...a);
        }),
      appendRows: (pipe, channel, token, body, o) =>
        request(async () => {
          const next = await real.appendRows(pipe, channel, token, body, o);
          if (appendedAt === undefined) {
            appendedAt = clock.now();
            await real.openChannel(pipe, channel);
          }
          return next;
        }),
    };
    deps.client = silentDrop;
    const stopClock = clock.run(() => inFlight > 0);
    try {
      // Drained within two minutes of the streamer's time (else it waits for a commit forever).
      const start = clock.now();
      let drained = false;
      const run = runStreamer(deps).finally(() => drained = true);
      await waitFor(() => drained || clock.now() - start > 120_000);
      assert.ok(drained, "still waiting for a commit after two minutes");
      await run;
      // Reopened once the rows had waited the commit timeout, and sent again: exactly once.
      assert.equal(opens.length, 2, `opens at ${opens}`);
      const waited = opens[1] - appendedAt!;
      assert.ok(waited >= 5_000 && waited < 6_000, `reopened ${waited} ms after the append`);
      const ch = channelOf(deps.status, "SEASON_PASS");
      assert.equal(ch.reopens, 1);
      assert.equal(ch.rowsAppended, 600, "every row appended twice");
      assert.equal(ch.rowsCommitted, 300, "and committed once");
      assert.equal(await assertExactlyOnce(s.sql, txids, "tx"), 300);
      assert.equal(outboxDepth(s.dir).SEASON_PASS, 0);
    } finally {
      stopClock();
      deps.outbox.close();
    }
  } finally {
    await s.close();
  }
});

Deno.test("drain given as a function waits until it says so", async () => {
  const s = await setup();
  try {
    fillOutbox(s.dir, { SEASON_PASS: 10 });
    let finished = false;
    /** How often the loop asked, once everything was committed. */
    let askedWhenEmpty = 0;
    const deps = await s.deps({ signal: new AbortController().signal });
    deps.drain = () => {
      if (deps.status.tableSummary("SEASON_PASS").rowsCommitted === 10) askedWhenEmpty++;
      return finished;
    };
    try {
      let returned = false;
      const run = runStreamer(deps).then(() => returned = true);
      // The table is empty and committed, the loop asks again and again, and hears "not yet".
      await waitFor(() => askedWhenEmpty >= 3);
      assert.equal(returned, false, "still running while the generator is not finished");
      deps.outbox.append({ SEASON_PASS: [rowJson("SEASON_PASS", "late")] });
      finished = true;
      await run;
      assert.equal(await s.count("SEASON_PASS"), 11);
    } finally {
      deps.outbox.close();
    }
  } finally {
    await s.close();
  }
});

Deno.test("a channel whose committed offset is past this outbox stops with a clear error", async () => {
  const s = await setup();
  try {
    fillOutbox(s.dir, { LIFT_RIDE: 5 });
    const deps = await s.deps({ signal: new AbortController().signal, drain: true });
    const names = await channelNames(s.config);
    await (deps.client as StreamingApi).openChannel("LIFT_RIDE_PIPE", names.LIFT_RIDE[0], {
      offsetToken: "999999",
    });
    try {
      await assert.rejects(runStreamer(deps), (e) => {
        assert.ok(e instanceof OffsetMismatchError);
        assert.match(e.message, /999999/);
        return true;
      });
      assert.equal(outboxDepth(s.dir).LIFT_RIDE, 5, "nothing deleted");
      assert.equal(channelOf(deps.status, "LIFT_RIDE").state, "failed");
    } finally {
      deps.outbox.close();
    }
  } finally {
    await s.close();
  }
});

Deno.test("a pipe dropped while streaming is waited for, not fatal: its rows land once it is back", async () => {
  const s = await setup();
  const stop = new AbortController();
  const deps = await s.deps({ signal: stop.signal, options: { ...FAST, goneMaxMs: 100 } });
  let failed: unknown;
  let run: Promise<void> | undefined;
  try {
    const before = fillOutbox(s.dir, { SEASON_PASS: 200 }, "tx");
    run = runStreamer(deps).catch((e) => {
      failed = e;
    });
    await waitFor(() => outboxDepth(s.dir).SEASON_PASS === 0);
    await s.sql.query("DROP PIPE SEASON_PASS_PIPE");
    const after = fillOutbox(s.dir, { SEASON_PASS: 300 }, "tx-after");
    await waitFor(() => /is gone/.test(channelOf(deps.status, "SEASON_PASS").lastProblem ?? ""));
    assert.equal(failed, undefined, "the streamer keeps running");
    assert.ok(
      deps.status.notReadyReasons().some((r) => r.includes("SEASON_PASS")),
      "not ready while the pipe is gone",
    );
    assert.equal(outboxDepth(s.dir).SEASON_PASS, 300, "its rows stay queued");
    // Another table's channel streams on meanwhile.
    const rides = fillOutbox(s.dir, { LIFT_RIDE: 100 }, "tx-rides");
    await waitFor(() => outboxDepth(s.dir).LIFT_RIDE === 0);
    await s.sql.query(`CREATE PIPE SEASON_PASS_PIPE AS COPY INTO SEASON_PASS
      FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING')) MATCH_BY_COLUMN_NAME = CASE_SENSITIVE`);
    await waitFor(() => outboxDepth(s.dir).SEASON_PASS === 0);
    assert.equal(
      await assertExactlyOnce(s.sql, {
        RESORT_TICKET: [],
        SEASON_PASS: [...before.SEASON_PASS, ...after.SEASON_PASS],
        LIFT_RIDE: rides.LIFT_RIDE,
      }, "tx"),
      600,
    );
    assert.equal(channelOf(deps.status, "SEASON_PASS").state, "open");
    assert.equal(failed, undefined);
  } finally {
    stop.abort();
    await run;
    deps.outbox.close();
    await s.close();
  }
});

Deno.test("a key the target does not trust stops the streamer with an AuthError", async () => {
  const s = await setup();
  try {
    fillOutbox(s.dir, { LIFT_RIDE: 5 });
    const other = await generateKeyPair();
    const deps = await s.deps({ signal: new AbortController().signal });
    deps.client = await createStreamingClient(s.config, { privateKeyPem: other.privateKeyPem });
    try {
      await assert.rejects(runStreamer(deps), AuthError);
      for (const t of TABLES) assert.equal(channelOf(deps.status, t).state, "failed");
      assert.ok(deps.status.notReadyReasons().some((r) => /failed/.test(r)));
      assert.equal(outboxDepth(s.dir).LIFT_RIDE, 5);
    } finally {
      deps.outbox.close();
    }
  } finally {
    await s.close();
  }
});

/** Rows of `table` with TXIDs `<prefix>-<i>`, as the generator would queue them. */
function rowsFor(table: "LIFT_RIDE" | "RESORT_TICKET", prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => rowJson(table, `${prefix}-${i}`));
}

Deno.test("changing the channel count while rows are queued and in flight loses nothing, duplicates nothing", async () => {
  // Commits come 300 ms after an append: a stop leaves rows appended and not yet committed, and
  // some of those commit after the streamer gave up on them (committed, still queued).
  const s = await setup({ commitDelayMs: 300 });
  const expected = {
    RESORT_TICKET: [] as string[],
    SEASON_PASS: [] as string[],
    LIFT_RIDE: [] as string[],
  };
  const queue = (channels: number, prefix: string, rides: number, tickets: number) => {
    const outbox = new Outbox(`${s.dir}/queue.db`, TABLES, { channels });
    try {
      const batch = {
        LIFT_RIDE: rowsFor("LIFT_RIDE", `tx-${prefix}`, rides),
        RESORT_TICKET: rowsFor("RESORT_TICKET", `tx-${prefix}`, tickets),
      };
      outbox.append(batch);
      expected.LIFT_RIDE.push(...batch.LIFT_RIDE.map((r) => JSON.parse(r).TXID));
      expected.RESORT_TICKET.push(...batch.RESORT_TICKET.map((r) => JSON.parse(r).TXID));
    } finally {
      outbox.close();
    }
  };
  try {
    // 1. Four channels per table, stopped mid-stream.
    queue(4, "four", 20_000, 2000);
    const stop = new AbortController();
    const deps = await s.deps({
      signal: stop.signal,
      channels: 4,
      options: { ...FAST, batchRows: 500, maxInFlightRows: 2000, shutdownGraceMs: 50 },
    });
    try {
      const run = runStreamer(deps);
      await waitFor(() => deps.status.tableSummary("LIFT_RIDE").rowsCommitted > 2000);
      stop.abort();
      await run;
    } finally {
      deps.outbox.close();
    }
    const stopped = deps.status.tableSummary("LIFT_RIDE");
    assert.ok(stopped.rowsAppended > stopped.rowsCommitted, "rows were in flight at the stop");
    // Appends the service had accepted commit after the streamer stopped waiting for them: they
    // are in the table and still queued, and only their channel's offset tells.
    await new Promise((r) => setTimeout(r, 400));
    assert.ok(await s.count("LIFT_RIDE") > stopped.rowsCommitted, "committed, still queued");
    assert.ok(outboxDepth(s.dir).LIFT_RIDE > 0, "rows still queued in the four shards");

    // 2. Two channels: shards 2 and 3 are retired but hold rows; new rows go to shards 0 and 1.
    queue(2, "two", 3000, 300);
    const deps2 = await s.deps({ signal: new AbortController().signal, drain: true, channels: 2 });
    try {
      await runStreamer(deps2);
      const rides = deps2.status.channelsOf("LIFT_RIDE");
      assert.deepEqual(rides.map((c) => [c.shard, c.retired]), [
        [0, false],
        [1, false],
        [2, true],
        [3, true],
      ]);
      for (const c of rides.filter((c) => c.retired)) {
        assert.equal(c.state, "drained", `${c.channel} streamed its rows, then closed`);
        assert.equal(c.queueRows, 0);
      }
      const names = await channelNames(s.config, 4);
      assert.deepEqual(rides.map((c) => c.channel), names.LIFT_RIDE, "each shard on its channel");
    } finally {
      deps2.outbox.close();
    }
    assert.deepEqual(outboxDepth(s.dir), { RESORT_TICKET: 0, SEASON_PASS: 0, LIFT_RIDE: 0 });
    await assertExactlyOnce(s.sql, expected, "tx");

    // 3. Five channels: the empty retired shards of before are live again, plus a new one.
    queue(5, "five", 5000, 500);
    const deps3 = await s.deps({ signal: new AbortController().signal, drain: true, channels: 5 });
    try {
      await runStreamer(deps3);
      assert.equal(deps3.status.channelsOf("LIFT_RIDE").filter((c) => !c.retired).length, 5);
    } finally {
      deps3.outbox.close();
    }
    assert.deepEqual(outboxDepth(s.dir), { RESORT_TICKET: 0, SEASON_PASS: 0, LIFT_RIDE: 0 });
    assert.equal(await assertExactlyOnce(s.sql, expected, "tx"), 30_800);
  } finally {
    await s.close();
  }
});

Deno.test("rows another process queues for channels beyond STREAM_CHANNELS are found and streamed", async () => {
  const s = await setup();
  try {
    const stop = new AbortController();
    const deps = await s.deps({ signal: stop.signal, channels: 1 });
    try {
      const run = runStreamer(deps);
      await waitFor(() => deps.status.notReadyReasons().length === 0);
      // A `generate` with three channels per table writes into the same queue meanwhile.
      const other = new Outbox(`${s.dir}/queue.db`, TABLES, { channels: 3 });
      const rows = rowsFor("LIFT_RIDE", "tx-other", 900);
      other.append({ LIFT_RIDE: rows });
      other.close();
      await waitFor(() => outboxDepth(s.dir).LIFT_RIDE === 0);
      assert.equal(await s.count("LIFT_RIDE"), 900);
      const rides = deps.status.channelsOf("LIFT_RIDE");
      assert.deepEqual(rides.map((c) => [c.shard, c.retired]), [[0, false], [1, true], [2, true]]);
      stop.abort();
      await run;
      await assertExactlyOnce(s.sql, {
        LIFT_RIDE: rows.map((r) => JSON.parse(r).TXID),
        RESORT_TICKET: [],
        SEASON_PASS: [],
      }, "tx");
    } finally {
      deps.outbox.close();
    }
  } finally {
    await s.close();
  }
});
