/**
 * The seed and world start a configuration runs with: small enough for any role to import
 * without loading the model (and its customer data).
 *
 * @module
 */
import type { Config } from "../config/load.ts";
import { defaultStartTime } from "./clock.ts";
import { dateSeed } from "./random.ts";

/** The seed a configuration runs with: SEED, else today's UTC date (YYYYMMDD) as in the lab. */
export function seedOf(config: Pick<Config, "SEED">, now: Date = new Date()): string {
  return config.SEED ?? dateSeed(now);
}

/** The world start a configuration runs with: START_TIME, else 14:00 UTC today. */
export function startOf(config: Pick<Config, "START_TIME">, now: number = Date.now()): number {
  return config.START_TIME?.getTime() ?? defaultStartTime(now);
}
