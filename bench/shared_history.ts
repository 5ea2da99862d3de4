/**
 * A 5M-ride emulator handed from one bench group to the next within one `deno task bench`
 * process. Building that history takes minutes on two cores; the reports group builds it anyway
 * (its refresh figures are the build), so it lends the result on and the web group takes it
 * instead of building it again. What nobody takes is closed when the group list ends.
 *
 * @module
 */
import type { LiftlineEmulator } from "../tests/helpers/liftline_emulator.ts";

/** A running emulator with rides of history and its report chain refreshed. */
export interface SharedHistory {
  /** The emulator (closing it removes its temp folder). */
  emulator: LiftlineEmulator;
  /** LIFT_RIDE rows. */
  rides: number;
}

let lent: SharedHistory | undefined;

/** Closes the emulator and removes its folder. */
export async function disposeHistory(h: SharedHistory): Promise<void> {
  await h.emulator.close();
}

/** Hands `history` on to a later group (replacing, and disposing, one not taken). */
export async function lendHistory(history: SharedHistory): Promise<void> {
  if (lent && lent !== history) await disposeHistory(lent);
  lent = history;
}

/** Takes the lent history with at least `minRides` rides, if any; the taker disposes it. */
export function takeHistory(minRides: number): SharedHistory | undefined {
  if (!lent || lent.rides < minRides) return undefined;
  const h = lent;
  lent = undefined;
  return h;
}

/** Disposes what nobody took (bench/main.ts calls it after the last group). */
export async function disposeUntaken(): Promise<void> {
  if (lent) await disposeHistory(lent);
  lent = undefined;
}
