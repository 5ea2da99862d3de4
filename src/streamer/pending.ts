/**
 * Appended-but-not-yet-committed batches of one channel, in append order, with the enqueue times
 * of their rows kept run-length encoded (rows of one outbox transaction share a time), so that
 * per-row ingest lag can be measured on commit without holding the rows themselves.
 *
 * @module
 */

/** A run of `count` rows enqueued at `enqueuedAt` (ms since epoch). */
export interface EnqueueRun {
  enqueuedAt: number;
  count: number;
}

interface Batch {
  firstId: number;
  lastId: number;
  rows: number;
  runs: EnqueueRun[];
  /** When the append was accepted (ms since epoch). */
  appendedAt: number;
}

/** What a commit released. */
export interface Released {
  /** Rows of the batches released. */
  rows: number;
  /** Their enqueue times. */
  runs: EnqueueRun[];
}

/**
 * The enqueue times of `rows[start, end)` (in id order), run-length encoded: all a pending batch
 * keeps of its rows, so that the rows themselves can go before the append is answered.
 */
export function enqueueRuns(
  rows: readonly { enqueuedAt: number }[],
  start: number,
  end: number,
): EnqueueRun[] {
  const runs: EnqueueRun[] = [];
  let run: EnqueueRun | undefined;
  for (let i = start; i < end; i++) {
    const t = rows[i].enqueuedAt;
    if (run && run.enqueuedAt === t) run.count++;
    else {
      run = { enqueuedAt: t, count: 1 };
      runs.push(run);
    }
  }
  return runs;
}

/** FIFO of pending batches. */
export class PendingBatches {
  readonly #batches: Batch[] = [];
  #head = 0;
  #rows = 0;

  /** Rows appended and not yet committed. */
  get rows(): number {
    return this.#rows;
  }

  /** True when nothing waits for a commit. */
  get isEmpty(): boolean {
    return this.#head >= this.#batches.length;
  }

  /** Append time of the oldest pending batch, or undefined. */
  get oldestAppendedAt(): number | undefined {
    return this.isEmpty ? undefined : this.#batches[this.#head].appendedAt;
  }

  /**
   * Records an accepted append of `enqueuedAt[start, end)` (the rows' enqueue times, in id order)
   * covering offsets `firstId..lastId`.
   */
  push(
    firstId: number,
    lastId: number,
    rows: readonly { enqueuedAt: number }[],
    start: number,
    end: number,
    appendedAt = Date.now(),
  ): void {
    this.pushRuns(firstId, lastId, enqueueRuns(rows, start, end), appendedAt);
  }

  /** Records an accepted append covering offsets `firstId..lastId`, by its rows' enqueue runs. */
  pushRuns(firstId: number, lastId: number, runs: EnqueueRun[], appendedAt = Date.now()): void {
    let rows = 0;
    for (const r of runs) rows += r.count;
    this.#batches.push({ firstId, lastId, rows, runs, appendedAt });
    this.#rows += rows;
  }

  /**
   * Releases every batch whose last offset is ≤ `committed` (a batch commits as a whole; a token
   * inside a batch releases nothing of it until the rest commits).
   */
  commitThrough(committed: number): Released {
    const runs: EnqueueRun[] = [];
    let rows = 0;
    while (this.#head < this.#batches.length && this.#batches[this.#head].lastId <= committed) {
      const b = this.#batches[this.#head++];
      rows += b.rows;
      for (const r of b.runs) runs.push(r);
    }
    this.#rows -= rows;
    // Compact now and then instead of shifting on every release.
    if (this.#head > 64 && this.#head * 2 > this.#batches.length) {
      this.#batches.splice(0, this.#head);
      this.#head = 0;
    }
    return { rows, runs };
  }

  /** Forgets everything (after a reopen the server discarded it; it will be sent again). */
  clear(): void {
    this.#batches.length = 0;
    this.#head = 0;
    this.#rows = 0;
  }
}
