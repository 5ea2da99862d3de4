/**
 * Snowflake's interval constants (`INTERVAL '1 day, 3 hours'`), which only add to or subtract
 * from dates and timestamps: the text's parts, with Snowflake's names and abbreviations for them,
 * as one DuckDB interval.
 *
 * @module
 */
import { SQL_ERRORS } from "../errors.ts";

/** DuckDB's unit for each of Snowflake's date and time part names. */
const UNITS: Record<string, string> = {};
const names: [string, string[]][] = [
  ["year", ["y", "yy", "yyy", "yyyy", "yr", "yrs", "year", "years"]],
  ["quarter", ["q", "qtr", "qtrs", "quarter", "quarters"]],
  ["month", ["mm", "mon", "mons", "month", "months"]],
  ["week", ["w", "wk", "week", "weeks", "weekofyear", "woy", "wy"]],
  ["day", ["d", "dd", "day", "days", "dayofmonth"]],
  ["hour", ["h", "hh", "hr", "hrs", "hour", "hours"]],
  ["minute", ["m", "mi", "min", "mins", "minute", "minutes"]],
  ["second", ["s", "sec", "secs", "second", "seconds"]],
  ["millisecond", ["ms", "msec", "millisecond", "milliseconds"]],
  ["microsecond", ["us", "usec", "microsecond", "microseconds"]],
];
for (const [unit, aliases] of names) for (const a of aliases) UNITS[a] = unit;

const DATE_UNITS = new Set(["year", "quarter", "month", "week", "day"]);

/** An interval constant as DuckDB SQL, and whether it has date parts only. */
export interface IntervalConstant {
  readonly sql: string;
  readonly dateOnly: boolean;
}

/** Parses the text of `INTERVAL '<text>'`: `<n> <part>` items, separated by commas or spaces. */
export function intervalConstant(text: string): IntervalConstant {
  const parts: string[] = [];
  let dateOnly = true;
  const re = /\s*(-?\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*,?/y;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) break;
    const unit = UNITS[m[2].toLowerCase()];
    if (!unit) throw SQL_ERRORS.invalidArgument(`invalid interval part '${m[2]}'`);
    if (!DATE_UNITS.has(unit)) dateOnly = false;
    // A quarter is three months; DuckDB has no quarter unit in every position.
    parts.push(unit === "quarter" ? `${Number(m[1]) * 3} month` : `${m[1]} ${unit}`);
    at = re.lastIndex;
  }
  if (!parts.length || text.slice(at).trim() !== "") {
    throw SQL_ERRORS.invalidArgument(`invalid interval constant '${text}'`);
  }
  return { sql: parts.map((p) => `INTERVAL '${p}'`).join(" + "), dateOnly };
}
