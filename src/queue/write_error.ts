/**
 * Why a write to the queue failed, in the few categories an operator acts on differently: free
 * space (`disk_full`), check the disk (`io`), find the other writer (`busy`), fix permissions or
 * the mount (`readonly`), or read the message (`other`). These are the `reason` label values of
 * `liftline_queue_write_errors_total`, and the words `/readyz` uses.
 *
 * @module
 */

/** The `reason` label of `liftline_queue_write_errors_total`. */
export type QueueWriteErrorReason = "disk_full" | "io" | "busy" | "readonly" | "other";

/** Every reason, so that the counter can be exported at 0 for each from the start. */
export const QUEUE_WRITE_ERROR_REASONS: readonly QueueWriteErrorReason[] = [
  "disk_full",
  "io",
  "busy",
  "readonly",
  "other",
];

/** A failed queue write: its category and the first error's own message. */
export interface QueueWriteProblem {
  readonly reason: QueueWriteErrorReason;
  readonly message: string;
}

/**
 * SQLite's fixed result-code texts (sqlite3ErrStr). `node:sqlite` in Deno reports only
 * `ERR_SQLITE_ERROR` plus this text, not the numeric code, so the text is what is matched.
 */
const PATTERNS: readonly [RegExp, QueueWriteErrorReason][] = [
  // SQLITE_FULL; ENOSPC/EDQUOT from the OS where a raw errno surfaces instead.
  [/database or disk is full|no space left on device|disk quota exceeded/i, "disk_full"],
  // SQLITE_READONLY (all its extended codes) and a refused open or permission.
  [
    /readonly database|read-only file system|access permission denied|permission denied/i,
    "readonly",
  ],
  // SQLITE_BUSY and SQLITE_LOCKED.
  [/database is locked|database table is locked/i, "busy"],
  // SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_CANTOPEN: the file or the disk is at fault.
  [/disk I\/O error|disk image is malformed|file is not a database|unable to open database/i, "io"],
];

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Classifies an error thrown by a queue write. */
export function classifyQueueWriteError(e: unknown): QueueWriteProblem {
  const message = messageOf(e);
  for (const [pattern, reason] of PATTERNS) {
    if (pattern.test(message)) return { reason, message };
  }
  return { reason: "other", message };
}

/** Short words for each reason, as `/readyz` shows them. */
const WORDS: Record<QueueWriteErrorReason, string> = {
  disk_full: "disk full",
  io: "I/O error",
  busy: "locked by another writer",
  readonly: "read-only",
  other: "write failed",
};

/**
 * The readiness reason for a failed queue write, e.g. `queue is not writable: disk full`. The
 * SQLite message follows in parentheses except for a full disk, where the words already say it.
 */
export function queueNotWritableReason(problem: QueueWriteProblem): string {
  const words = WORDS[problem.reason];
  if (problem.reason === "disk_full") return `queue is not writable: ${words}`;
  return `queue is not writable: ${words} (${problem.message})`;
}
