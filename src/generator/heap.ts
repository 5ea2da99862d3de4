/**
 * A binary min-heap of scheduled items keyed by (world time, sequence number). The sequence
 * number breaks ties in scheduling order, which keeps the simulation deterministic.
 *
 * Keys live in typed arrays beside the items rather than on the items: sifting then compares
 * contiguous numbers instead of chasing a pointer per comparison, which is most of a heap's cost
 * with tens of thousands of live holders.
 *
 * @module
 */

/** A min-heap of items with (time, sequence) keys. */
export class EventHeap<T> {
  #at = new Float64Array(1024);
  #seq = new Float64Array(1024);
  #items: (T | undefined)[] = new Array(1024);
  #n = 0;

  /** Number of scheduled items. */
  get size(): number {
    return this.#n;
  }

  /** The earliest item, or undefined when empty. */
  peek(): T | undefined {
    return this.#n > 0 ? this.#items[0] : undefined;
  }

  /** Time of the earliest item, or Infinity when empty. */
  peekAt(): number {
    return this.#n > 0 ? this.#at[0] : Infinity;
  }

  /** Schedules `item` at time `at` with tie-breaker `seq` (lower runs first). */
  push(item: T, at: number, seq: number): void {
    if (this.#n === this.#at.length) this.#grow();
    const keys = this.#at, seqs = this.#seq, items = this.#items;
    let i = this.#n++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pa = keys[parent];
      if (pa < at || (pa === at && seqs[parent] < seq)) break;
      keys[i] = pa;
      seqs[i] = seqs[parent];
      items[i] = items[parent];
      i = parent;
    }
    keys[i] = at;
    seqs[i] = seq;
    items[i] = item;
  }

  /** Removes and returns the earliest item. */
  pop(): T | undefined {
    const n = this.#n;
    if (n === 0) return undefined;
    const items = this.#items;
    const top = items[0];
    const last = n - 1;
    this.#n = last;
    if (last > 0) this.#down(this.#at[last], this.#seq[last], items[last]);
    items[last] = undefined;
    return top;
  }

  /** Moves the earliest item to time `at` (not earlier than now) with tie-breaker `seq`. */
  rescheduleTop(at: number, seq: number): void {
    this.#down(at, seq, this.#items[0]);
  }

  /** Places (at, seq, item) at the root and sifts it down. */
  #down(at: number, seq: number, item: T | undefined): void {
    const keys = this.#at, seqs = this.#seq, items = this.#items;
    const n = this.#n;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let ca = keys[child];
      const right = child + 1;
      if (right < n) {
        const ra = keys[right];
        if (ra < ca || (ra === ca && seqs[right] < seqs[child])) {
          child = right;
          ca = ra;
        }
      }
      if (at < ca || (at === ca && seq < seqs[child])) break;
      keys[i] = ca;
      seqs[i] = seqs[child];
      items[i] = items[child];
      i = child;
    }
    keys[i] = at;
    seqs[i] = seq;
    items[i] = item;
  }

  #grow(): void {
    const size = this.#at.length * 2;
    const at = new Float64Array(size);
    at.set(this.#at);
    const seq = new Float64Array(size);
    seq.set(this.#seq);
    this.#at = at;
    this.#seq = seq;
    this.#items.length = size;
  }
}
