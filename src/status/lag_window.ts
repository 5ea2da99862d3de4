/**
 * Ingest-lag percentiles over a sliding window (the last minute by default), in bounded memory.
 *
 * Observations land in log-spaced buckets (each about 5% wider than the one before, from 1 ms to
 * about 3 hours), one bucket array per slot of the window (a second by default; a coarser slot
 * costs less memory, and the window then slides by whole slots). A percentile is read from the summed
 * buckets, so it is exact to within one bucket's width (±2.5%) whatever the row rate: a million
 * rows a second cost the same memory as one.
 *
 * @module
 */

/** Growth factor between bucket bounds. */
const GROWTH = 1.05;
/** Lower bound of the first bucket, seconds. */
const MIN_SECONDS = 0.001;
/** Buckets: 1 ms × 1.05^250 ≈ 3.2 hours; anything above lands in the last one. */
const BUCKETS = 250;
const LOG_GROWTH = Math.log(GROWTH);

function bucketOf(seconds: number): number {
  if (!(seconds > MIN_SECONDS)) return 0;
  return Math.min(BUCKETS - 1, Math.ceil(Math.log(seconds / MIN_SECONDS) / LOG_GROWTH));
}

/** The value a bucket stands for: the geometric middle of its bounds. */
function valueOf(bucket: number): number {
  if (bucket === 0) return MIN_SECONDS;
  return MIN_SECONDS * GROWTH ** (bucket - 0.5);
}

/** Percentiles of one window, seconds; null where the window holds no observation. */
export interface LagPercentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Observations in the window. */
  count: number;
}

/** A sliding window of lag observations. */
export class LagWindow {
  readonly #slots: Uint32Array[];
  /** The slot number (time in slots since the epoch) each slot holds, or -1. */
  readonly #slotNumber: number[];
  readonly #count: number;
  readonly #slotMs: number;

  /**
   * A window of `seconds` whole seconds (default 60), in slots of `slotSeconds` (default 1, a
   * divisor of `seconds`).
   */
  constructor(seconds = 60, slotSeconds = 1) {
    if (!(Number.isInteger(seconds) && seconds > 0)) throw new RangeError("seconds must be > 0");
    if (!(Number.isInteger(slotSeconds) && slotSeconds > 0 && seconds % slotSeconds === 0)) {
      throw new RangeError("slotSeconds must divide seconds");
    }
    this.#count = seconds / slotSeconds;
    this.#slotMs = slotSeconds * 1000;
    this.#slots = Array.from({ length: this.#count }, () => new Uint32Array(BUCKETS));
    this.#slotNumber = new Array(this.#count).fill(-1);
  }

  #slot(n: number): Uint32Array {
    const i = n % this.#count;
    if (this.#slotNumber[i] !== n) {
      this.#slots[i].fill(0);
      this.#slotNumber[i] = n;
    }
    return this.#slots[i];
  }

  /** Records `count` rows that each took `seconds`, observed at `now` (ms since epoch). */
  observe(seconds: number, count = 1, now = Date.now()): void {
    if (count <= 0) return;
    this.#slot(Math.floor(now / this.#slotMs))[bucketOf(seconds)] += count;
  }

  /** p50, p95 and p99 of what was observed in the window ending at `now`. */
  percentiles(now = Date.now()): LagPercentiles {
    const current = Math.floor(now / this.#slotMs);
    const sum = new Float64Array(BUCKETS);
    let count = 0;
    for (let i = 0; i < this.#count; i++) {
      const n = this.#slotNumber[i];
      if (n < 0 || n > current || current - n >= this.#count) continue;
      const slot = this.#slots[i];
      for (let b = 0; b < BUCKETS; b++) {
        if (slot[b] === 0) continue;
        sum[b] += slot[b];
        count += slot[b];
      }
    }
    if (count === 0) return { p50: null, p95: null, p99: null, count: 0 };
    const at = (q: number): number => {
      const rank = Math.ceil(q * count);
      let seen = 0;
      for (let b = 0; b < BUCKETS; b++) {
        seen += sum[b];
        if (seen >= rank) return valueOf(b);
      }
      return valueOf(BUCKETS - 1);
    };
    return { p50: at(0.5), p95: at(0.95), p99: at(0.99), count };
  }
}
