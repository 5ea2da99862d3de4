import assert from "node:assert/strict";
import { deflateSync, zstdCompressSync } from "node:zlib";
import {
  appendPath,
  appendRows,
  channelPath,
  channelStatus,
  headers,
  keypairJwt,
  ndjson,
  openChannel,
  rawHttp,
  ride,
  scopedToken,
  startTestEmulator,
  statusPath,
} from "./helpers.ts";

const PIPE = "LIFT_RIDE_PIPE";

async function gzip(text: string): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

Deno.test("gzip and zstd append bodies are decoded; an unknown encoding is 415, bad gzip 400", async () => {
  const t = await startTestEmulator();
  try {
    const token = await scopedToken(t);
    let cont = (await openChannel(t.url, token, PIPE, "enc")).body.next_continuation_token;
    const gz = await appendRows(
      t.url,
      token,
      PIPE,
      "enc",
      cont,
      await gzip(ndjson([ride(), ride()])),
      {
        offsetToken: "2",
      },
      { "Content-Encoding": "gzip" },
    );
    assert.equal(gz.status, 200);
    cont = gz.body.next_continuation_token;
    const zst = new Uint8Array(zstdCompressSync(new TextEncoder().encode(ndjson([ride()]))));
    const z = await appendRows(t.url, token, PIPE, "enc", cont, zst, { offsetToken: "3" }, {
      "Content-Encoding": "zstd",
    });
    assert.equal(z.status, 200);
    cont = z.body.next_continuation_token;
    assert.equal(await t.count("LIFT_RIDE"), 3);

    const br = await appendRows(t.url, token, PIPE, "enc", cont, ndjson([ride()]), {}, {
      "Content-Encoding": "br",
    });
    assert.equal(br.status, 415);
    const bad = await appendRows(t.url, token, PIPE, "enc", cont, "not gzip at all", {}, {
      "Content-Encoding": "gzip",
    });
    assert.equal(bad.status, 400);
    // Refused bodies consume no token: the chain continues.
    const ok = await appendRows(t.url, token, PIPE, "enc", cont, ndjson([ride()]), {
      offsetToken: "4",
    });
    assert.equal(ok.status, 200);
    assert.equal(await t.count("LIFT_RIDE"), 4);
  } finally {
    await t.close();
  }
});

Deno.test("a zstd body of several frames lands whole; bytes after a deflate stream are refused", async () => {
  const t = await startTestEmulator({ commitDelayMs: 50 });
  try {
    const token = await scopedToken(t);
    let cont = (await openChannel(t.url, token, PIPE, "frames")).body.next_continuation_token;
    // zstd allows frames one after another (a streaming compressor may flush one per batch); each
    // frame's rows must land, or the offset token would move past rows never written.
    const frame = () =>
      new Uint8Array(zstdCompressSync(new TextEncoder().encode(ndjson([ride(), ride()]))));
    const body = new Uint8Array([...frame(), ...frame(), ...frame()]);
    const z = await appendRows(t.url, token, PIPE, "frames", cont, body, { offsetToken: "6" }, {
      "Content-Encoding": "zstd",
    });
    assert.equal(z.status, 200);
    cont = z.body.next_continuation_token;
    const deadline = Date.now() + 10_000;
    while (await t.count("LIFT_RIDE") < 6 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(await t.count("LIFT_RIDE"), 6);

    const deflated = new Uint8Array(deflateSync(new TextEncoder().encode(ndjson([ride()]))));
    const trailing = await appendRows(
      t.url,
      token,
      PIPE,
      "frames",
      cont,
      new Uint8Array([...deflated, 1, 2, 3]),
      { offsetToken: "7" },
      { "Content-Encoding": "deflate" },
    );
    assert.equal(trailing.status, 400);
    const ok = await appendRows(t.url, token, PIPE, "frames", cont, deflated, {
      offsetToken: "7",
    }, { "Content-Encoding": "deflate" });
    assert.equal(ok.status, 200);
  } finally {
    await t.close();
  }
});

Deno.test("the 4 MB cap counts wire bytes: a bigger body is 413, a big body gzipped under it lands", async () => {
  const t = await startTestEmulator();
  try {
    const token = await scopedToken(t);
    const cont = (await openChannel(t.url, token, PIPE, "cap")).body.next_continuation_token;
    const rows: unknown[] = [];
    let text = "";
    while (text.length <= 4 * 1024 * 1024 + 100) {
      for (let i = 0; i < 1000; i++) rows.push(ride());
      text = ndjson(rows);
    }
    const tooBig = await appendRows(t.url, token, PIPE, "cap", cont, text, { offsetToken: "1" });
    assert.equal(tooBig.status, 413);
    assert.equal(tooBig.body.code, "ERR_PAYLOAD_TOO_LARGE");
    // Without Content-Length (a stream): still capped.
    const streamed = await fetch(
      `${t.url}${appendPath(PIPE, "cap")}?continuationToken=${encodeURIComponent(cont)}`,
      {
        method: "POST",
        headers: headers(token),
        body: new Blob([text]).stream(),
      },
    );
    assert.equal(streamed.status, 413);
    await streamed.body?.cancel();
    assert.equal(await t.count("LIFT_RIDE"), 0);

    const zipped = await gzip(text);
    assert.ok(zipped.byteLength < 4 * 1024 * 1024);
    const ok = await appendRows(t.url, token, PIPE, "cap", cont, zipped, { offsetToken: "1" }, {
      "Content-Encoding": "gzip",
    });
    assert.equal(ok.status, 200);
    assert.equal(await t.count("LIFT_RIDE"), rows.length);
  } finally {
    await t.close();
  }
});

Deno.test("a missing or unsupported Accept header is refused with 391902; */* takes JSON", async () => {
  const t = await startTestEmulator();
  try {
    const jwt = await keypairJwt(t.keys);
    // fetch always sends an Accept header, so the missing case goes over raw TCP.
    const raw = await rawHttp(
      t.url,
      `GET /v2/streaming/hostname HTTP/1.1\r\nHost: ${new URL(t.url).host}\r\n` +
        `Authorization: Bearer ${jwt}\r\nConnection: close\r\n\r\n`,
    );
    assert.match(raw, /^HTTP\/1\.1 4\d\d/);
    assert.match(raw, /"code":"391902"/);
    assert.match(raw, /Unsupported Accept header null is specified/);

    const html = await fetch(`${t.url}/v2/streaming/hostname`, {
      headers: { Authorization: `Bearer ${jwt}`, Accept: "text/html" },
    });
    assert.ok(html.status >= 400 && html.status < 500);
    const body = await html.json();
    assert.equal(body.code, "391902");
    assert.match(body.message, /text\/html/);

    const token = await scopedToken(t);
    const open = await fetch(t.url + channelPath(PIPE, "acc"), {
      method: "PUT",
      headers: { Authorization: `Bearer ${token}`, Accept: "text/csv" },
      body: "{}",
    });
    assert.equal((await open.json()).code, "391902");
    // `*/*`, curl's and fetch's own, takes JSON.
    const any = await fetch(t.url + channelPath(PIPE, "acc"), {
      method: "PUT",
      headers: { Authorization: `Bearer ${token}`, Accept: "*/*" },
      body: "{}",
    });
    assert.equal(any.status, 200, await any.clone().text());
    await any.body?.cancel();
    // With it, fine.
    const ok = await fetch(`${t.url}/v2/streaming/hostname`, {
      headers: { Authorization: `Bearer ${jwt}`, Accept: "application/json; charset=utf-8" },
    });
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
  } finally {
    await t.close();
  }
});

Deno.test("a known endpoint asked with another method is 405 with the methods it takes", async () => {
  const t = await startTestEmulator();
  try {
    const check = async (method: string, path: string, allow: string) => {
      const res = await fetch(t.url + path, { method, headers: { Accept: "application/json" } });
      await res.body?.cancel();
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.equal(res.headers.get("Allow"), allow, `${method} ${path}`);
    };
    await check("GET", "/oauth/token", "POST");
    await check("DELETE", "/session/v1/login-request", "POST");
    await check("POST", channelPath(PIPE, "any"), "DELETE, PUT");
    // An unknown path is still 404.
    const res = await fetch(`${t.url}/no/such/endpoint`, { method: "POST" });
    await res.body?.cancel();
    assert.equal(res.status, 404);
  } finally {
    await t.close();
  }
});

Deno.test("malformed requests get 4xx and the server keeps serving", async (ctx) => {
  const t = await startTestEmulator();
  try {
    const token = await scopedToken(t);
    const jwt = await keypairJwt(t.keys);
    const cont = (await openChannel(t.url, token, PIPE, "mal")).body.next_continuation_token;
    const send = async (path: string, init: RequestInit) => {
      const res = await fetch(t.url + path, init);
      await res.body?.cancel();
      return res.status;
    };
    const cases: [string, () => Promise<number>][] = [
      [
        "open body not JSON",
        () =>
          send(channelPath(PIPE, "mal"), { method: "PUT", headers: headers(token), body: "{oops" }),
      ],
      [
        "open body a JSON array",
        () =>
          send(channelPath(PIPE, "mal"), { method: "PUT", headers: headers(token), body: "[]" }),
      ],
      ["fail_on_uncommitted_rows not boolean", () =>
        send(channelPath(PIPE, "mal"), {
          method: "PUT",
          headers: headers(token),
          body: '{"fail_on_uncommitted_rows":"yes"}',
        })],
      [
        "status body not JSON",
        () =>
          send(statusPath(PIPE), { method: "POST", headers: headers(token), body: "\u0000\u0001" }),
      ],
      [
        "status body without channel_names",
        () => send(statusPath(PIPE), { method: "POST", headers: headers(token), body: "{}" }),
      ],
      ["Authorization not Bearer", () =>
        send("/v2/streaming/hostname", {
          headers: { Authorization: "Basic dXNlcjpwdw==", Accept: "application/json" },
        })],
      ["Authorization Bearer with garbage", () =>
        send("/v2/streaming/hostname", {
          headers: { Authorization: "Bearer a.b.c", Accept: "application/json" },
        })],
      ["unknown path", () => send("/v2/streaming/nothing/here", { headers: headers(jwt) })],
      [
        "unknown pipe operation",
        () =>
          send(
            `/v2/streaming/databases/STREAMING_INGEST/schemas/STREAMING_INGEST/pipes/${PIPE}:explode`,
            {
              method: "POST",
              headers: headers(jwt),
              body: "{}",
            },
          ),
      ],
      [
        "wrong method",
        () => send(channelPath(PIPE, "mal"), { method: "PATCH", headers: headers(token) }),
      ],
      [
        "bad percent escape in path",
        () =>
          send(`/v2/streaming/databases/%ZZ/schemas/S/pipes/P/channels/c`, {
            method: "PUT",
            headers: headers(token),
            body: "{}",
          }),
      ],
      [
        "bad startOffsetToken without end",
        () =>
          send(`${appendPath(PIPE, "mal")}?continuationToken=${cont}&startOffsetToken=1`, {
            method: "POST",
            headers: headers(token),
            body: ndjson([ride()]),
          }),
      ],
      ["oversized open body", () =>
        send(channelPath(PIPE, "mal"), {
          method: "PUT",
          headers: headers(token),
          body: JSON.stringify({ pad: "x".repeat(2 * 1024 * 1024) }),
        })],
    ];
    for (const [name, run] of cases) {
      await ctx.step(name, async () => {
        const status = await run();
        assert.ok(status >= 400 && status < 500, `${name}: ${status}`);
      });
    }
    await ctx.step("raw garbage on the socket", async () => {
      const raw = await rawHttp(t.url, "BLAH /\u0001 nonsense\r\n\r\n");
      assert.ok(raw === "" || /^HTTP\/1\.[01] 4\d\d/.test(raw), raw.slice(0, 80));
    });
    await ctx.step("a header line without a colon", async () => {
      const raw = await rawHttp(t.url, "GET /v2/streaming/hostname HTTP/1.1\r\nHost x\r\n\r\n");
      assert.ok(raw === "" || /^HTTP\/1\.[01] 4\d\d/.test(raw), raw.slice(0, 80));
    });
    // Still serving, and the channel still works with its token.
    const ok = await appendRows(t.url, token, PIPE, "mal", cont, ndjson([ride()]), {
      offsetToken: "1",
    });
    assert.equal(ok.status, 200);
    const st = await channelStatus(t.url, token, PIPE, ["mal"]);
    assert.equal(st.body.channel_statuses.mal.last_committed_offset_token, "1");
  } finally {
    await t.close();
  }
});
