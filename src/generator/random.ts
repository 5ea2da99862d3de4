/**
 * Seeded randomness for the generator: a fast PRNG (sfc32) seeded from a string, and the draws
 * the model needs (uniform ranges, weighted choice, UUID v4, 96-bit RFID).
 *
 * `crypto.randomUUID()` cannot be seeded, so identifiers are built from this generator: the same
 * seed gives the same identifiers, which is what makes runs reproducible byte for byte.
 *
 * @module
 */

/** Two lower-case hex digits per byte value. */
const HEX: readonly string[] = Array.from(
  { length: 256 },
  (_, i) => i.toString(16).padStart(2, "0"),
);

/** An RFID from its three 32-bit words (as {@link Random.rfid} draws them): `0x` and 24 hex digits. */
export function rfidText(w0: number, w1: number, w2: number): string {
  return "0x" + HEX[w0 >>> 24] + HEX[(w0 >>> 16) & 255] + HEX[(w0 >>> 8) & 255] +
    HEX[w0 & 255] + HEX[w1 >>> 24] + HEX[(w1 >>> 16) & 255] + HEX[(w1 >>> 8) & 255] +
    HEX[w1 & 255] + HEX[w2 >>> 24] + HEX[(w2 >>> 16) & 255] + HEX[(w2 >>> 8) & 255] +
    HEX[w2 & 255];
}

/**
 * Hashes a string to four 32-bit words (cyrb128): enough state to seed sfc32 so that nearby
 * seeds ("20261125", "20261126") give unrelated streams.
 */
export function hashSeed(text: string): [number, number, number, number] {
  let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** The seed used when none is configured: the UTC calendar date as YYYYMMDD, as the lab does. */
export function dateSeed(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10).replaceAll("-", "");
}

/**
 * Cumulative weights for {@link Random.pick}. Weights need not sum to 1.
 * Throws on an empty list or a negative, non-finite or all-zero weight.
 */
export function cumulative(weights: readonly number[]): Float64Array {
  if (weights.length === 0) throw new Error("weighted choice needs at least one weight");
  const out = new Float64Array(weights.length);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    if (!(w >= 0) || !Number.isFinite(w)) throw new Error(`invalid weight ${w}`);
    sum += w;
    out[i] = sum;
  }
  if (sum <= 0) throw new Error("weights must not all be zero");
  return out;
}

/** A seeded sfc32 generator. Not for secrets: it is fast and reproducible, not unpredictable. */
export class Random {
  // Plain fields, not #private: this is the innermost loop of the generator.
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** A generator whose whole stream is determined by `seed`. */
  constructor(seed: string) {
    [this.a, this.b, this.c, this.d] = hashSeed(seed);
    // sfc32's first outputs are correlated with the seed words; the usual cure is to discard some.
    for (let i = 0; i < 15; i++) this.u32();
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    const a = this.a, b = this.b, c = this.c;
    const d = (this.d + 1) | 0;
    const t = (((a + b) | 0) + d) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    this.d = d;
    return t >>> 0;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** A uniform integer in [0, n) for n ≤ 2^32. */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A uniform integer in [lo, hi) (hi > lo). */
  intRange(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo));
  }

  /** A uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** An index drawn with the weights behind `cum` (from {@link cumulative}). */
  pick(cum: Float64Array): number {
    const u = this.next() * cum[cum.length - 1];
    const last = cum.length - 1;
    for (let i = 0; i < last; i++) if (u < cum[i]) return i;
    return last;
  }

  /** An exponential variate with the given mean (inter-arrival time of a Poisson process). */
  exponential(mean: number): number {
    // 1 - next() is in (0, 1]: the log is finite.
    return -Math.log(1 - this.next()) * mean;
  }

  /** A random (version 4, RFC 9562) UUID in lower-case hex. */
  uuid(): string {
    const w0 = this.u32(), w1 = this.u32(), w2 = this.u32(), w3 = this.u32();
    return HEX[w0 >>> 24] + HEX[(w0 >>> 16) & 255] + HEX[(w0 >>> 8) & 255] + HEX[w0 & 255] +
      "-" + HEX[w1 >>> 24] + HEX[(w1 >>> 16) & 255] +
      "-" + HEX[((w1 >>> 8) & 15) | 64] + HEX[w1 & 255] +
      "-" + HEX[((w2 >>> 24) & 63) | 128] + HEX[(w2 >>> 16) & 255] +
      "-" + HEX[(w2 >>> 8) & 255] + HEX[w2 & 255] +
      HEX[w3 >>> 24] + HEX[(w3 >>> 16) & 255] + HEX[(w3 >>> 8) & 255] + HEX[w3 & 255];
  }

  /** 96 random bits as `0x` and 24 lower-case hex digits (see {@link rfidText}). */
  rfid(): string {
    const w0 = this.u32(), w1 = this.u32(), w2 = this.u32();
    return rfidText(w0, w1, w2);
  }
}
