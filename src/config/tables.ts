/**
 * The three raw tables, in a module of their own: the generator's worker thread needs their names
 * without loading the configuration schema (and zod with it).
 *
 * @module
 */

/** The three streams, in the order the generator creates them. */
export const TABLES = ["RESORT_TICKET", "SEASON_PASS", "LIFT_RIDE"] as const;
/** One of the three raw tables. */
export type TableName = (typeof TABLES)[number];
