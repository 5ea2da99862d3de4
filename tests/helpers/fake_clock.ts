/**
 * A clock the test moves: `now()` stands still until the test (or {@link FakeClock.run}) moves
 * it, and timers fire in order of their due time as it passes them. Code that takes a `Clock`
 * (the streamer: src/streamer/clock.ts) then waits no real time at all, and the test checks the
 * delays it asked for instead of sleeping through them.
 *
 * @module
 */
import type { Clock } from "../../src/streamer/clock.ts";

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/** A {@link Clock} under the test's control. */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: Timer[] = [];
  /** Every delay asked for, in order (ms). */
  readonly asked: number[] = [];

  constructor(start = Date.parse("2026-12-01T00:00:00Z")) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  timer(ms: number, fn: () => void): () => void {
    const t = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn };
    this.asked.push(Math.max(0, ms));
    this.#timers.push(t);
    return () => {
      this.#timers = this.#timers.filter((x) => x !== t);
    };
  }

  /** Timers waiting. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Moves to the earliest timer and fires it; false when no timer waits. */
  next(): boolean {
    if (this.#timers.length === 0) return false;
    this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const t = this.#timers.shift()!;
    this.#now = Math.max(this.#now, t.at);
    t.fn();
    return true;
  }

  /** Moves `ms` forward, firing every timer due on the way, in order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      if (this.#timers.length === 0 || this.#timers[0].at > end) break;
      this.next();
    }
    this.#now = end;
  }

  /**
   * Lets time run on its own: every real millisecond the earliest timer fires (time jumps to
   * it), except while `busy()` says that real work is under way (a request to a server, say),
   * which thus takes no time on this clock. Returns the function that stops it.
   */
  run(busy: () => boolean = () => false): () => void {
    let handle: ReturnType<typeof setTimeout>;
    const step = () => {
      if (!busy()) this.next();
      handle = setTimeout(step, 1);
    };
    handle = setTimeout(step, 1);
    return () => clearTimeout(handle);
  }
}
