/**
 * The live tickets and season passes of the model, in slots of typed arrays rather than one object
 * each. A slot is reused as soon as its holder can no longer ride.
 *
 * Why: every ticket lives for days of world time, long enough for the garbage collector to move
 * it to its old generation, and dies there when it expires. As objects, a run at full speed left
 * about 1.5 MB of dead holders per simulated day for the (rare) full collections to find, so the
 * process's memory rose and fell in a saw-tooth tens of MB high and weeks of world time long.
 * In slots, what the model holds is what is alive: nothing is left behind.
 *
 * @module
 */

/** What a holder is when it is created. */
export interface NewHolder {
  /** The RFID's three 32-bit words (as `Random.rfid()` draws them). */
  readonly rfid: readonly [number, number, number];
  readonly isPass: boolean;
  /** Resort index: fixed for a ticket, the day's choice for a pass. */
  readonly resort: number;
  /** Most distinct days it may be used (tickets: DAYS; passes: Infinity). */
  readonly maxDays: number;
  /** Expiry instant (ms); nothing happens at or after it. */
  readonly expiry: number;
  /** 0 = first third of the lifts, 1 = middle half, 2 = last third. */
  readonly skill: number;
}

const INITIAL_SLOTS = 1024;

/** The holders' fields by slot; see the module doc. */
export class HolderSlots {
  /** RFID words, three per slot. */
  rfid = new Uint32Array(3 * INITIAL_SLOTS);
  /** 1 for a season pass. */
  isPass = new Uint8Array(INITIAL_SLOTS);
  resort = new Int32Array(INITIAL_SLOTS);
  skill = new Uint8Array(INITIAL_SLOTS);
  /** Distinct days used so far. */
  used = new Int32Array(INITIAL_SLOTS);
  /** Current ski day (local date as days since 1970-01-01; for passes the network day). */
  day = new Int32Array(INITIAL_SLOTS);
  maxDays = new Float64Array(INITIAL_SLOTS);
  expiry = new Float64Array(INITIAL_SLOTS);
  /** End of today's riding: closing time or expiry, whichever is first. */
  close = new Float64Array(INITIAL_SLOTS);
  #free = new Int32Array(INITIAL_SLOTS);
  #freeCount = 0;
  /** Slots ever used (the rest of the arrays is untouched). */
  #high = 0;

  /** Holders in slots. */
  get live(): number {
    return this.#high - this.#freeCount;
  }

  /** Slots the arrays have room for. */
  get capacity(): number {
    return this.isPass.length;
  }

  /** Puts a new holder in a free slot (growing the arrays when none is) and returns the slot. */
  add(h: NewHolder): number {
    let slot: number;
    if (this.#freeCount > 0) slot = this.#free[--this.#freeCount];
    else {
      if (this.#high === this.capacity) this.#grow();
      slot = this.#high++;
    }
    this.rfid[3 * slot] = h.rfid[0];
    this.rfid[3 * slot + 1] = h.rfid[1];
    this.rfid[3 * slot + 2] = h.rfid[2];
    this.isPass[slot] = h.isPass ? 1 : 0;
    this.resort[slot] = h.resort;
    this.skill[slot] = h.skill;
    this.used[slot] = 0;
    this.day[slot] = 0;
    this.maxDays[slot] = h.maxDays;
    this.expiry[slot] = h.expiry;
    this.close[slot] = 0;
    return slot;
  }

  /** Frees `slot`: its holder can no longer ride. */
  release(slot: number): void {
    if (this.#freeCount === this.#free.length) {
      const grown = new Int32Array(this.#free.length * 2);
      grown.set(this.#free);
      this.#free = grown;
    }
    this.#free[this.#freeCount++] = slot;
  }

  #grow(): void {
    const size = this.capacity * 2;
    const grow = <A extends Uint8Array | Uint32Array | Int32Array | Float64Array>(
      a: A,
      make: (n: number) => A,
      perSlot = 1,
    ): A => {
      const b = make(size * perSlot);
      b.set(a);
      return b;
    };
    this.rfid = grow(this.rfid, (n) => new Uint32Array(n), 3);
    this.isPass = grow(this.isPass, (n) => new Uint8Array(n));
    this.resort = grow(this.resort, (n) => new Int32Array(n));
    this.skill = grow(this.skill, (n) => new Uint8Array(n));
    this.used = grow(this.used, (n) => new Int32Array(n));
    this.day = grow(this.day, (n) => new Int32Array(n));
    this.maxDays = grow(this.maxDays, (n) => new Float64Array(n));
    this.expiry = grow(this.expiry, (n) => new Float64Array(n));
    this.close = grow(this.close, (n) => new Float64Array(n));
  }
}
