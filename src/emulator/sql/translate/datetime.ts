/**
 * Snowflake's dates, times and timestamps on DuckDB:
 *
 * - text read as Snowflake reads it with format AUTO: ISO dates and timestamps, an offset that a
 *   TIMESTAMP_NTZ drops and a TIMESTAMP_LTZ/TZ honours, `DD-MON-YYYY`, `MM/DD/YYYY`, RFC 2822,
 *   and a string of an integer as seconds, milliseconds, microseconds or nanoseconds since the
 *   epoch by its magnitude;
 * - Snowflake format strings (`YYYY-MM-DD HH24:MI:SS.FF3 TZH:TZM`) for parsing and printing;
 * - wall clocks in the session's time zone, spelled out instead of left to the DuckDB
 *   connection's TimeZone setting, so a statement means the same on every lane;
 * - calendar weeks with the WEEK_START and WEEK_OF_YEAR_POLICY session parameters ("Calendar
 *   weeks and weekdays" in Snowflake's date and time functions reference);
 * - the zone a TIMESTAMP_TZ expression's values carry. DuckDB's TIMESTAMPTZ keeps the instant
 *   only, so where every value of an expression has the same zone (CONVERT_TIMEZONE to a constant
 *   zone, a literal with an offset, a cast in the session's zone) the type carries it, and the
 *   result encoder prints the values at that zone's offset.
 *
 * @module
 */
import type { SfType } from "../../warehouse/types.ts";
import { qs } from "./quote.ts";

/** What date and time translation reads from the session. */
export interface DateTimeSession {
  /** TIMEZONE (an IANA name). */
  readonly timezone: string;
  /** Parameters set with ALTER SESSION (upper-case name → value text). */
  readonly parameters?: ReadonlyMap<string, string>;
}

/** Snowflake's defaults of the output formats, used where a value becomes text. */
const OUTPUT_FORMAT_DEFAULTS: Readonly<Record<string, string>> = {
  DATE_OUTPUT_FORMAT: "YYYY-MM-DD",
  TIME_OUTPUT_FORMAT: "HH24:MI:SS",
  TIMESTAMP_OUTPUT_FORMAT: "YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM",
  TIMESTAMP_NTZ_OUTPUT_FORMAT: "YYYY-MM-DD HH24:MI:SS.FF3",
  TIMESTAMP_LTZ_OUTPUT_FORMAT: "",
  TIMESTAMP_TZ_OUTPUT_FORMAT: "",
};

/** The session's output format for values of type `t` (DATE, TIME or a timestamp). */
export function outputFormat(session: DateTimeSession, t: SfType): string {
  const get = (name: string) => session.parameters?.get(name) ?? OUTPUT_FORMAT_DEFAULTS[name];
  switch (t.kind) {
    case "DATE":
      return get("DATE_OUTPUT_FORMAT");
    case "TIME":
      return get("TIME_OUTPUT_FORMAT");
    case "TIMESTAMP_NTZ":
    case "TIMESTAMP_LTZ":
    case "TIMESTAMP_TZ": {
      // An empty type-specific format means TIMESTAMP_OUTPUT_FORMAT.
      const own = get(`${t.kind}_OUTPUT_FORMAT`);
      return own || get("TIMESTAMP_OUTPUT_FORMAT");
    }
  }
  return "";
}

// ------------------------------------------------------------------------------------------ zones

/** A fixed UTC offset written `+HH:MM`, as a TIMESTAMP_TZ literal's offset is kept. */
const FIXED_OFFSET = /^([+-])(\d{2}):(\d{2})$/;

/** Minutes east of UTC of a fixed offset zone (`+02:00`), or undefined for a named zone. */
export function fixedOffsetMinutes(zone: string): number | undefined {
  const m = FIXED_OFFSET.exec(zone);
  if (!m) return undefined;
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

/** `t` (a TIMESTAMP_TZ) with every value shown at `zone` (an IANA name or `±HH:MM`). */
export function withZone(t: SfType, zone: string): SfType {
  if (t.kind !== "TIMESTAMP_TZ") return t;
  // Type comparisons (formatSfType) and the driver's rowtype ignore the zone.
  return { ...t, zone };
}

/** The zone every value of a TIMESTAMP_TZ type is shown at, when the type carries one. */
export function zoneOf(t: SfType): string | undefined {
  return t.kind === "TIMESTAMP_TZ" ? t.zone : undefined;
}

/** The wall clock (a naive TIMESTAMP) of instant `sql` (a TIMESTAMPTZ) in `zone`. */
export function wallOf(sql: string, zone: string): string {
  const fixed = fixedOffsetMinutes(zone);
  if (fixed === undefined) return `timezone(${qs(zone)}, ${sql})`;
  return `(timezone('UTC', ${sql}) + to_minutes(${fixed}))`;
}

/** The instant (a TIMESTAMPTZ) of wall clock `sql` (a naive TIMESTAMP) in `zone`. */
export function instantOf(sql: string, zone: string): string {
  const fixed = fixedOffsetMinutes(zone);
  if (fixed === undefined) return `timezone(${qs(zone)}, ${sql})`;
  return `timezone('UTC', ${sql} - to_minutes(${fixed}))`;
}

/**
 * The zone a value of type `t` is read in: a TIMESTAMP_TZ's own (UTC for one whose values may
 * each have had another offset, such as a stored column: they are shown at UTC, and read there
 * too), else the session's (a TIMESTAMP_LTZ is shown in the session's zone; an NTZ or a DATE is
 * read as a wall clock there).
 */
export function zoneFor(t: SfType, session: DateTimeSession): string {
  if (t.kind === "TIMESTAMP_TZ") return t.zone ?? "UTC";
  return session.timezone;
}

/**
 * The wall clock of a date or time expression: a DATE, a TIME or a naive TIMESTAMP as it is, a
 * TIMESTAMP_LTZ in the session's zone, a TIMESTAMP_TZ in its own.
 */
export function wallClock(e: { sql: string; type: SfType }, session: DateTimeSession): string {
  if (e.type.kind === "TIMESTAMP_LTZ" || e.type.kind === "TIMESTAMP_TZ") {
    return wallOf(e.sql, zoneFor(e.type, session));
  }
  return e.sql;
}

/** The wall clock of a date or time expression as a naive TIMESTAMP (a TIME on 1970-01-01). */
export function wallTimestamp(e: { sql: string; type: SfType }, session: DateTimeSession): string {
  if (e.type.kind === "TIME") return `(DATE '1970-01-01' + ${e.sql})`;
  if (e.type.kind === "DATE") return `CAST(${e.sql} AS TIMESTAMP)`;
  return wallClock(e, session);
}

/** Minutes east of UTC of instant `sql` (a TIMESTAMPTZ) in `zone`, as DuckDB SQL. */
export function offsetMinutesSql(sql: string, zone: string): string {
  const fixed = fixedOffsetMinutes(zone);
  if (fixed !== undefined) return String(fixed);
  return `((epoch_us(timezone(${qs(zone)}, ${sql})) - epoch_us(${sql})) // 60000000)`;
}

/** The offset of a constant string's trailing `+HH:MM`/`-HHMM`/`Z`, as `±HH:MM`. */
export function literalOffset(sql: string): string | undefined {
  const lit = /^'((?:[^']|'')*)'$/s.exec(sql)?.[1];
  if (lit === undefined) return undefined;
  const m = /\d:\d{2}(?::\d{2}(?:\.\d*)?)?\s*(Z|([+-])(\d{2}):?(\d{2})?)$/i.exec(lit.trim());
  if (!m) return undefined;
  if (m[1].toUpperCase() === "Z") return "+00:00";
  return `${m[2]}${m[3]}:${m[4] ?? "00"}`;
}

// ----------------------------------------------------------------------------------------- macros

/** A trailing UTC offset after a time of day (`08:50:57.891 -0700`, `…T23:39:20-07:00`, `…Z`). */
const OFFSET_RE = String
  .raw`([0-9]:[0-9]{2}(:[0-9]{2}([.][0-9]*)?)?)\s*(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$`;
/** A string of an integer: epoch seconds, milliseconds, microseconds or nanoseconds. */
const INTEGER_RE = "[+-]?[0-9]+";

/**
 * strptime patterns of the AUTO formats DuckDB's casts do not read (its casts read ISO 8601).
 * From Snowflake's "Supported formats for AUTO detection".
 */
const AUTO_PATTERNS = [
  "%d-%b-%Y",
  "%d-%b-%Y %H:%M:%S",
  "%d-%b-%Y %H:%M:%S.%n",
  "%m/%d/%Y",
  "%m/%d/%Y %H:%M:%S",
  "%m/%d/%Y %H:%M:%S.%n",
  "%a, %d %b %Y %H:%M:%S",
  "%a, %d %b %Y %H:%M:%S.%n",
  "%a, %d %b %Y %I:%M:%S %p",
  "%a %b %d %H:%M:%S %Y",
];
const AUTO_LIST = `[${AUTO_PATTERNS.map(qs).join(", ")}]`;
/** AUTO formats with an offset before the end (a trailing one is read by _ll_offset_minutes). */
const AUTO_ZONED_LIST = `[${["%a %b %d %H:%M:%S %z %Y"].map(qs).join(", ")}]`;

/**
 * DuckDB macros of the date and time conversions; created with the numeric ones when the
 * warehouse opens (numeric.ts lists them all). Each `_try` form gives NULL where the plain form
 * fails with the error the engine maps onto Snowflake's "… is not recognized".
 */
export const DATETIME_MACROS: readonly string[] = [
  // Epoch seconds, milliseconds, microseconds or nanoseconds (by magnitude, as Snowflake reads an
  // integer) → a naive UTC TIMESTAMP. n is a DOUBLE.
  `CREATE OR REPLACE MACRO _ll_epoch(n) AS make_timestamp(CAST(CASE
     WHEN abs(n) < 31536000000 THEN n * 1e6
     WHEN abs(n) < 31536000000000 THEN n * 1e3
     WHEN abs(n) < 31536000000000000 THEN n
     ELSE n / 1e3 END AS BIGINT))`,
  `CREATE OR REPLACE MACRO _ll_is_int(s) AS regexp_full_match(trim(s), '${INTEGER_RE}')`,
  `CREATE OR REPLACE MACRO _ll_has_offset(s) AS regexp_matches(trim(s), '${OFFSET_RE}')`,
  `CREATE OR REPLACE MACRO _ll_drop_offset(s) AS regexp_replace(trim(s), '${OFFSET_RE}', '\\1')`,
  // Minutes east of UTC of the trailing offset (DuckDB's cast reads only a bare +HH:MM).
  `CREATE OR REPLACE MACRO _ll_offset_minutes(s) AS CASE
     WHEN regexp_matches(trim(s), '[Zz]$') THEN 0
     ELSE CASE WHEN regexp_extract(trim(s), '([+-])[0-9]{2}:?[0-9]{0,2}$', 1) = '-' THEN -1 ELSE 1 END
       * (CAST(regexp_extract(trim(s), '[+-]([0-9]{2}):?[0-9]{0,2}$', 1) AS INTEGER) * 60
         + coalesce(TRY_CAST(regexp_extract(trim(s), '[+-][0-9]{2}:?([0-9]{2})$', 1) AS INTEGER), 0))
     END`,
  // Text → TIMESTAMP_NTZ: an offset is dropped, the wall clock kept.
  `CREATE OR REPLACE MACRO _ll_ntz_try(s) AS CASE
     WHEN _ll_is_int(s) THEN _ll_epoch(TRY_CAST(trim(s) AS DOUBLE))
     ELSE coalesce(TRY_CAST(_ll_drop_offset(s) AS TIMESTAMP),
       CAST(try_strptime(_ll_drop_offset(s), ${AUTO_LIST}) AS TIMESTAMP)) END`,
  `CREATE OR REPLACE MACRO _ll_ntz(s) AS CASE WHEN s IS NULL THEN NULL
     ELSE coalesce(_ll_ntz_try(s), error('Could not convert string ''' || s || ''' to TIMESTAMP'))
     END`,
  // Text → TIMESTAMP_LTZ/TZ: an offset is honoured; without one the wall clock is in zone z.
  `CREATE OR REPLACE MACRO _ll_tstz_try(s, z) AS CASE
     WHEN _ll_is_int(s) THEN timezone('UTC', _ll_epoch(TRY_CAST(trim(s) AS DOUBLE)))
     WHEN _ll_has_offset(s) THEN timezone('UTC', _ll_ntz_try(s) - to_minutes(_ll_offset_minutes(s)))
     ELSE coalesce(try_strptime(trim(s), ${AUTO_ZONED_LIST}), timezone(z, _ll_ntz_try(s))) END`,
  `CREATE OR REPLACE MACRO _ll_tstz(s, z) AS CASE WHEN s IS NULL THEN NULL
     ELSE coalesce(_ll_tstz_try(s, z),
       error('Could not convert string ''' || s || ''' to TIMESTAMP')) END`,
  // Text → DATE: any timestamp text gives its date.
  `CREATE OR REPLACE MACRO _ll_date_try(s) AS CAST(_ll_ntz_try(s) AS DATE)`,
  `CREATE OR REPLACE MACRO _ll_date(s) AS CASE WHEN s IS NULL THEN NULL
     ELSE coalesce(_ll_date_try(s), error('Could not convert string ''' || s || ''' to DATE')) END`,
  // Text → TIME: a time of day (12-hour with AM/PM too), or any timestamp text's time.
  // 12-hour times first: DuckDB's cast reads '10:11:12 PM' and drops the PM.
  `CREATE OR REPLACE MACRO _ll_time_try(s) AS coalesce(
     CAST(try_strptime(trim(s), ['%I:%M:%S %p', '%I:%M %p', '%I:%M:%S.%n %p']) AS TIME),
     TRY_CAST(_ll_drop_offset(s) AS TIME), CAST(_ll_ntz_try(s) AS TIME))`,
  `CREATE OR REPLACE MACRO _ll_time(s) AS CASE WHEN s IS NULL THEN NULL
     ELSE coalesce(_ll_time_try(s), error('Could not convert string ''' || s || ''' to TIME')) END`,
];

/** An ISO date or timestamp without an offset: DuckDB's casts read it as Snowflake does. */
const PLAIN_ISO = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?$/;
/** A time of day without an offset. */
const PLAIN_TIME = /^\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/;

/**
 * Text `sql` read as a value of date or time type `to` (format AUTO). `zoneSql` is the DuckDB
 * expression of the zone a TIMESTAMP_LTZ/TZ without an offset is read in.
 */
export function textToDateTime(
  sql: string,
  to: SfType,
  o: { tryCast?: boolean; zoneSql: string },
): string {
  const t = o.tryCast ? "_try" : "";
  // A literal DuckDB reads as Snowflake does is cast here, so that DuckDB folds it to a constant
  // (the macros' error branch is not foldable, and a filter on a constant reaches the scan).
  const lit = /^'((?:[^']|'')*)'$/s.exec(sql)?.[1]?.trim();
  if (lit !== undefined && !o.tryCast) {
    const plain = qs(lit.replaceAll("''", "'"));
    if (PLAIN_ISO.test(lit)) {
      if (to.kind === "DATE") return `CAST(${plain} AS DATE)`;
      if (to.kind === "TIMESTAMP_NTZ") return `CAST(${plain} AS TIMESTAMP)`;
      if (to.kind === "TIMESTAMP_LTZ" || to.kind === "TIMESTAMP_TZ") {
        return `timezone(${o.zoneSql}, CAST(${plain} AS TIMESTAMP))`;
      }
    }
    if (to.kind === "TIME" && PLAIN_TIME.test(lit)) return `CAST(${plain} AS TIME)`;
  }
  switch (to.kind) {
    case "DATE":
      return `_ll_date${t}(${sql})`;
    case "TIME":
      return `_ll_time${t}(${sql})`;
    case "TIMESTAMP_NTZ":
      return `_ll_ntz${t}(${sql})`;
    case "TIMESTAMP_LTZ":
    case "TIMESTAMP_TZ":
      return `_ll_tstz${t}(${sql}, ${o.zoneSql})`;
  }
  throw new Error(`not a date or time type: ${to.kind}`);
}

/** True for DATE, TIME and the timestamps. */
export function isDateTime(t: SfType): boolean {
  return t.kind === "DATE" || t.kind === "TIME" || t.kind === "TIMESTAMP_NTZ" ||
    t.kind === "TIMESTAMP_LTZ" || t.kind === "TIMESTAMP_TZ";
}

/** A number as epoch seconds/ms/µs/ns by magnitude → a naive UTC TIMESTAMP. */
export function epochToTimestamp(sql: string): string {
  return `_ll_epoch(CAST(${sql} AS DOUBLE))`;
}

// ---------------------------------------------------------------------------------------- formats

/** One element of a Snowflake date/time format. */
type FormatToken =
  | { readonly kind: "literal"; readonly text: string }
  | { readonly kind: "field"; readonly name: string; readonly digits?: number };

/** The elements Snowflake's formats know, longest first so `HH24` wins over `HH`. */
const FORMAT_FIELDS = [
  "TZH:TZM",
  "TZHTZM",
  "MMMM",
  "YYYY",
  "HH24",
  "HH12",
  "TZH",
  "TZM",
  "MON",
  "YYY",
  "YY",
  "MM",
  "DD",
  "DY",
  "HH",
  "MI",
  "SS",
  "AM",
  "PM",
  "FF",
  "Y",
];

/** Splits a Snowflake format (`YYYY-MM-DD"T"HH24:MI:SS.FF3`) into its elements. */
export function parseFormat(fmt: string): FormatToken[] {
  const out: FormatToken[] = [];
  let i = 0;
  const literal = (text: string) => {
    const last = out.at(-1);
    if (last?.kind === "literal") out[out.length - 1] = { kind: "literal", text: last.text + text };
    else out.push({ kind: "literal", text });
  };
  while (i < fmt.length) {
    if (fmt[i] === '"') {
      const end = fmt.indexOf('"', i + 1);
      literal(end < 0 ? fmt.slice(i + 1) : fmt.slice(i + 1, end));
      i = end < 0 ? fmt.length : end + 1;
      continue;
    }
    const rest = fmt.slice(i).toUpperCase();
    const name = FORMAT_FIELDS.find((f) => rest.startsWith(f));
    if (!name) {
      literal(fmt[i]);
      i++;
      continue;
    }
    i += name.length;
    if (name === "FF" && /[0-9]/.test(fmt[i] ?? "")) {
      out.push({ kind: "field", name, digits: Number(fmt[i]) });
      i++;
    } else out.push({ kind: "field", name });
  }
  return out;
}

/** The strptime pattern of a Snowflake format, for TO_DATE/TO_TIMESTAMP/TO_TIME with one. */
export function strptimePattern(fmt: string): string {
  const spec: Record<string, string> = {
    YYYY: "%Y",
    YYY: "%Y",
    YY: "%y",
    Y: "%Y",
    MMMM: "%B",
    MON: "%b",
    MM: "%m",
    DD: "%d",
    DY: "%a",
    HH24: "%H",
    HH12: "%I",
    HH: "%H",
    AM: "%p",
    PM: "%p",
    MI: "%M",
    SS: "%S",
    // %n reads 1 to 9 digits, whatever FF's precision.
    FF: "%n",
    "TZH:TZM": "%z",
    TZHTZM: "%z",
    TZH: "%z",
    TZM: "",
  };
  return parseFormat(fmt).map((t) =>
    t.kind === "literal" ? t.text.replaceAll("%", "%%") : spec[t.name]
  ).join("");
}

/** True when a format reads a UTC offset. */
export function formatHasOffset(fmt: string): boolean {
  return parseFormat(fmt).some((t) => t.kind === "field" && t.name.startsWith("TZ"));
}

/**
 * DuckDB SQL printing wall clock `ts` (a naive TIMESTAMP, see {@link wallTimestamp}) with a
 * Snowflake format; `offsetSql` gives the minutes east of UTC printed by TZH/TZM.
 */
export function formatSql(ts: string, fmt: string, offsetSql = "0"): string {
  const spec: Record<string, string> = {
    YYYY: "%Y",
    YYY: "%Y",
    Y: "%Y",
    YY: "%y",
    MMMM: "%B",
    MON: "%b",
    MM: "%m",
    DD: "%d",
    DY: "%a",
    HH24: "%H",
    HH12: "%I",
    HH: "%H",
    AM: "%p",
    PM: "%p",
    MI: "%M",
    SS: "%S",
  };
  const parts: string[] = [];
  let pattern = "";
  const flush = () => {
    if (pattern) parts.push(`strftime(${ts}, ${qs(pattern)})`);
    pattern = "";
  };
  const off = `(${offsetSql})`;
  const two = (sql: string) => `lpad(CAST(${sql} AS VARCHAR), 2, '0')`;
  const sign = `CASE WHEN ${off} < 0 THEN '-' ELSE '+' END`;
  for (const t of parseFormat(fmt)) {
    if (t.kind === "literal") {
      pattern += t.text.replaceAll("%", "%%");
      continue;
    }
    if (spec[t.name]) {
      pattern += spec[t.name];
      continue;
    }
    flush();
    switch (t.name) {
      case "FF":
        // Nanoseconds cut to the precision asked for (FF alone is nine digits).
        parts.push(`substr(strftime(${ts}, '%n'), 1, ${t.digits ?? 9})`);
        break;
      case "TZH:TZM":
        parts.push(`${sign} || ${two(`abs(${off}) // 60`)} || ':' || ${two(`abs(${off}) % 60`)}`);
        break;
      case "TZHTZM":
        parts.push(`${sign} || ${two(`abs(${off}) // 60`)} || ${two(`abs(${off}) % 60`)}`);
        break;
      case "TZH":
        parts.push(`${sign} || ${two(`abs(${off}) // 60`)}`);
        break;
      case "TZM":
        parts.push(two(`abs(${off}) % 60`));
        break;
    }
  }
  flush();
  if (!parts.length) return "''";
  return parts.length === 1 ? parts[0] : `(${parts.join(" || ")})`;
}

// ------------------------------------------------------------------------------------------ weeks

/** WEEK_START (0: legacy Monday weeks, 1…7: Monday…Sunday) and WEEK_OF_YEAR_POLICY (0 or 1). */
export interface WeekRules {
  readonly start: number;
  readonly policy: number;
}

/** The session's week rules (both parameters default to 0). */
export function weekRules(session: DateTimeSession): WeekRules {
  const num = (name: string, max: number) => {
    const n = Number(session.parameters?.get(name) ?? 0);
    return Number.isInteger(n) && n >= 0 && n <= max ? n : 0;
  };
  return { start: num("WEEK_START", 7), policy: num("WEEK_OF_YEAR_POLICY", 1) };
}

/** ISO weeks: Monday first, week 1 holds the year's first Thursday. */
export const ISO_WEEKS: WeekRules = { start: 1, policy: 0 };

/** Days since the week's first day (0…6) of DATE `d`. */
function daysIntoWeek(d: string, rules: WeekRules): string {
  // WEEK_START 0 keeps the legacy Monday weeks.
  const first = rules.start === 0 ? 1 : rules.start;
  return `((isodow(${d}) - ${first} + 7) % 7)`;
}

/** DAYOFWEEK of DATE `d`: 0 (Sunday) … 6 with WEEK_START 0, else 1 (the week's first day) … 7. */
export function dayOfWeekSql(d: string, rules: WeekRules): string {
  if (rules.start === 0) return `dayofweek(${d})`;
  return `(${daysIntoWeek(d, rules)} + 1)`;
}

/** The first day (a DATE) of the week of DATE `d`. */
export function weekStartSql(d: string, rules: WeekRules): string {
  return `CAST(${d} - CAST(${daysIntoWeek(d, rules)} AS INTEGER) AS DATE)`;
}

/**
 * WEEK of DATE `d`. Policy 0: a week belongs to the year that holds at least four of its days
 * (its fourth day). Policy 1: week 1 holds January 1, and the weeks split at the year's end.
 */
export function weekOfYearSql(d: string, rules: WeekRules): string {
  if (rules.policy === 1) {
    const jan1 = `CAST(date_trunc('year', ${d}) AS DATE)`;
    return `((dayofyear(${d}) - 1 + ${daysIntoWeek(jan1, rules)}) // 7 + 1)`;
  }
  const fourth = `(${weekStartSql(d, rules)} + 3)`;
  return `((dayofyear(${fourth}) - 1) // 7 + 1)`;
}

/** YEAROFWEEK of DATE `d` (the year its week belongs to, by the same rules as WEEK). */
export function yearOfWeekSql(d: string, rules: WeekRules): string {
  if (rules.policy === 1) return `year(${d})`;
  return `year(${weekStartSql(d, rules)} + 3)`;
}
