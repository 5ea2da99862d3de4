/**
 * The report chain as `sql/dynamic_tables.sql` declares it: each dynamic table's name, target lag
 * and the dynamic tables it reads. The refresh history tells data timestamps and refreshes; this
 * tells what the history cannot (upstream tables, and the lag of a table not refreshed yet).
 *
 * @module
 */
import { DYNAMIC_TABLE_NAMES, DYNAMIC_TABLES_SQL } from "../../sql/mod.ts";
import type { DeclaredTable } from "./chain.ts";

const UNITS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86400 };

/** Parses the dynamic tables of a script of `CREATE … DYNAMIC TABLE` statements. */
export function declaredChain(script: string, names: readonly string[]): DeclaredTable[] {
  const known = new Set(names);
  const out: DeclaredTable[] = [];
  const re =
    /CREATE\s+(?:OR\s+REPLACE\s+)?DYNAMIC\s+TABLE\s+(\w+)\s+TARGET_LAG\s*=\s*(DOWNSTREAM|'[^']*')/gi;
  const matches = [...script.matchAll(re)];
  matches.forEach((m, i) => {
    const name = m[1].toUpperCase();
    const body = script.slice(m.index! + m[0].length, matches[i + 1]?.index ?? script.length);
    const lag = m[2].toUpperCase() === "DOWNSTREAM" ? null : m[2].slice(1, -1);
    const lm = lag ? /^(\d+)\s*(second|minute|hour|day)s?$/i.exec(lag.trim()) : null;
    const upstream = [
      ...new Set([...body.matchAll(/\b(?:FROM|JOIN)\s+(\w+)/gi)].map((x) => x[1].toUpperCase())),
    ]
      .filter((n) => known.has(n) && n !== name);
    out.push({
      name,
      targetLag: lag ?? "DOWNSTREAM",
      targetLagSeconds: lm ? Number(lm[1]) * UNITS[lm[2].toLowerCase()] : null,
      upstream,
    });
  });
  return out;
}

/** liftline's report chain, upstream first. */
export const REPORT_CHAIN: readonly DeclaredTable[] = declaredChain(
  DYNAMIC_TABLES_SQL,
  DYNAMIC_TABLE_NAMES,
);
