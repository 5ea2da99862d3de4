/**
 * A 5M-ride warehouse handed from one bench group to the next within one `deno task bench`
 * process. Building that history takes minutes on two cores; the reports group builds it anyway
 * (its refresh figures are the build), so it lends the result on and the web group takes it
 * instead of building it again. What nobody takes is removed when the process exits.
 *
 * @module
 */
import type { Warehouse } from "../src/emulator/warehouse.ts";

/** A warehouse with rides of history and its report chain refreshed, in its own temp dir. */
export interface SharedHistory {
  warehouse: Warehouse;
  /** The temp dir holding the warehouse file (removed with it). */
  dir: string;
  /** LIFT_RIDE rows. */
  rides: number;
}

let lent: SharedHistory | undefined;
let cleanupRegistered = false;

/** Closes the warehouse and removes its dir (synchronously: it also runs at process exit). */
export function disposeHistory(h: SharedHistory): void {
  h.warehouse.close();
  try {
    Deno.removeSync(h.dir, { recursive: true });
  } catch {
    // Already gone.
  }
}

/** Hands `history` on to a later group (replacing, and disposing, one not taken). */
export function lendHistory(history: SharedHistory): void {
  if (lent && lent !== history) disposeHistory(lent);
  lent = history;
  if (!cleanupRegistered) {
    cleanupRegistered = true;
    globalThis.addEventListener("unload", () => {
      if (lent) disposeHistory(lent);
      lent = undefined;
    });
  }
}

/** Takes the lent history with at least `minRides` rides, if any; the taker disposes it. */
export function takeHistory(minRides: number): SharedHistory | undefined {
  if (!lent || lent.rides < minRides) return undefined;
  const h = lent;
  lent = undefined;
  return h;
}
