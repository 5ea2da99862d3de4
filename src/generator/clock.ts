/**
 * The world clock: simulated time that runs at real time × a speed multiplier, or (at `MAX`) in
 * fixed world-time steps as fast as the caller asks for them.
 *
 * The clock only says how far the world may go; the model decides what happens in that span.
 * That split is what makes every speed produce the same data, only paced differently.
 *
 * @module
 */
import type { Speed } from "../config/schema.ts";
import { FACTS } from "./resorts.ts";
import { DAY_MS } from "./local_time.ts";

/** Real-time multipliers of the paced speeds (from `resorts.json`). */
export const SPEED_FACTORS: Readonly<Record<Exclude<Speed, "MAX">, number>> = FACTS.speeds;

/** After a stall, the world never jumps more than this much real time's worth at once. */
export const MAX_STALL_REAL_MS = 10 * 60_000;
/** …nor more than this much world time. */
export const MAX_JUMP_WORLD_MS = 30 * DAY_MS;
/** World time per step at `MAX`. */
export const DEFAULT_MAX_STEP_MS = 60_000;

/** The default world start: 14:00 UTC of the current UTC date (08:00 in Colorado). */
export function defaultStartTime(now: number = Date.now()): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 14);
}

/** Options of {@link WorldClock}. */
export interface WorldClockOptions {
  /** World time at start (ms since epoch). */
  start: number;
  /** Pacing. */
  speed: Speed;
  /** World time at which the clock stops, if any. */
  until?: number;
  /** World time per {@link WorldClock.tick} at `MAX` (default one minute). */
  maxStepMs?: number;
  /** Monotonic real-time source in ms (default `performance.now`); tests may inject one. */
  realNow?: () => number;
}

/** Simulated time. Call {@link WorldClock.tick} to let it advance. */
export class WorldClock {
  /** Pacing in use. */
  readonly speed: Speed;
  /** World time at which the clock stops, if any. */
  readonly until: number | undefined;
  readonly #factor: number | undefined;
  readonly #step: number;
  readonly #realNow: () => number;
  #now: number;
  #lastReal: number;
  #paused = false;

  constructor(options: WorldClockOptions) {
    this.speed = options.speed;
    this.until = options.until;
    this.#factor = options.speed === "MAX" ? undefined : SPEED_FACTORS[options.speed];
    this.#step = options.maxStepMs ?? DEFAULT_MAX_STEP_MS;
    if (!(this.#step > 0)) throw new RangeError("maxStepMs must be positive");
    this.#realNow = options.realNow ?? (() => performance.now());
    this.#now = options.start;
    this.#lastReal = this.#realNow();
  }

  /** Current world time (ms since epoch). */
  get now(): number {
    return this.#now;
  }

  /** Real-time multiplier, or undefined at `MAX`. */
  get factor(): number | undefined {
    return this.#factor;
  }

  /** True once world time has reached `until`. */
  get finished(): boolean {
    return this.until !== undefined && this.#now >= this.until;
  }

  /** True while {@link WorldClock.pause} holds the clock. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Stops world time (backpressure). */
  pause(): void {
    this.#paused = true;
  }

  /**
   * Lets world time run again. The real time spent paused is not made up: the world resumes
   * where it stopped, so a drained queue is not refilled by one burst.
   */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#lastReal = this.#realNow();
  }

  /**
   * Advances world time: at a paced speed by the real time elapsed since the last tick × the
   * multiplier (at most 10 real minutes' worth and 30 world days at once), at `MAX` by one fixed
   * step. Never passes `until`; does nothing while paused. Returns the new world time.
   */
  tick(): number {
    if (this.#paused || this.finished) return this.#now;
    let delta: number;
    if (this.#factor === undefined) {
      delta = this.#step;
    } else {
      const real = this.#realNow();
      const elapsed = Math.max(0, real - this.#lastReal);
      this.#lastReal = real;
      delta = Math.min(Math.min(elapsed, MAX_STALL_REAL_MS) * this.#factor, MAX_JUMP_WORLD_MS);
    }
    this.#now += delta;
    if (this.until !== undefined && this.#now > this.until) this.#now = this.until;
    return this.#now;
  }
}
