/**
 * The messages between the main thread and the queue deleter's worker (deleter.ts,
 * deleter_worker.ts).
 *
 * @module
 */

/** Main thread → worker. */
export type ToDeleter =
  /** Open the outbox at `path` (its own connection). */
  | { type: "open"; path: string }
  /** Delete the rows of shard table `name` with id ≤ `through`; `seq` numbers the requests. */
  | { type: "delete"; name: string; through: number; seq: number }
  /** Finish what was asked, close the connection, answer `closed`. */
  | { type: "close" };

/** Worker → main thread. */
export type FromDeleter =
  /** Listening (a message posted before this could be lost). */
  | { type: "ready" }
  /** Rows of `name` through `through` deleted: `count` of them were still there. */
  | { type: "deleted"; name: string; through: number; count: number }
  /** Every request numbered up to `upTo` is done. */
  | { type: "done"; upTo: number }
  /** A delete failed; it is tried again. */
  | { type: "error"; name: string; message: string }
  | { type: "closed" };
