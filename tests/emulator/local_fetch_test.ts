/**
 * The emulator called in process (`localFetch`): the embedded streamer's transport. Requests reach
 * the handler whole, answers come back as over HTTP, and a caller's timeout still ends a call.
 */
import assert from "node:assert/strict";
import { localFetch } from "../../src/emulator/local_fetch.ts";
import { ChannelInvalidError } from "../../src/snowflake/errors.ts";
import { emulatorFixture, rideJson } from "../snowflake/emulator_helpers.ts";

Deno.test("localFetch hands the request to the handler and its answer back", async () => {
  let seen: { method: string; path: string; type: string | null; body: string } | undefined;
  const f = localFetch(async (req) => {
    seen = {
      method: req.method,
      path: new URL(req.url).pathname,
      type: req.headers.get("content-type"),
      body: await req.text(),
    };
    return Response.json({ ok: true }, { status: 201 });
  });
  const res = await f("http://127.0.0.1:1/v2/x?y=1", {
    method: "POST",
    headers: { "Content-Type": "application/x-ndjson" },
    body: new TextEncoder().encode('{"a":1}\n{"a":2}'),
  });
  assert.equal(res.status, 201);
  assert.deepEqual(await res.json(), { ok: true });
  assert.deepEqual(seen, {
    method: "POST",
    path: "/v2/x",
    type: "application/x-ndjson",
    body: '{"a":1}\n{"a":2}',
  });
});

Deno.test("localFetch: an aborted signal rejects the call while the handler runs on", async () => {
  let finish!: () => void;
  const handlerDone = new Promise<void>((r) => finish = r);
  const f = localFetch(async () => {
    await handlerDone;
    return new Response("late");
  });
  await assert.rejects(
    f("http://127.0.0.1:1/slow", { signal: AbortSignal.timeout(30) }),
    (e: Error) => e.name === "TimeoutError",
  );
  const already = AbortSignal.abort(new Error("stopped"));
  await assert.rejects(f("http://127.0.0.1:1/slow", { signal: already }), /stopped/);
  // A request that cannot be made rejects the call, as fetch does, instead of throwing.
  let called: Promise<Response> | undefined;
  assert.doesNotThrow(() => called = f("not a URL"));
  await assert.rejects(called!, TypeError);
  finish();
});

Deno.test("the streaming client streams through the emulator in process", async () => {
  const fx = await emulatorFixture({ commitDelayMs: 20 });
  try {
    // No server answers at this URL: every call must go through the emulator's fetch.
    const c = await fx.client({ fetch: fx.emu.fetch, controlUrl: "http://127.0.0.1:9" });
    const opened = await c.openChannel("LIFT_RIDE_PIPE", "IN_PROCESS");
    let ct = opened.continuationToken;
    const rows = Array.from({ length: 300 }, (_, i) => ({
      id: i + 1,
      json: rideJson(`inproc-${i + 1}`),
    }));
    for (const body of await c.prepareAppend(rows)) {
      ct = await c.appendRows("LIFT_RIDE_PIPE", "IN_PROCESS", ct, body);
    }
    for (let i = 0; i < 500; i++) {
      const st = (await c.channelStatus("LIFT_RIDE_PIPE", ["IN_PROCESS"])).get("IN_PROCESS");
      if (st?.committedOffsetToken === "300") break;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(await fx.count("LIFT_RIDE"), 300);
    // A used token is refused exactly as over HTTP.
    const [again] = await c.prepareAppend(rows.slice(0, 1));
    await assert.rejects(
      c.appendRows("LIFT_RIDE_PIPE", "IN_PROCESS", opened.continuationToken, again),
      (e) => e instanceof ChannelInvalidError,
    );
  } finally {
    await fx.close();
  }
});
