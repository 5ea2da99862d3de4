/**
 * A fixed-size ring of timed samples: the recent history behind the pipeline page's sparklines.
 * Memory is bounded by its capacity, whatever the uptime.
 *
 * @module
 */

/** One sample: a time (ms since epoch) and a value (null: nothing to measure then). */
export interface Sample {
  at: number;
  value: number | null;
}

/** The last `capacity` samples, oldest first. */
export class SampleRing {
  readonly #at: Float64Array;
  readonly #value: Float64Array;
  #next = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity > 0)) throw new RangeError("capacity must be > 0");
    this.#at = new Float64Array(capacity);
    this.#value = new Float64Array(capacity);
  }

  /** Adds a sample, dropping the oldest when full. */
  push(at: number, value: number | null): void {
    this.#at[this.#next] = at;
    this.#value[this.#next] = value ?? NaN;
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#size < this.capacity) this.#size++;
  }

  /** Replaces the value of the newest sample (no-op when empty). */
  setLast(value: number | null): void {
    if (this.#size === 0) return;
    this.#value[(this.#next - 1 + this.capacity) % this.capacity] = value ?? NaN;
  }

  /** Samples held. */
  get size(): number {
    return this.#size;
  }

  /** The samples taken at or after `since` (ms since epoch), oldest first. */
  since(since = -Infinity): Sample[] {
    const out: Sample[] = [];
    const start = (this.#next - this.#size + this.capacity) % this.capacity;
    for (let k = 0; k < this.#size; k++) {
      const i = (start + k) % this.capacity;
      if (this.#at[i] < since) continue;
      const v = this.#value[i];
      out.push({ at: this.#at[i], value: Number.isNaN(v) ? null : v });
    }
    return out;
  }
}
