/**
 * Live updates over server-sent events, against a real server on an ephemeral port: one render
 * per change and topic however many subscribers, the same message to each of them, the current
 * view at once for a client that is behind (a page rendered before a refresh, or a reconnect),
 * the pipeline pushed on status samples, heartbeats, the subscriber cap (a client over it is told
 * to retry later, in a stream the htmx extension acts on), disconnects, `close()`, and clients
 * that stop reading.
 *
 * No fixed waits: "nothing was sent" is checked after a marker sent behind it has arrived
 * (`settled`), and "nothing was rendered" against the hub's own count of what it published.
 */
import assert from "node:assert/strict";
import type { TableName } from "../../src/config/load.ts";
import { LiveHub, openingBlock, sseMessage } from "../../src/web/live.ts";
import { ReportCache } from "../../src/reports/mod.ts";
import { fmtInt, fmtUtc } from "../../src/web/format.ts";
import { DAY_MS, FRIDAY_START, simulate } from "../reports/fixtures.ts";
import { type DashboardFixture, dashboardFixture, serve } from "./dashboard_fixture.ts";
import { byId, kpis, textOf } from "./html.ts";
import { eventually, isView, settled, sleep, SseClient } from "./sse.ts";

const TIME_FIELD: Record<TableName, string> = {
  RESORT_TICKET: "PURCHASE_TIME",
  SEASON_PASS: "PURCHASE_TIME",
  LIFT_RIDE: "RIDE_TIME",
};

/** Four seeded days, split into the first three and the fourth. */
function history() {
  const all = simulate(4, { seed: "web-live", ticketsPerDay: 80 });
  const cut = FRIDAY_START + 3 * DAY_MS;
  const part = (later: boolean) =>
    Object.fromEntries(
      (Object.keys(all) as TableName[]).map((t) => [
        t,
        all[t].filter((r) => (Date.parse(JSON.parse(r)[TIME_FIELD[t]]) >= cut) === later),
      ]),
    ) as Record<TableName, string[]>;
  return { first: part(false), fourth: part(true) };
}

const HISTORY = history();

const isMessage = isView;
const LIVE_PARTIAL = '<hx-partial hx-target="#live" hx-swap="outerMorph"><div id="live">';
const CLOCK_PARTIAL = '<hx-partial hx-target="#clock" hx-swap="innerHTML">';

/** A fixture served on a port, closed with everything it opened. */
async function withServedDashboard(
  options: Parameters<typeof dashboardFixture>[0],
  fn: (f: DashboardFixture, url: string) => Promise<void>,
): Promise<void> {
  const f = await dashboardFixture(options);
  const server = serve(f.fetch);
  try {
    await fn(f, server.url);
  } finally {
    // Open event streams would hold up the server's shutdown.
    f.live.close();
    await server.close();
    await f.close();
  }
}

/** The event stream a page connects to (its `hx-sse:connect`), and the `since` it carries. */
async function pageStream(
  f: DashboardFixture,
  path: string,
): Promise<{ path: string; since: number }> {
  const page = await f.get(path).then((r) => r.text());
  const stream = page.match(/hx-sse:connect="([^"]+)"/)![1].replaceAll("&amp;", "&");
  return { path: stream, since: Number(new URL(stream, "http://x").searchParams.get("since")) };
}

/**
 * Records what each of the hub's publishes sent (topics), once it is done: the routes call
 * `live.publish` on every report change and status sample.
 */
function recordPublishes(f: DashboardFixture): number[] {
  const sent: number[] = [];
  const publish = f.live.publish.bind(f.live);
  f.live.publish = async (...args) => {
    const n = await publish(...args);
    sent.push(n);
    return n;
  };
  return sent;
}

async function openAll(url: string, n: number, headers?: HeadersInit): Promise<SseClient[]> {
  const clients = await Promise.all(Array.from({ length: n }, () => SseClient.open(url, headers)));
  for (const c of clients) {
    assert.equal(c.response.status, 200, url);
    assert.match(c.response.headers.get("content-type") ?? "", /^text\/event-stream/);
    assert.equal(c.response.headers.get("cache-control"), "no-store");
  }
  return clients;
}

async function closeAll(clients: SseClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.close()));
}

Deno.test("a report change renders each open view once and sends the same message to all", async () => {
  await withServedDashboard({ rows: HISTORY.first }, async (f, url) => {
    // The streams the pages connect to, at the generation they were rendered at.
    const overviewStream = await pageStream(f, "/?period=today&metric=visitors");
    const vailStream = await pageStream(f, "/resorts/Vail");
    const since = overviewStream.since;
    assert.equal(vailStream.since, since);
    const overview = await openAll(`${url}${overviewStream.path}`, 20);
    const vail = await openAll(`${url}${vailStream.path}`, 5);
    const pipeline = await openAll(`${url}/events/pipeline`, 3);
    const all = [...overview, ...vail, ...pipeline];
    try {
      await eventually(() => f.live.subscribers === 28, "28 subscribers");
      // Every stream starts with a reconnect delay, and nothing else: the pages are current.
      await Promise.all(all.map((c) => c.waitFor((b) => b.kind === "retry")));
      await settled(f.live, all);
      assert.deepEqual(all.flatMap((c) => c.messages), [], "no view for clients that are current");
      const rendersBefore = f.live.renders;

      // The fourth day arrives and the chain refreshes: a new version of the reports.
      f.load(HISTORY.fourth);
      await f.refresh();
      const got = await Promise.all([...overview, ...vail].map((c) => c.waitFor(isMessage)));
      assert.equal(f.live.renders - rendersBefore, 2, "one render per open view, not per client");

      const first = got.map((m) => m[0]);
      const overviewMessages = first.slice(0, 20);
      const vailMessages = first.slice(20);
      for (const group of [overviewMessages, vailMessages]) {
        assert.ok(group.every((m) => m.id === String(since + 1)), "the new id");
        assert.ok(group.every((m) => m.data === group[0].data), "the same bytes to every client");
        assert.ok(group[0].data.startsWith(LIVE_PARTIAL), group[0].data.slice(0, 120));
        assert.ok(group[0].data.includes(CLOCK_PARTIAL), "the clock comes along");
      }
      assert.notEqual(overviewMessages[0].data, vailMessages[0].data);

      // The pushed overview shows the new reporting day's numbers.
      const clock = await f.reports.clock();
      assert.equal(clock.reportingDate, "2026-11-30");
      const o = await f.reports.networkOverview("today", clock.reportingDate!);
      const tiles = kpis(overviewMessages[0].data);
      assert.equal(tiles.get("Visitors")?.value, fmtInt(o.current.visitors));
      assert.equal(tiles.get("Lift rides")?.value, fmtInt(o.current.rides));
      assert.ok(
        textOf(overviewMessages[0].data).includes(
          `latest reported hour ${fmtUtc(clock.latestReportedHour)}`,
        ),
      );
      // The same as a page rendered now shows in its live region.
      const page = await f.get("/?period=today&metric=visitors").then((r) => r.text());
      assert.deepEqual(kpis(byId(page, "div", "live")), tiles);
      assert.equal((await pageStream(f, "/?period=today&metric=visitors")).since, since + 1);
      const vailCenter = (await f.reports.resortCenter("Vail"))!;
      assert.equal(
        kpis(vailMessages[0].data).get("Visitors this hour")?.value,
        fmtInt(vailCenter.thisHour!.visitors),
      );

      // A report change does not re-render the pipeline (its status samples do).
      assert.deepEqual(pipeline.flatMap((c) => c.messages), []);

      // The next change: again one render per view, id 2.
      await f.refresh();
      await Promise.all([...overview, ...vail].map((c) => c.waitFor(isMessage, 2)));
      assert.equal(f.live.renders - rendersBefore, 4);
      assert.ok(overview.every((c) => c.messages[1].id === String(since + 2)));

      // Views nobody has open are not rendered at all: the refresh's publish sends nothing.
      await closeAll(all);
      await eventually(() => f.live.subscribers === 0, "every client gone");
      const idle = f.live.renders;
      const published = recordPublishes(f);
      await f.refresh();
      await eventually(() => published.length === 1, "the refresh was published");
      assert.deepEqual(published, [0], "no topic sent");
      assert.equal(f.live.renders, idle);
    } finally {
      await closeAll(all);
    }
  });
});

Deno.test("a client that is behind gets the current view at once; one that is current does not", async () => {
  await withServedDashboard({ rows: HISTORY.first }, async (f, url) => {
    const opened: SseClient[] = [];
    const open = async (path: string, headers?: HeadersInit) => {
      const [c] = await openAll(`${url}${path}`, 1, headers);
      opened.push(c);
      return c;
    };
    try {
      // A page opened, then two refreshes.
      const before = await pageStream(f, "/?period=last7&metric=rides");
      await f.refresh();
      await f.refresh();
      const page = await f.get("/?period=last7&metric=rides").then((r) => r.text());
      const now = await pageStream(f, "/?period=last7&metric=rides");
      assert.equal(now.since, before.since + 2);
      const generation = String(now.since);

      const rendersBefore = f.live.renders;
      // The page rendered before the refreshes, and a reconnect that missed the last one.
      const stale = await open(before.path);
      const reconnect = await open("/events/overview?period=last7&metric=rides", {
        "Last-Event-ID": String(now.since - 1),
      });
      // The page just rendered, and a reconnect that saw the latest message.
      const current = await open(now.path);
      const currentById = await open(before.path, { "Last-Event-ID": generation });
      const [a] = await stale.waitFor(isMessage);
      const [b] = await reconnect.waitFor(isMessage);
      assert.equal(a.id, generation);
      assert.equal(b.id, generation);
      assert.equal(a.data, b.data);
      assert.ok(a.data.startsWith(LIVE_PARTIAL));
      // Both behind-clients share one render (the topic keeps its last message).
      assert.equal(f.live.renders - rendersBefore, 1);
      assert.deepEqual(kpis(a.data), kpis(byId(page, "div", "live")));
      await settled(f.live, [current, currentById]);
      assert.deepEqual(current.messages, [], "a current client gets nothing until a change");
      assert.deepEqual(currentById.messages, [], "Last-Event-ID counts over a stale since");

      // A reconnect after a change it missed.
      const missedId = a.id!;
      await stale.close();
      f.load(HISTORY.fourth);
      await f.refresh();
      const [pushed] = await current.waitFor(isMessage);
      const back = await open(before.path, { "Last-Event-ID": missedId });
      const [c] = await back.waitFor(isMessage);
      assert.equal(c.id, String(now.since + 1));
      assert.equal(c.data, pushed.data);
    } finally {
      await closeAll(opened);
    }
  });
});

Deno.test("the pipeline view is pushed on status samples, once per sample", async () => {
  await withServedDashboard({ rows: HISTORY.first }, async (f, url) => {
    const pipeline = await openAll(`${url}/events/pipeline`, 10);
    const [overview] = await openAll(`${url}${(await pageStream(f, "/")).path}`, 1);
    const all = [...pipeline, overview];
    try {
      await eventually(() => f.live.subscribers === 11, "11 subscribers");
      await Promise.all(all.map((c) => c.waitFor((b) => b.kind === "retry")));
      const world = new Date(FRIDAY_START + 3 * DAY_MS + 5 * 3_600_000);
      f.status.generator = {
        worldTime: world.toISOString(),
        rows: { RESORT_TICKET: 10, SEASON_PASS: 1, LIFT_RIDE: 100 },
        rowsPerSecond: 50,
        speed: "MAX",
        paused: false,
        pausedReason: null,
        finished: false,
      };
      let renders = f.live.renders;
      f.status.sample();
      const got = await Promise.all(pipeline.map((c) => c.waitFor(isMessage)));
      assert.equal(f.live.renders - renders, 1, "one render for ten viewers");
      const first = got.map((m) => m[0]);
      assert.ok(first.every((m) => m.data === first[0].data && m.id === undefined));
      assert.ok(first[0].data.startsWith(LIVE_PARTIAL));
      assert.ok(textOf(first[0].data).includes(`World clock ${fmtUtc(world)}`));
      // The world time moved: every open page gets the new clock (no render of its view).
      const [clock] = await overview.waitFor(isMessage);
      assert.equal(clock.data.startsWith(CLOCK_PARTIAL), true, clock.data.slice(0, 100));
      assert.ok(!clock.data.includes(LIVE_PARTIAL));
      assert.ok(textOf(clock.data).startsWith(`World time ${fmtUtc(world)}`));

      // Samples in quick succession: one render, not one per sample (a sample that comes while
      // the last one is still rendering is skipped). The clock above arrived after that sample's
      // work ended, so the next sample starts afresh.
      renders = f.live.renders;
      const seen = pipeline[0].messages.length;
      for (let i = 0; i < 5; i++) f.status.sample();
      await pipeline[0].waitFor(isMessage, seen + 1);
      await settled(f.live, all);
      const added = f.live.renders - renders;
      assert.equal(added, 1, `${added} renders for 5 samples in a row`);
      for (const c of pipeline) {
        const pushes = c.messages.slice(seen).filter((m) => m.data.startsWith(LIVE_PARTIAL));
        assert.equal(pushes.length, added, "each render reaches each viewer once");
      }
      // An unchanged clock is not sent again.
      assert.equal(overview.messages.length, 1);
    } finally {
      await closeAll(all);
    }
  });
});

/**
 * What a client that may not connect now is told, as htmx 4's SSE extension needs it: a short
 * event stream (the extension takes over only `text/event-stream`; a 503 on the first connect
 * would leave the page without updates for good) whose `retry:` rides on an event (a bare
 * `retry:` block is dropped by the extension) and which then ends (the extension reconnects when
 * a stream ends).
 */
async function assertToldToRetry(url: string, retryMs: number, why: RegExp): Promise<void> {
  const client = await SseClient.open(url);
  assert.equal(client.response.status, 200, url);
  assert.match(client.response.headers.get("content-type") ?? "", /^text\/event-stream/, url);
  assert.equal(client.response.headers.get("cache-control"), "no-store", url);
  await client.waitForEnd(5000);
  assert.equal(client.blocks.length, 1, `${url}: ${JSON.stringify(client.blocks)}`);
  const [block] = client.blocks;
  assert.equal(block.event, "live-retry", url);
  assert.equal(block.retry, retryMs, url);
  assert.match(block.data, why, url);
}

Deno.test("heartbeats keep streams alive; over the cap a client is told to retry later", async () => {
  await withServedDashboard(
    { live: { heartbeatMs: 100, maxSubscribers: 3, retryMs: 1500, busyRetryMs: 700 } },
    async (f, url) => {
      const clients = await openAll(`${url}/events/pipeline`, 3);
      try {
        for (const c of clients) {
          // The reconnect delay for when the stream ends, on an event so that htmx applies it.
          const [retry] = await c.waitFor((b) => b.kind === "retry");
          assert.deepEqual(retry, { kind: "retry", event: "live-open", retry: 1500, data: "" });
          const beats = await c.waitFor((b) => b.kind === "comment", 2, 5000);
          assert.equal(beats[0].comment, "heartbeat");
        }
        for (
          const path of ["/events/pipeline", "/events/overview?since=0", "/events/resorts/Vail"]
        ) {
          await assertToldToRetry(`${url}${path}`, 700, /^too many live connections$/);
        }
        assert.equal(f.live.refused, 3);
        assert.equal(f.live.subscribers, 3, "the refused streams took no place");
        // A place frees up when a client leaves.
        await clients.pop()!.close();
        await eventually(() => f.live.subscribers === 2, "the client that left is removed");
        clients.push(...await openAll(`${url}/events/pipeline`, 1));
      } finally {
        await closeAll(clients);
      }
    },
  );
});

Deno.test("HEAD of a stream answers its headers and takes no place", async () => {
  await withServedDashboard({ live: { maxSubscribers: 2 } }, async (f, url) => {
    for (let i = 0; i < 20; i++) {
      for (const path of ["/events/pipeline", "/events/overview", "/events/resorts/Vail"]) {
        const res = await fetch(`${url}${path}`, { method: "HEAD" });
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
        await res.body?.cancel();
      }
    }
    assert.equal(f.live.subscribers, 0, "no HEAD holds a stream");
    // Browsers still get their places.
    const clients = await openAll(`${url}/events/pipeline`, 2);
    await closeAll(clients);
  });
});

Deno.test("a resort's stream while the resort list cannot be read: retry later, not an error", async () => {
  let failing = true;
  await withServedDashboard(
    {
      live: { busyRetryMs: 900 },
      source: (feed) => ({
        cache: new ReportCache({ retryFailedMs: 0 }),
        reports: () => failing ? Promise.reject(new Error("unreachable")) : feed.reports(),
        onChange: (l) => feed.onChange(l),
      }),
    },
    async (f, url) => {
      await assertToldToRetry(
        `${url}/events/resorts/Vail`,
        900,
        /^the resort list cannot be read yet$/,
      );
      failing = false;
      const [client] = await openAll(`${url}/events/resorts/Vail`, 1);
      await client.close();
      assert.equal(f.live.refused, 1);
    },
  );
});

Deno.test("clients that disconnect are removed; close() ends every stream", async () => {
  await withServedDashboard({ live: { heartbeatMs: 200 } }, async (f, url) => {
    const clients = [
      ...await openAll(`${url}/events/pipeline`, 3),
      ...await openAll(`${url}/events/overview?since=0`, 2),
      ...await openAll(`${url}/events/resorts/Heavenly?since=0`, 2),
    ];
    try {
      await eventually(() => f.live.subscribers === 7, "7 subscribers");
      await clients[0].close();
      await clients[3].close();
      await clients[5].close();
      await eventually(() => f.live.subscribers === 4, "disconnected clients removed", 5000);

      f.live.close();
      const open = clients.filter((_, i) => ![0, 3, 5].includes(i));
      await Promise.all(open.map((c) => c.waitForEnd(5000)));
      assert.equal(f.live.subscribers, 0);
      // Closed for good: new streams are told to come back later, and the pages still answer.
      await assertToldToRetry(`${url}/events/pipeline`, 5000, /shutting down/);
      assert.equal((await f.get("/pipeline")).status, 200);
    } finally {
      await closeAll(clients);
    }
  });
});

Deno.test("a client that stops reading is dropped once its buffer passes the limit", async () => {
  await withServedDashboard({ live: { maxBufferedBytes: 64 * 1024 } }, async (f, url) => {
    const [reader] = await openAll(`${url}/events/pipeline`, 1);
    // A client that sends its request and never reads a byte of the answer.
    const port = Number(new URL(url).port);
    const stuck = await Deno.connect({ hostname: "127.0.0.1", port });
    try {
      await stuck.write(
        new TextEncoder().encode(
          "GET /events/pipeline HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n",
        ),
      );
      await eventually(() => f.live.subscribers === 2, "both connected");
      const chunk = "x".repeat(256 * 1024);
      let sent = 0;
      // The socket's buffers take some megabytes before the server sees a backlog at all.
      while (f.live.subscribers === 2 && sent < 400) {
        f.live.broadcast(chunk);
        sent++;
        await sleep(5);
      }
      assert.equal(f.live.subscribers, 1, `not dropped after ${sent} messages of 256 KiB`);
      // The client that reads keeps its stream and gets everything.
      await reader.waitFor((b) => b.kind === "message" && b.data === chunk, sent, 20_000);
      f.live.broadcast("still here");
      await reader.waitFor((b) => b.data === "still here");
    } finally {
      stuck.close();
      await reader.close();
    }
  });
});

Deno.test("LiveHub: fan-out, ids and buffers without a server", async () => {
  const hub = new LiveHub({ maxBufferedBytes: 32 * 1024, heartbeatMs: 60_000 });
  try {
    let renders = 0;
    const render = () => Promise.resolve(`<p>view ${++renders}</p>`);
    // Behind (seen 0, current 1): the view at once, rendered once for both clients.
    const a = await hub.connect("t", render, { seenId: "0", currentId: "1" });
    const b = await hub.connect("t", render, { seenId: "0", currentId: "1" });
    const c = await hub.connect("t", render, { seenId: "1", currentId: "1" });
    assert.equal(renders, 1);
    const read = async (res: Response, n: number) => {
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = "";
      while (text.split("\n\n").length - 1 < n) {
        text += decoder.decode((await reader.read()).value, { stream: true });
      }
      reader.releaseLock();
      return text;
    };
    const firstA = await read(a, 2);
    assert.equal(firstA, `${openingBlock(2000)}${sseMessage("<p>view 1</p>", "1")}`);
    assert.equal(openingBlock(2000), "retry: 2000\nevent: live-open\n\n");
    assert.equal(await read(b, 2), firstA);
    assert.equal(await read(c, 1), openingBlock(2000));
    assert.equal(sseMessage("a\nb", "7"), "id: 7\ndata: a\ndata: b\n\n");

    // A publish renders once for three subscribers; a render that throws sends nothing.
    assert.equal(await hub.publish((k) => k === "t", "2"), 1);
    assert.equal(renders, 2);
    assert.equal(await hub.publish((k) => k === "other"), 0);
    const failing = await hub.connect("f", () => Promise.reject(new Error("no")));
    assert.equal(await hub.publish((k) => k === "f"), 0);
    await failing.body!.cancel();

    // a and b stop reading; c is drained. Past 32 KiB queued, a and b are dropped.
    const drain = (async () => {
      const reader = c.body!.getReader();
      while (!(await reader.read()).done);
    })();
    assert.equal(hub.subscribers, 3);
    for (let i = 0; i < 10; i++) {
      hub.broadcast("y".repeat(8 * 1024));
      await sleep(1); // c reads in between
    }
    assert.equal(hub.subscribers, 1);
    hub.close();
    await drain;
    assert.equal(hub.subscribers, 0);
    const refused = await hub.connect("t", render);
    assert.equal(refused.status, 200);
    assert.equal(
      await refused.text(),
      "retry: 5000\nevent: live-retry\ndata: the server is shutting down\n\n",
    );
    assert.equal(hub.refused, 1);
  } finally {
    hub.close();
  }
});
