/**
 * Reports: every dashboard query in one place (queries.ts), the typed results the pages use
 * (reports.ts), where they run (source.ts), the shared cache (cache.ts) and the report chain's state (chain.ts).
 *
 * @module
 */
export * from "./queries.ts";
export * from "./reports.ts";
export * from "./source.ts";
export * from "./cache.ts";
export * from "./chain.ts";
export * from "./declared.ts";
