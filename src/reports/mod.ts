/**
 * Reports: every dashboard query in one place (queries.ts), the typed results the pages use
 * (reports.ts), where they run (source.ts), and the report freshness metric (freshness.ts).
 *
 * @module
 */
export * from "./queries.ts";
export * from "./reports.ts";
export * from "./source.ts";
export * from "./freshness.ts";
