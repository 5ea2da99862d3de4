/**
 * The queue's deletes as a service of the worker thread (src/threads.ts; deleter.ts asks for it):
 * deletes committed rows from the outbox on a connection of its own, so that the main thread,
 * which streams, never spends its time (a fifth of it at full speed) rewriting B-tree pages, nor
 * waits for the generator's write lock (in `run` the generator shares this thread, so the two
 * never wait for each other either).
 *
 * Requests for one shard are coalesced (only the highest committed offset matters) and run in
 * passes; after each pass without a failure the main thread hears how far it got. A failed delete
 * (the database busy beyond its timeout, a full disk) is kept and tried again: deleting is only
 * tidying up, the next open of the channel deletes whatever is left (exactly-once.md, rule 4).
 *
 * @module
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { FromDeleter, ToDeleter } from "./deleter_protocol.ts";

const RETRY_MS = 200;

/** Serves deletes on `port` (see the module doc and deleter_protocol.ts). */
export function serveDeletes(port: MessagePort): void {
  const post = (m: FromDeleter) => port.postMessage(m);
  let db: DatabaseSync | undefined;
  const statements = new Map<string, StatementSync>();
  /** Per shard table: delete through this id. */
  const pending = new Map<string, number>();
  /** The highest request number received. */
  let received = 0;
  let scheduled = false;
  let closing = false;

  const statement = (name: string): StatementSync => {
    let s = statements.get(name);
    if (!s) {
      if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new Error(`invalid outbox table name: ${name}`);
      s = db!.prepare(`DELETE FROM ${name} WHERE id <= ?`);
      statements.set(name, s);
    }
    return s;
  };

  const schedule = (ms = 0) => {
    if (scheduled) return;
    scheduled = true;
    setTimeout(pass, ms);
  };

  /** Deletes everything asked for so far; says how far it got. */
  function pass(): void {
    scheduled = false;
    if (!db) return;
    const upTo = received;
    let failed = false;
    for (const [name, through] of [...pending]) {
      try {
        const count = Number(statement(name).run(through).changes);
        // A newer request for the same shard may have come in meanwhile: keep it.
        if (pending.get(name) === through) pending.delete(name);
        post({ type: "deleted", name, through, count });
      } catch (e) {
        failed = true;
        post({ type: "error", name, message: (e as Error).message });
      }
    }
    if (!failed) post({ type: "done", upTo });
    if (pending.size > 0) schedule(failed ? RETRY_MS : 0);
    else if (closing) close();
  }

  function close(): void {
    db?.close();
    db = undefined;
    post({ type: "closed" });
  }

  port.onmessage = (e: MessageEvent<ToDeleter>) => {
    const m = e.data;
    switch (m.type) {
      case "open":
        db = new DatabaseSync(m.path);
        db.exec("PRAGMA busy_timeout = 5000");
        break;
      case "delete":
        received = Math.max(received, m.seq);
        pending.set(m.name, Math.max(pending.get(m.name) ?? 0, m.through));
        schedule();
        break;
      case "close":
        closing = true;
        if (pending.size === 0 && !scheduled) close();
        break;
    }
  };
  post({ type: "ready" });
}
