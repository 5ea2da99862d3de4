/**
 * Who deletes committed rows from the outbox: the streamer asks, through a {@link RowDeleter}, to
 * delete a shard's rows through its channel's committed offset, and hears back how many rows went.
 *
 * {@link QueueDeleter} does it on a worker thread with its own connection (deleter_worker.ts): a
 * delete rewrites as many B-tree pages as the insert did, about a microsecond a row, which at full
 * speed was a fifth of the main thread's time; and the worker, not the main thread, waits when
 * the generator holds the write lock. {@link INLINE_DELETES} deletes at once on the caller's
 * connection (tests, tools).
 *
 * Deleting late is safe: rows at or below the committed offset are never read again (a channel
 * appends from its offset on), and a start deletes whatever is left (exactly-once.md, rule 4).
 *
 * @module
 */
import type { Logger } from "../log.ts";
import type { OutboxShard } from "./outbox.ts";
import type { FromDeleter, ToDeleter } from "./deleter_protocol.ts";
import { WorkerThread } from "../threads.ts";

/** Deletes committed rows of outbox shards. */
export interface RowDeleter {
  /**
   * Deletes the rows of `shard` with id ≤ `through`, now or later; `deleted` is called with how
   * many were still there, once they are gone.
   */
  deleteThrough(shard: OutboxShard, through: number, deleted: (count: number) => void): void;
  /** Resolves true once everything asked so far is deleted, false if that took over `ms`. */
  flush(ms: number): Promise<boolean>;
}

/** Deletes at once, on the shard's own connection. */
export const INLINE_DELETES: RowDeleter = {
  deleteThrough: (shard, through, deleted) => deleted(shard.deleteThrough(through)),
  flush: () => Promise.resolve(true),
};

/** Deletes on a worker thread with its own connection to the outbox at `path`. */
export class QueueDeleter implements RowDeleter {
  readonly #port: MessagePort;
  /** The thread, when this deleter started it (and ends it). */
  readonly #ownThread: WorkerThread | undefined;
  #stopWatching: () => void = () => {};
  readonly #log: Logger;
  /** Messages for the worker until it listens. */
  #queued: ToDeleter[] | undefined = [];
  #seq = 0;
  #doneUpTo = 0;
  /** Per shard table: callbacks waiting for its deletes, with the offset each waits for. */
  readonly #callbacks = new Map<string, { through: number; deleted: (n: number) => void }[]>();
  readonly #waiters = new Set<() => void>();
  #closed: Promise<void> | undefined;
  #onClosed: (() => void) | undefined;
  #failed: string | undefined;
  #lastError = "";

  /**
   * Deletes on `thread` (shared with other jobs, and ended by its owner), or on a thread of its
   * own, through a connection to the outbox at `path`.
   */
  constructor(path: string, log: Logger, thread?: WorkerThread) {
    this.#log = log;
    this.#ownThread = thread ? undefined : new WorkerThread();
    const host = thread ?? this.#ownThread!;
    this.#port = host.serve("queue-deleter");
    this.#port.onmessage = (e: MessageEvent<FromDeleter>) => this.#receive(e.data);
    this.#stopWatching = host.onError((message) => {
      this.#failed = message;
      log.error(
        "the queue deleter thread failed; committed rows stay queued until the next start",
        {
          error: message,
        },
      );
      this.#wake();
      this.#onClosed?.();
    });
    this.#send({ type: "open", path });
  }

  #send(m: ToDeleter): void {
    if (this.#queued) this.#queued.push(m);
    else this.#port.postMessage(m);
  }

  #receive(m: FromDeleter): void {
    switch (m.type) {
      case "ready": {
        const queued = this.#queued ?? [];
        this.#queued = undefined;
        for (const q of queued) this.#port.postMessage(q);
        break;
      }
      case "deleted": {
        const waiting = this.#callbacks.get(m.name) ?? [];
        // The rows counted belong to the oldest requests this covers: the first callback gets
        // them, the later ones (covered by the same delete) none.
        let count = m.count;
        const rest = waiting.filter((w) => {
          if (w.through > m.through) return true;
          w.deleted(count);
          count = 0;
          return false;
        });
        this.#callbacks.set(m.name, rest);
        break;
      }
      case "done":
        this.#doneUpTo = Math.max(this.#doneUpTo, m.upTo);
        this.#wake();
        break;
      case "error":
        if (m.message !== this.#lastError) {
          this.#lastError = m.message;
          this.#log.warn("cannot delete committed rows from the queue yet; retrying", {
            table: m.name,
            error: m.message,
          });
        }
        break;
      case "closed":
        this.#onClosed?.();
        break;
    }
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  deleteThrough(shard: OutboxShard, through: number, deleted: (count: number) => void): void {
    if (this.#failed) return;
    const list = this.#callbacks.get(shard.name) ?? [];
    list.push({ through, deleted });
    this.#callbacks.set(shard.name, list);
    this.#send({ type: "delete", name: shard.name, through, seq: ++this.#seq });
  }

  flush(ms: number): Promise<boolean> {
    const want = this.#seq;
    return new Promise((resolve) => {
      const check = () => {
        if (this.#doneUpTo < want && !this.#failed) return;
        finish(this.#doneUpTo >= want);
      };
      const timer = setTimeout(() => finish(false), ms);
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(ok);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /**
   * Deletes what is still asked for (waiting up to `ms`), closes the worker's connection, and ends
   * the thread if it is this deleter's own.
   */
  close(ms = 2000): Promise<void> {
    return this.#closed ??= new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(this: void) {
        clearTimeout(timer);
        resolve();
      }
      this.#onClosed = done;
      if (this.#failed) return done();
      this.#send({ type: "close" });
    }).finally(() => {
      this.#stopWatching();
      this.#port.close();
      this.#ownThread?.terminate();
    });
  }
}
