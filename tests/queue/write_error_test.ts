import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { classifyQueueWriteError, queueNotWritableReason } from "../../src/queue/write_error.ts";

Deno.test("queue write errors are classified by SQLite's message", () => {
  const cases: [string, string][] = [
    ["database or disk is full", "disk_full"],
    ["disk I/O error", "io"],
    ["database disk image is malformed", "io"],
    ["database is locked", "busy"],
    ["attempt to write a readonly database", "readonly"],
    ["unable to open database file", "io"],
    ["something else entirely", "other"],
  ];
  for (const [message, reason] of cases) {
    assert.deepEqual(classifyQueueWriteError(new Error(message)), { reason, message }, message);
  }
  assert.equal(classifyQueueWriteError("not an Error").reason, "other");
});

Deno.test("a real SQLite refusal is classified (read-only database)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/q.db`;
    new DatabaseSync(path).close();
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      assert.throws(() => db.exec("CREATE TABLE t (x)"), (e) => {
        assert.equal(classifyQueueWriteError(e).reason, "readonly", (e as Error).message);
        return true;
      });
    } finally {
      db.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("/readyz words: a full disk in plain words, anything else with SQLite's message", () => {
  assert.equal(
    queueNotWritableReason({ reason: "disk_full", message: "database or disk is full" }),
    "queue is not writable: disk full",
  );
  assert.equal(
    queueNotWritableReason({ reason: "busy", message: "database is locked" }),
    "queue is not writable: locked by another writer (database is locked)",
  );
});
