import assert from "node:assert/strict";
import { buildConfig, TABLES } from "../../src/config/load.ts";
import { Outbox } from "../../src/queue/outbox.ts";
import { Metrics } from "../../src/status/metrics.ts";
import { StatusStore } from "../../src/status/store.ts";
import { silentLogger } from "../../src/log.ts";
import { runStreamer, type StreamingApi } from "../../src/streamer/mod.ts";

Deno.test("the process is not ready from the moment streaming starts until channels open", async () => {
  const dir = await Deno.makeTempDir();
  const outbox = new Outbox(`${dir}/queue.db`, TABLES);
  const status = new StatusStore();
  const stop = new AbortController();
  try {
    // A client that fails to connect: channels never open, so readiness must never be claimed.
    const streaming = runStreamer({
      config: buildConfig({ DATA_DIR: dir }),
      outbox,
      client: () => Promise.reject(new Error("target unreachable")) as Promise<StreamingApi>,
      metrics: new Metrics(),
      status,
      log: silentLogger,
      signal: stop.signal,
    });
    // Synchronously after the call, before any I/O has happened.
    assert.equal(status.notReadyReasons().length, TABLES.length);
    await assert.rejects(streaming, /target unreachable/);
    assert.equal(status.notReadyReasons().length, TABLES.length);
  } finally {
    stop.abort();
    outbox.close();
    await Deno.remove(dir, { recursive: true });
  }
});
