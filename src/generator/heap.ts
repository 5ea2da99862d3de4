/**
 * A binary min-heap of scheduled items keyed by (world time, sequence number). The sequence
 * number breaks ties in scheduling order, which keeps the simulation deterministic.
 *
 * @module
 */

/** Something scheduled: its key lives on the item itself, so the heap allocates nothing per push. */
export interface Scheduled {
  /** World time (ms) at which it is due. */
  at: number;
  /** Tie-breaker: lower runs first. */
  seq: number;
}

/** A min-heap of {@link Scheduled} items. */
export class EventHeap<T extends Scheduled> {
  readonly #items: T[] = [];

  /** Number of scheduled items. */
  get size(): number {
    return this.#items.length;
  }

  /** The earliest item, or undefined when empty. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Adds an item (with its key already set). */
  push(item: T): void {
    const items = this.#items;
    let i = items.length;
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent];
      if (p.at < item.at || (p.at === item.at && p.seq < item.seq)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = item;
  }

  /** Removes and returns the earliest item. */
  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      this.#down(0);
    }
    return top;
  }

  /** Restores order after the top item's key was increased (cheaper than pop + push). */
  updateTop(): void {
    if (this.#items.length > 1) this.#down(0);
  }

  #down(start: number): void {
    const items = this.#items;
    const n = items.length;
    const item = items[start];
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let c = items[child];
      const right = child + 1;
      if (right < n) {
        const r = items[right];
        if (r.at < c.at || (r.at === c.at && r.seq < c.seq)) {
          child = right;
          c = r;
        }
      }
      if (item.at < c.at || (item.at === c.at && item.seq < c.seq)) break;
      items[i] = c;
      i = child;
    }
    items[i] = item;
  }
}
