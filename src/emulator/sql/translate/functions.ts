/**
 * Snowflake's functions on DuckDB: each function the emulator knows, with its Snowflake result
 * type and the DuckDB SQL that computes Snowflake's answer (NULL handling, rounding, week starts,
 * date parts). An unknown function is an error naming it.
 *
 * @module
 */
import { once } from "./once.ts";
import { identName, type Node, objectNameParts, payload, variant } from "../ast.ts";
import { SQL_ERRORS, SqlError } from "../errors.ts";
import { duckType, isTimestamp, type SfType, T } from "../../warehouse/types.ts";
import type { Expr } from "./context.ts";
import { arithmeticType, divide, divisionScale, fixedOf } from "./numeric.ts";
import { castTo, commonType, comparable, hexToBinary } from "./types.ts";
import { convert, floatText } from "./casts.ts";
import {
  type DateTimeSession,
  dayOfWeekSql,
  formatHasOffset,
  formatSql,
  instantOf,
  ISO_WEEKS,
  literalOffset,
  offsetMinutesSql,
  outputFormat,
  strptimePattern,
  wallClock,
  wallOf,
  wallTimestamp,
  weekOfYearSql,
  type WeekRules,
  weekRules,
  weekStartSql,
  withZone,
  yearOfWeekSql,
  zoneFor,
} from "./datetime.ts";
import { qi, qs } from "./quote.ts";
import { identifiersOf } from "../variables.ts";
import { formatNumberSql, parseNumberSql } from "./number_format.ts";
import {
  flagged,
  fromPosition,
  matchCount,
  nthMatchStart,
  type RegexParams,
  regexParams,
  replaceSql,
} from "./regexp.ts";
import type { ExprContext, Translator } from "./translator.ts";

/**
 * An argument as an expression node. `CEIL(x, 1)` and `FLOOR(x, 1)` reach here with the scale
 * as the parser's bare value (`{ value, span }`, from its CEIL/FLOOR node), not an expression.
 */
function asExprNode(node: Node): Node {
  if (node && typeof node === "object" && "value" in node && "span" in node) {
    if (Object.keys(node).length === 2) return { Value: node };
  }
  return node;
}

/** One call being translated. */
class Call {
  readonly t: Translator;
  readonly name: string;
  readonly fn: Node;
  readonly ctx: ExprContext;
  readonly rawArgs: Node[];
  readonly named = new Map<string, Node>();
  readonly distinct: boolean;
  #args: (Expr | undefined)[];
  /** ` OVER (…)` of a window call, or "". */
  /** The call's own FILTER (WHERE …) condition, as DuckDB SQL. */
  readonly filterCondition: string | undefined;
  readonly over: string;
  /** ` FILTER (WHERE …)`, or "". */
  readonly filter: string;

  constructor(t: Translator, fn: Node, ctx: ExprContext) {
    this.t = t;
    this.fn = fn;
    this.ctx = ctx;
    this.name = objectNameParts(fn.name).join(".");
    const list = fn.args?.List ?? {};
    if (fn.args && variant(fn.args) === "Subquery") {
      throw SQL_ERRORS.unsupported(`${this.name}(subquery)`);
    }
    this.distinct = list.duplicate_treatment === "Distinct";
    this.rawArgs = [];
    for (const a of list.args ?? []) {
      const v = variant(a);
      const p = payload(a);
      if (v === "Named" || v === "ExprNamed") {
        const key = v === "Named"
          ? identName(p.name)
          : String(p.name?.Identifier?.value ?? "").toUpperCase();
        this.named.set(key, p.arg.Expr ?? p.arg);
      } else if (p === "Wildcard" || p?.Wildcard !== undefined || a?.Unnamed === "Wildcard") {
        this.rawArgs.push("*");
      } else this.rawArgs.push(asExprNode(p.Expr ?? p));
    }
    if ((list.clauses ?? []).length) {
      const c = list.clauses[0];
      if (variant(c) === "OrderBy") this.withinGroupNodes = payload(c);
      else if (variant(c) === "IgnoreOrRespectNulls") {
        this.ignoreNullsInside = payload(c) === "IgnoreNulls";
      } else throw SQL_ERRORS.unsupported(`${this.name}(… ${variant(c)})`);
    }
    this.#args = new Array(this.rawArgs.length);
    const overNode = fn.over;
    if (overNode) {
      const spec = variant(overNode) === "WindowSpec" ? payload(overNode) : undefined;
      const named = variant(overNode) === "NamedWindow" ? payload(overNode) : undefined;
      this.over = spec
        ? ` OVER (${t.windowSpec(spec, ctx.scope)})`
        : ` OVER ${qi(identName(named))}`;
    } else this.over = "";
    this.filterCondition = fn.filter
      ? t.condition(fn.filter, { ...ctx, aggregates: false })
      : undefined;
    this.filter = this.filterCondition ? ` FILTER (WHERE ${this.filterCondition})` : "";
    if (fn.within_group?.length) this.withinGroupNodes = fn.within_group;
  }

  withinGroupNodes: Node[] | undefined;
  /** `IGNORE NULLS` written inside the parentheses (`LAST_VALUE(x IGNORE NULLS)`). */
  ignoreNullsInside = false;

  /** True for `IGNORE NULLS`, after the call or inside its parentheses. */
  get ignoreNulls(): boolean {
    return this.ignoreNullsInside || this.fn.null_treatment === "IgnoreNulls";
  }

  get argc(): number {
    return this.rawArgs.length;
  }

  /** The i-th argument, translated. */
  arg(i: number): Expr {
    const raw = this.rawArgs[i];
    if (raw === undefined) {
      throw SQL_ERRORS.invalidArgument(`not enough arguments for function [${this.name}]`);
    }
    if (raw === "*") throw SQL_ERRORS.syntax(`'*' is not an argument of ${this.name}.`);
    return this.#args[i] ??= this.t.expr(raw, this.aggCtx);
  }

  /** Arguments of an aggregate are evaluated per row: no nested aggregates. */
  get aggCtx(): ExprContext {
    return isAggregateName(this.name) && !this.over ? { ...this.ctx } : this.ctx;
  }

  args(from = 0): Expr[] {
    return this.rawArgs.slice(from).map((_, i) => this.arg(from + i));
  }

  /** Requires between `min` and `max` arguments. */
  arity(min: number, max = min): void {
    if (this.argc < min || this.argc > max) {
      throw SQL_ERRORS.invalidArgument(
        `${
          this.argc > max ? "too many" : "not enough"
        } arguments for function [${this.name}], expected ${
          min === max ? min : `${min} to ${max}`
        }, got ${this.argc}`,
      );
    }
  }

  /** A date or time part keyword (`day`, `'DAY'`, `DAYS`) normalised. */
  part(i: number): string {
    const raw = this.rawArgs[i];
    const v = variant(raw);
    let text: string;
    if (v === "Identifier") text = raw.Identifier.value;
    else if (v === "Value" && variant(raw.Value.value ?? raw.Value) === "SingleQuotedString") {
      text = payload(raw.Value.value ?? raw.Value);
    } else throw SQL_ERRORS.invalidArgument(`${this.name} needs a date or time part, e.g. 'day'.`);
    return datePart(text);
  }

  /** `NAME(args)` with DISTINCT, FILTER and OVER as the call had them. */
  agg(duckName: string, args: string, opts: { distinct?: boolean; orderBy?: string } = {}): string {
    const d = (opts.distinct ?? this.distinct) ? "DISTINCT " : "";
    const ob = opts.orderBy ? ` ORDER BY ${opts.orderBy}` : "";
    return `${duckName}(${d}${args}${ob})${this.filter}${this.over}`;
  }

  /** The WITHIN GROUP (ORDER BY …) list, as DuckDB SQL. */
  withinGroup(): string | undefined {
    if (!this.withinGroupNodes?.length) return undefined;
    return this.withinGroupNodes.map((o: Node) => {
      const e = this.t.expr(o.expr, this.ctx).sql;
      const asc = o.options?.asc;
      const nf = o.options?.nulls_first;
      return e + (asc === false ? " DESC" : " ASC") +
        (nf === true
          ? " NULLS FIRST"
          : nf === false
          ? " NULLS LAST"
          : asc === false
          ? " NULLS FIRST"
          : " NULLS LAST");
    }).join(", ");
  }
}

/** A Snowflake date or time part name, normalised (aliases as the docs list them). */
export function datePart(text: string): string {
  const t = text.trim().toUpperCase();
  const aliases: Record<string, string> = {
    Y: "YEAR",
    YY: "YEAR",
    YYY: "YEAR",
    YYYY: "YEAR",
    YR: "YEAR",
    YEARS: "YEAR",
    YRS: "YEAR",
    MM: "MONTH",
    MON: "MONTH",
    MONS: "MONTH",
    MONTHS: "MONTH",
    D: "DAY",
    DD: "DAY",
    DAYS: "DAY",
    DAYOFMONTH: "DAY",
    DAYOFWEEK: "DAYOFWEEK",
    WEEKDAY: "DAYOFWEEK",
    DOW: "DAYOFWEEK",
    DW: "DAYOFWEEK",
    DAYOFWEEKISO: "DAYOFWEEKISO",
    WEEKDAY_ISO: "DAYOFWEEKISO",
    DOW_ISO: "DAYOFWEEKISO",
    DW_ISO: "DAYOFWEEKISO",
    DAYOFYEAR: "DAYOFYEAR",
    YEARDAY: "DAYOFYEAR",
    DOY: "DAYOFYEAR",
    DY: "DAYOFYEAR",
    W: "WEEK",
    WK: "WEEK",
    WEEKOFYEAR: "WEEK",
    WOY: "WEEK",
    WY: "WEEK",
    WEEKS: "WEEK",
    WEEKISO: "WEEKISO",
    WEEK_ISO: "WEEKISO",
    WEEKOFYEARISO: "WEEKISO",
    WEEKOFYEAR_ISO: "WEEKISO",
    Q: "QUARTER",
    QTR: "QUARTER",
    QTRS: "QUARTER",
    QUARTERS: "QUARTER",
    YEAROFWEEK: "YEAROFWEEK",
    YEAROFWEEKISO: "YEAROFWEEKISO",
    H: "HOUR",
    HH: "HOUR",
    HR: "HOUR",
    HOURS: "HOUR",
    HRS: "HOUR",
    M: "MINUTE",
    MI: "MINUTE",
    MIN: "MINUTE",
    MINUTES: "MINUTE",
    MINS: "MINUTE",
    S: "SECOND",
    SEC: "SECOND",
    SECONDS: "SECOND",
    SECS: "SECOND",
    MS: "MILLISECOND",
    MSEC: "MILLISECOND",
    MILLISECONDS: "MILLISECOND",
    US: "MICROSECOND",
    USEC: "MICROSECOND",
    MICROSECONDS: "MICROSECOND",
    NS: "NANOSECOND",
    NSEC: "NANOSECOND",
    NANOSEC: "NANOSECOND",
    NSECOND: "NANOSECOND",
    NANOSECONDS: "NANOSECOND",
    EPOCH: "EPOCH_SECOND",
    EPOCH_SECONDS: "EPOCH_SECOND",
    EPOCH_MILLISECONDS: "EPOCH_MILLISECOND",
    EPOCH_MICROSECONDS: "EPOCH_MICROSECOND",
    EPOCH_NANOSECONDS: "EPOCH_NANOSECOND",
    TIMEZONE_HOUR: "TIMEZONE_HOUR",
    TZH: "TIMEZONE_HOUR",
    TIMEZONE_MINUTE: "TIMEZONE_MINUTE",
    TZM: "TIMEZONE_MINUTE",
  };
  const out = aliases[t] ?? t;
  const known = new Set([
    "YEAR",
    "MONTH",
    "DAY",
    "DAYOFWEEK",
    "DAYOFWEEKISO",
    "DAYOFYEAR",
    "WEEK",
    "WEEKISO",
    "QUARTER",
    "YEAROFWEEK",
    "YEAROFWEEKISO",
    "HOUR",
    "MINUTE",
    "SECOND",
    "MILLISECOND",
    "MICROSECOND",
    "NANOSECOND",
    "EPOCH_SECOND",
    "EPOCH_MILLISECOND",
    "EPOCH_MICROSECOND",
    "EPOCH_NANOSECOND",
    "TIMEZONE_HOUR",
    "TIMEZONE_MINUTE",
  ]);
  if (!known.has(out)) throw SQL_ERRORS.invalidArgument(`invalid date or time part '${text}'`);
  return out;
}

const AGGREGATES = new Set([
  "COUNT",
  "COUNT_IF",
  "SUM",
  "AVG",
  "MIN",
  "MAX",
  "MEDIAN",
  "MODE",
  "STDDEV",
  "STDDEV_SAMP",
  "STDDEV_POP",
  "VARIANCE",
  "VAR_SAMP",
  "VAR_POP",
  "VARIANCE_SAMP",
  "VARIANCE_POP",
  "LISTAGG",
  "ARRAY_AGG",
  "ARRAYAGG",
  "OBJECT_AGG",
  "ANY_VALUE",
  "APPROX_COUNT_DISTINCT",
  "HLL",
  "BOOLAND_AGG",
  "BOOLOR_AGG",
  "BOOLXOR_AGG",
  "PERCENTILE_CONT",
  "PERCENTILE_DISC",
  "MAX_BY",
  "MIN_BY",
  "APPROX_PERCENTILE",
  "KURTOSIS",
  "SKEW",
  "CORR",
  "COVAR_POP",
  "COVAR_SAMP",
  "BITAND_AGG",
  "HASH_AGG",
  "BITOR_AGG",
  "BITXOR_AGG",
  "REGR_SLOPE",
  "REGR_INTERCEPT",
  "REGR_COUNT",
  "REGR_R2",
  "REGR_AVGX",
  "REGR_AVGY",
  "SUM_DISTINCT",
  "ARRAY_UNIQUE_AGG",
  "ARRAY_UNION_AGG",
  "APPROX_TOP_K",
]);

const WINDOW_ONLY = new Set([
  "ROW_NUMBER",
  "RANK",
  "DENSE_RANK",
  "PERCENT_RANK",
  "CUME_DIST",
  "NTILE",
  "LAG",
  "LEAD",
  "FIRST_VALUE",
  "LAST_VALUE",
  "NTH_VALUE",
  "RATIO_TO_REPORT",
  "CONDITIONAL_TRUE_EVENT",
  "CONDITIONAL_CHANGE_EVENT",
]);

/** True for aggregate function names. */
export function isAggregateName(name: string): boolean {
  return AGGREGATES.has(name);
}

/** True for functions that exist only as window functions. */
export function isWindowOnlyName(name: string): boolean {
  return WINDOW_ONLY.has(name);
}

type Impl = (c: Call) => Expr;

const n18 = T.number(18, 0);
const n38 = T.number(38, 0);

/** An expression as text (VARIANT unwrapped; a FLOAT as Snowflake prints it). */
function asText(c: Call, e: Expr): string {
  return e.type.kind === "FLOAT" ? floatText(e.sql) : c.t.asText(e);
}

/** The argument as text (VARIANT unwrapped). */
const text = (c: Call, i: number) => asText(c, c.arg(i));

/** Returns NULL when any argument is NULL (Snowflake's GREATEST/LEAST). */
function nullIfAnyNull(args: Expr[], sql: string): string {
  return `CASE WHEN ${args.map((a) => `${a.sql} IS NULL`).join(" OR ")} THEN NULL ELSE ${sql} END`;
}

/** The session as date and time translation reads it. */
function sessionOf(c: Call): DateTimeSession {
  return c.t.resolver.session;
}

/**
 * A constant text argument's value (a format, a zone name), or undefined: a literal, or literals
 * joined with `||` (dbt's catalog query writes `'yyyy-mm-dd HH24:MI'||'UTC'`).
 */
function constantText(e: Expr): string | undefined {
  if (e.type.kind !== "VARCHAR") return undefined;
  return foldedText(e.sql);
}

const TEXT_LITERAL = /^'((?:[^']|'')*)'$/s;

/** The value of translated SQL that is a text literal or a `(a || b)` of such, or undefined. */
function foldedText(sql: string): string | undefined {
  const literal = TEXT_LITERAL.exec(sql);
  if (literal) return literal[1].replaceAll("''", "'");
  if (!sql.startsWith("(") || !sql.endsWith(")")) return undefined;
  const whole = sql.slice(1, -1);
  const nested = foldedText(whole);
  if (nested !== undefined) return nested;
  // The split point is ambiguous in text like `('a || b' || 'c')`: try each ` || ` in turn.
  for (let at = whole.indexOf(" || "); at >= 0; at = whole.indexOf(" || ", at + 1)) {
    const left = foldedText(whole.slice(0, at));
    const right = left === undefined ? undefined : foldedText(whole.slice(at + 4));
    if (right !== undefined) return left! + right;
  }
  return undefined;
}

/** A date or time argument: text (or a VARIANT's text) read as a TIMESTAMP_NTZ (AUTO). */
function temporal(e: Expr, session: DateTimeSession): Expr {
  // An untyped NULL (a literal or a NULL bind) is a NULL timestamp: DuckDB cannot pick an
  // overload of date_trunc or `+ INTERVAL` for a bare NULL, and Snowflake returns NULL.
  if (e.type.kind === "NULL") return { ...e, sql: "CAST(NULL AS TIMESTAMP)", type: T.ntz };
  if (e.type.kind === "VARCHAR" || e.type.kind === "VARIANT") return convert(e, T.ntz, session);
  return e;
}

/** The DATE of a date or timestamp's wall clock. */
function dateOf(e: Expr, session: DateTimeSession): string {
  if (e.type.kind === "DATE") return e.sql;
  return `CAST(${wallClock(e, session)} AS DATE)`;
}

const TIME_UNITS = new Set(["hour", "minute", "second", "millisecond", "microsecond"]);

/**
 * DATE_TRUNC with Snowflake's parts: a week starts on the session's WEEK_START (Monday by
 * default), and an LTZ or TZ value is truncated on its wall clock.
 */
function truncate(part: string, e: Expr, session: DateTimeSession): Expr {
  const src = temporal(e, session);
  const unit = ({
    YEAR: "year",
    QUARTER: "quarter",
    MONTH: "month",
    WEEK: "week",
    WEEKISO: "week",
    DAY: "day",
    HOUR: "hour",
    MINUTE: "minute",
    SECOND: "second",
    MILLISECOND: "millisecond",
    MICROSECOND: "microsecond",
  } as Record<string, string>)[part];
  if (!unit) throw SQL_ERRORS.invalidArgument(`DATE_TRUNC does not take the part ${part}`);
  if (src.type.kind === "TIME") {
    if (!TIME_UNITS.has(unit)) {
      throw SQL_ERRORS.invalidArgument(`DATE_TRUNC of a TIME does not take the part ${part}`);
    }
    return {
      sql: `CAST(date_trunc('${unit}', ${wallTimestamp(src, session)}) AS TIME)`,
      type: T.time,
    };
  }
  if (src.type.kind === "DATE" && TIME_UNITS.has(unit)) return src;
  const wall = wallTimestamp(src, session);
  const truncated = unit === "week"
    ? `CAST(${
      weekStartSql(`CAST(${wall} AS DATE)`, part === "WEEKISO" ? ISO_WEEKS : weekRules(session))
    } AS TIMESTAMP)`
    : `date_trunc('${unit}', ${wall})`;
  if (src.type.kind === "DATE") return { sql: `CAST(${truncated} AS DATE)`, type: T.date };
  if (src.type.kind === "TIMESTAMP_LTZ" || src.type.kind === "TIMESTAMP_TZ") {
    return { sql: instantOf(truncated, zoneFor(src.type, session)), type: src.type };
  }
  return { sql: truncated, type: T.ntz };
}

function dateAdd(part: string, n: Expr, e: Expr, session: DateTimeSession): Expr {
  const amount = `CAST(${n.sql} AS BIGINT)`;
  const src = temporal(e, session);
  const interval = ({
    YEAR: `to_years(${amount})`,
    QUARTER: `to_months(${amount} * 3)`,
    MONTH: `to_months(${amount})`,
    WEEK: `to_weeks(${amount})`,
    WEEKISO: `to_weeks(${amount})`,
    DAY: `to_days(${amount})`,
    HOUR: `to_hours(${amount})`,
    MINUTE: `to_minutes(${amount})`,
    SECOND: `to_seconds(${amount})`,
    MILLISECOND: `to_milliseconds(${amount})`,
    MICROSECOND: `to_microseconds(${amount})`,
    NANOSECOND: `to_microseconds(${amount} // 1000)`,
  } as Record<string, string>)[part];
  if (!interval) throw SQL_ERRORS.invalidArgument(`DATEADD does not take the part ${part}`);
  if (src.type.kind === "DATE") {
    // A date plus a date part stays a date; plus a time part becomes a timestamp.
    if (["YEAR", "QUARTER", "MONTH", "WEEK", "WEEKISO", "DAY"].includes(part)) {
      return { sql: `CAST(${src.sql} + ${interval} AS DATE)`, type: T.date };
    }
    return { sql: `(CAST(${src.sql} AS TIMESTAMP) + ${interval})`, type: T.ntz };
  }
  return { sql: `(${src.sql} + ${interval})`, type: src.type };
}

function dateDiff(part: string, a: Expr, b: Expr, session: DateTimeSession): Expr {
  const unit = ({
    YEAR: "year",
    QUARTER: "quarter",
    MONTH: "month",
    WEEK: "week",
    WEEKISO: "week",
    DAY: "day",
    HOUR: "hour",
    MINUTE: "minute",
    SECOND: "second",
    MILLISECOND: "millisecond",
    MICROSECOND: "microsecond",
  } as Record<string, string>)[part];
  const x = temporal(a, session);
  const y = temporal(b, session);
  if (part === "NANOSECOND") {
    return {
      sql: `CAST(date_diff('microsecond', ${x.sql}, ${y.sql}) * 1000 AS DECIMAL(38,0))`,
      type: T.number(38, 0),
    };
  }
  if (!unit) throw SQL_ERRORS.invalidArgument(`DATEDIFF does not take the part ${part}`);
  if (unit === "week") {
    // Week boundaries crossed, weeks starting on the session's WEEK_START (ISO: Monday).
    const rules = part === "WEEKISO" ? ISO_WEEKS : weekRules(session);
    const start = (e: Expr) => weekStartSql(dateOf(e, session), rules);
    return {
      sql: `CAST((${start(y)} - ${start(x)}) // 7 AS DECIMAL(38,0))`,
      type: T.number(38, 0),
    };
  }
  return {
    sql: `CAST(date_diff('${unit}', ${x.sql}, ${y.sql}) AS DECIMAL(38,0))`,
    type: T.number(38, 0),
  };
}

/**
 * DATE_PART and the YEAR(), HOUR()… shorthands, on the value's wall clock. DAYOFWEEK, WEEK and
 * YEAROFWEEK follow the session's WEEK_START and WEEK_OF_YEAR_POLICY; the ISO parts ignore them.
 */
function extract(part: string, e: Expr, session: DateTimeSession): Expr {
  const src0 = temporal(e, session);
  const src = src0.sql;
  const wall = wallClock(src0, session);
  const date = src0.type.kind === "TIME" ? wall : `CAST(${wall} AS DATE)`;
  const rules = weekRules(session);
  const num = (sql: string) => ({ sql: `CAST(${sql} AS DECIMAL(38,0))`, type: T.number(38, 0) });
  const offset = src0.type.kind === "TIMESTAMP_LTZ" || src0.type.kind === "TIMESTAMP_TZ"
    ? offsetMinutesSql(src, zoneFor(src0.type, session))
    : "0";
  switch (part) {
    case "YEAR":
      return num(`year(${wall})`);
    case "MONTH":
      return num(`month(${wall})`);
    case "DAY":
      return num(`day(${wall})`);
    case "DAYOFWEEK":
      return num(dayOfWeekSql(date, rules));
    case "DAYOFWEEKISO":
      return num(`isodow(${wall})`);
    case "DAYOFYEAR":
      return num(`dayofyear(${wall})`);
    case "WEEK":
      return num(weekOfYearSql(date, rules));
    case "WEEKISO":
      return num(weekOfYearSql(date, ISO_WEEKS));
    case "YEAROFWEEK":
      return num(yearOfWeekSql(date, rules));
    case "YEAROFWEEKISO":
      return num(yearOfWeekSql(date, ISO_WEEKS));
    case "QUARTER":
      return num(`quarter(${wall})`);
    case "HOUR":
      return num(`hour(${wall})`);
    case "MINUTE":
      return num(`minute(${wall})`);
    case "SECOND":
      return num(`second(${wall})`);
    case "MILLISECOND":
      return num(`millisecond(${wall}) % 1000`);
    case "MICROSECOND":
      return num(`microsecond(${wall}) % 1000000`);
    case "NANOSECOND":
      return num(`(microsecond(${wall}) % 1000000) * 1000`);
    case "EPOCH_SECOND":
      return num(`epoch(${src})`);
    case "EPOCH_MILLISECOND":
      return num(`epoch_ms(${src})`);
    case "EPOCH_MICROSECOND":
      return num(`epoch_us(${src})`);
    case "EPOCH_NANOSECOND":
      return num(`epoch_us(${src}) * 1000`);
    case "TIMEZONE_HOUR":
      return num(`trunc(${offset} / 60)`);
    case "TIMEZONE_MINUTE":
      return num(`(${offset}) % 60`);
  }
  throw SQL_ERRORS.invalidArgument(`DATE_PART does not take the part ${part}`);
}

/** A constant format argument (`'YYYY-MM-DD'`); undefined for AUTO, which reads any format. */
function formatArg(c: Call, i: number): string | undefined {
  const fmt = constantText(c.arg(i));
  if (fmt === undefined) throw SQL_ERRORS.invalidArgument(`${c.name} needs a constant format.`);
  return fmt.trim().toUpperCase() === "AUTO" ? undefined : fmt;
}

/**
 * Text argument `i` parsed with a Snowflake format, as a naive TIMESTAMP, or as an instant
 * (TIMESTAMPTZ) when `instant` and the format reads an offset. A TIMESTAMP_NTZ drops the offset.
 */
function parseWithFormat(c: Call, fmt: string, tryIt: boolean, instant: boolean): {
  sql: string;
  zoned: boolean;
} {
  const fn = tryIt ? "try_strptime" : "strptime";
  const s = text(c, 0);
  if (formatHasOffset(fmt) && instant) {
    return { sql: `${fn}(${s}, ${qs(strptimePattern(fmt))})`, zoned: true };
  }
  if (formatHasOffset(fmt)) {
    // The wall clock is kept: the offset is cut from the text and its elements from the format.
    const bare = fmt.replace(/\s*"?(TZH:TZM|TZHTZM|TZH|TZM)"?/gi, "");
    return {
      sql: `CAST(${fn}(_ll_drop_offset(${s}), ${qs(strptimePattern(bare))}) AS TIMESTAMP)`,
      zoned: false,
    };
  }
  return { sql: `CAST(${fn}(${s}, ${qs(strptimePattern(fmt))}) AS TIMESTAMP)`, zoned: false };
}

/** TO_TIMESTAMP[_NTZ|_LTZ|_TZ] and their TRY_ forms. */
function toTimestamp(c: Call, type: SfType): Expr {
  c.arity(1, 2);
  const session = sessionOf(c);
  const tryIt = c.name.startsWith("TRY_");
  const e = c.arg(0);
  const instant = type.kind !== "TIMESTAMP_NTZ";
  if (c.argc === 2) {
    const f = c.arg(1);
    if (f.type.kind === "NUMBER") {
      // TO_TIMESTAMP(n, scale): n in units of 10^-scale seconds.
      const ntz = `make_timestamp(CAST(${e.sql} * pow(10, 6 - ${f.sql}) AS BIGINT))`;
      return instant
        ? { sql: `timezone('UTC', ${ntz})`, type: withZone(type, session.timezone) }
        : { sql: ntz, type };
    }
    const fmt = formatArg(c, 1);
    if (fmt !== undefined) {
      const parsed = parseWithFormat(c, fmt, tryIt, instant);
      if (!instant) return { sql: parsed.sql, type };
      if (!parsed.zoned) {
        return {
          sql: instantOf(parsed.sql, session.timezone),
          type: withZone(type, session.timezone),
        };
      }
      // A constant's own offset is kept (DuckDB keeps only the instant of the others).
      return { sql: parsed.sql, type: withZone(type, literalOffset(e.sql) ?? session.timezone) };
    }
  }
  return convert(e, type, session, tryIt);
}

/**
 * Text of up to `digits` hexadecimal digits (a format of X's) as an unsigned 128-bit integer:
 * DuckDB reads hexadecimal text into 64-bit integers only, so the two halves are read apart.
 */
function hexNumberSql(text: string, digits: number, tryIt: boolean): string {
  if (digits > 32) throw SQL_ERRORS.unsupported("a hexadecimal format of more than 32 digits");
  const padded = "lpad(_hx, 32, '0')";
  const half = (from: number) => `CAST('0x' || substr(${padded}, ${from}, 16) AS UBIGINT)`;
  const fail = tryIt ? "NULL" : `error('Numeric value ''' || _hx || ''' is not recognized')`;
  return `list_transform([trim(${text})], _hx -> CASE WHEN _hx IS NULL THEN NULL WHEN regexp_full_match(_hx, '[0-9A-Fa-f]{1,${digits}}') THEN CAST(${
    half(1)
  } AS UHUGEINT) * CAST(18446744073709551616 AS UHUGEINT) + ${half(17)} ELSE ${fail} END)[1]`;
}

function toNumber(c: Call, tryIt: boolean): Expr {
  c.arity(1, 4);
  const e = c.arg(0);
  let i = 1;
  let fmt: string | undefined;
  if (c.argc > 1 && c.arg(1).type.kind === "VARCHAR") {
    i = 2;
    fmt = constantText(c.arg(1));
    if (fmt === undefined) throw SQL_ERRORS.unsupported(`${c.name} with a non-constant format`);
    if (fmt.trim().toUpperCase() === "AUTO") fmt = undefined;
  }
  const precision = c.argc > i ? Number(/\d+/.exec(c.arg(i).sql)?.[0] ?? 38) : 38;
  const scale = c.argc > i + 1 ? Number(/\d+/.exec(c.arg(i + 1).sql)?.[0] ?? 0) : 0;
  const to = T.number(precision, scale);
  const hexDigits = fmt === undefined ? undefined : /^\s*0*([Xx]+)\s*$/.exec(fmt)?.[1].length;
  if (hexDigits !== undefined && (e.type.kind === "VARCHAR" || e.type.kind === "NULL")) {
    const value = hexNumberSql(e.sql, hexDigits, tryIt);
    // Without a precision, a 32-digit hexadecimal number (an MD5, as Looker's symmetric
    // aggregates read one) may be larger than 38 digits: it stays a 128-bit integer.
    return c.argc > i
      ? {
        sql: `${tryIt ? "TRY_CAST" : "CAST"}(${value} AS DECIMAL(${precision},${scale}))`,
        type: to,
      }
      : { sql: value, type: to };
  }
  if (fmt !== undefined && (e.type.kind === "VARCHAR" || e.type.kind === "NULL")) {
    const cast = tryIt ? "TRY_CAST" : "CAST";
    return {
      sql: `${cast}(${parseNumberSql(e.sql, fmt, tryIt, scale)} AS DECIMAL(${precision},${scale}))`,
      type: to,
    };
  }
  if (e.type.kind === "VARCHAR") {
    // Both steps are TRY_CASTs for TRY_: text that is no number ('abc', '1,234') gives NULL.
    const cast = tryIt ? "TRY_CAST" : "CAST";
    return {
      sql: `${cast}(${cast}(trim(${e.sql}) AS DECIMAL(38,12)) AS DECIMAL(${precision},${scale}))`,
      type: to,
    };
  }
  return convert(e, to, sessionOf(c), tryIt);
}

/** Aggregate SUM with Snowflake's types (NUMBER(38,s) for fixed point). */
function sum(c: Call): Expr {
  c.arity(1);
  const e = c.arg(0);
  if (e.type.kind === "FLOAT" || e.type.kind === "VARCHAR" || e.type.kind === "VARIANT") {
    const x = e.type.kind === "FLOAT" ? e.sql : `CAST(${c.t.asText(e)} AS DOUBLE)`;
    return { sql: c.agg("sum", x), type: T.float, aggregate: !c.over, window: !!c.over };
  }
  const f = fixedOf(e.type) ?? { precision: 38, scale: 0 };
  return {
    sql: `CAST(${
      c.agg("sum", e.type.kind === "BOOLEAN" ? `CAST(${e.sql} AS INTEGER)` : e.sql)
    } AS DECIMAL(38,${f.scale}))`,
    type: T.number(38, f.scale),
    aggregate: !c.over,
    window: !!c.over,
  };
}

/** AVG: the exact sum divided by the count (Snowflake's division scale). */
function avg(c: Call): Expr {
  c.arity(1);
  const e = c.arg(0);
  if (e.type.kind === "FLOAT" || e.type.kind === "VARCHAR" || e.type.kind === "VARIANT") {
    const x = e.type.kind === "FLOAT" ? e.sql : `CAST(${c.t.asText(e)} AS DOUBLE)`;
    return { sql: c.agg("avg", x), type: T.float, aggregate: !c.over, window: !!c.over };
  }
  const f = fixedOf(e.type) ?? { precision: 38, scale: 0 };
  const s = {
    sql: `CAST(${c.agg("sum", e.sql)} AS DECIMAL(38,${f.scale}))`,
    type: T.number(38, f.scale),
  };
  const n = { sql: `CAST(NULLIF(${c.agg("count", e.sql)}, 0) AS DECIMAL(18,0))`, type: n18 };
  const q = divide(s, n);
  return {
    sql: q.sql,
    type: T.number(38, divisionScale(f.scale)),
    aggregate: !c.over,
    window: !!c.over,
  };
}

/**
 * MEDIAN and PERCENTILE_CONT: an interpolated value of `e`. A NUMBER(p, s) gives a NUMBER(38,
 * s + 3) (the docs' MEDIAN of integers is 3.000, PERCENTILE_CONT's 12.500), so the input is
 * widened to that scale first: DuckDB interpolates a DECIMAL at the input's own scale and would
 * cut 3.7 to 3. Anything else is a FLOAT.
 */
function quantile(c: Call, e: Expr, duck: string, extra: string[]): Expr {
  const flags = { aggregate: !c.over, window: !!c.over };
  const tail = extra.map((x) => `, ${x}`).join("");
  if (e.type.kind === "NUMBER" || e.type.kind === "BOOLEAN") {
    const scale = Math.min((fixedOf(e.type)?.scale ?? 0) + 3, 37);
    const x = `CAST(${e.sql} AS DECIMAL(38,${scale}))`;
    return { sql: c.agg(duck, `${x}${tail}`), type: T.number(38, scale), ...flags };
  }
  if (e.type.kind === "DATE" || isTimestamp(e.type)) {
    return { sql: c.agg(duck, `${e.sql}${tail}`), type: e.type, ...flags };
  }
  const x = e.type.kind === "FLOAT" ? e.sql : `CAST(${c.t.asText(e)} AS DOUBLE)`;
  return { sql: c.agg(duck, `${x}${tail}`), type: T.float, ...flags };
}

function minMax(duck: "min" | "max"): Impl {
  return (c) => {
    c.arity(1);
    const e = c.arg(0);
    return { sql: c.agg(duck, e.sql), type: e.type, aggregate: !c.over, window: !!c.over };
  };
}

function statistic(duck: string): Impl {
  return (c) => {
    c.arity(1);
    const e = c.arg(0);
    const x = e.type.kind === "NUMBER" || e.type.kind === "FLOAT"
      ? `CAST(${e.sql} AS DOUBLE)`
      : `CAST(${c.t.asText(e)} AS DOUBLE)`;
    // Snowflake returns NUMBER for fixed-point input; the emulator computes it in DOUBLE.
    return { sql: c.agg(duck, x), type: T.float, aggregate: !c.over, window: !!c.over };
  };
}

function windowOnly(duck: string, type: SfType | ((c: Call) => SfType)): Impl {
  return (c) => {
    if (!c.over) throw SQL_ERRORS.invalidArgument(`${c.name} needs an OVER clause.`);
    const args = c.args().map((a) => a.sql);
    return {
      sql: `${duck}(${args.join(", ")})${c.over}`,
      type: typeof type === "function" ? type(c) : type,
      window: true,
    };
  };
}

function lagLead(duck: "lag" | "lead"): Impl {
  return (c) => {
    if (!c.over) throw SQL_ERRORS.invalidArgument(`${c.name} needs an OVER clause.`);
    c.arity(1, 3);
    const e = c.arg(0);
    // With a default, the result has the type of both (LAG(n, 1, 0.5) of an integer is 0.5).
    const type = c.argc > 2 ? commonType([e.type, c.arg(2).type]) : e.type;
    const args = [castTo(e.sql, e.type, type)];
    if (c.argc > 1) args.push(`CAST(${c.arg(1).sql} AS BIGINT)`);
    if (c.argc > 2) args.push(castTo(c.arg(2).sql, c.arg(2).type, type));
    const ignore = c.ignoreNulls ? " IGNORE NULLS" : "";
    return { sql: `${duck}(${args.join(", ")}${ignore})${c.over}`, type, window: true };
  };
}

/**
 * FIRST_VALUE, LAST_VALUE and NTH_VALUE. Without a frame of its own, their window is the whole
 * partition in Snowflake (LAST_VALUE … ORDER BY v gives the partition's last v on every row), not
 * SQL's default frame up to the current row.
 */
function firstLast(duck: string): Impl {
  return (c) => {
    if (!c.over) throw SQL_ERRORS.invalidArgument(`${c.name} needs an OVER clause.`);
    const e = c.arg(0);
    const ignore = c.ignoreNulls ? " IGNORE NULLS" : "";
    const extra = c.argc > 1 ? `, CAST(${c.arg(1).sql} AS BIGINT)` : "";
    return {
      sql: `${duck}(${e.sql}${extra}${ignore})${wholePartition(c)}`,
      type: e.type,
      window: true,
    };
  };
}

/** The call's OVER clause, over the whole partition unless it names a frame of its own. */
function wholePartition(c: Call): string {
  const spec = variant(c.fn.over) === "WindowSpec" ? payload(c.fn.over) : undefined;
  return spec && !spec.window_frame
    ? c.over.replace(/\)$/, " ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)")
    : c.over;
}

/** The first day of the week of 1970-01-01 (a Thursday) under `rules`, as 'YYYY-MM-DD'. */
function weekOrigin(rules: WeekRules): string {
  const first = rules.start === 0 ? 1 : rules.start;
  const back = (4 - first + 7) % 7;
  return new Date(Date.UTC(1970, 0, 1 - back)).toISOString().slice(0, 10);
}

/**
 * Levenshtein distance in characters. DuckDB's counts bytes (é against e is 2); a string outside
 * ASCII is first written with one byte per character: each distinct character of the pair becomes
 * one ASCII character, exact for up to 127 distinct characters.
 */
function characterLevenshtein(a: string, b: string): string {
  const chars = `list_sort(list_distinct(string_split(${a} || ${b}, '')))`;
  const ascii = (s: string) =>
    `array_to_string(list_transform(string_split(${s}, ''), _ll_c -> chr(CAST(list_position(${chars}, _ll_c) AS INTEGER))), '')`;
  return `CASE WHEN regexp_matches(${a} || ${b}, '^[\\x00-\\x7F]*$') THEN levenshtein(${a}, ${b}) ELSE levenshtein(${
    ascii(a)
  }, ${ascii(b)}) END`;
}

/** LPAD and RPAD: an empty pad pads nothing (the string is still cut to the length). */
function pad(duck: "lpad" | "rpad"): Impl {
  return (c) => {
    c.arity(2, 3);
    const s = text(c, 0), n = `CAST(${c.arg(1).sql} AS INTEGER)`;
    const fill = c.argc > 2 ? text(c, 2) : "' '";
    return {
      sql:
        `CASE WHEN ${fill} = '' THEN left(${s}, greatest(${n}, 0)) ELSE ${duck}(${s}, ${n}, ${fill}) END`,
      type: T.varchar(),
    };
  };
}

/** What TYPEOF says of a value of type `t` made a VARIANT. */
function variantTypeName(t: SfType): string {
  switch (t.kind) {
    case "NUMBER":
      return t.scale === 0 ? "INTEGER" : "DECIMAL";
    case "FLOAT":
      return "DOUBLE";
    case "TIMESTAMP_NTZ":
    case "TIMESTAMP_LTZ":
    case "TIMESTAMP_TZ":
    case "DATE":
    case "TIME":
    case "BOOLEAN":
    case "VARCHAR":
      return t.kind;
    default:
      return "VARCHAR";
  }
}

/** A context function answered from the session. */
function sessionValue(value: (c: Call) => string | null): Impl {
  return (c) => {
    const v = value(c);
    return { sql: v === null ? "CAST(NULL AS VARCHAR)" : qs(v), type: T.varchar(), constant: true };
  };
}

/** A positional or named (`EXPR =>`) argument of a call, translated; undefined when absent. */
function argument(c: Call, index: number, name: string): Expr | undefined {
  const named = c.named.get(name);
  if (named) return c.t.expr(named, c.ctx);
  return index < c.argc ? c.arg(index) : undefined;
}

/** The value of a constant argument, or undefined when it is not a constant. */
function constantOf(c: Call, index: number, name: string): unknown {
  const node = c.named.get(name) ?? c.rawArgs[index];
  if (node === undefined) return undefined;
  try {
    return c.t.constantValue(node as Node, c.ctx.scope);
  } catch {
    return undefined;
  }
}

/** ROUND / TRUNCATE (expr [, scale [, rounding_mode]]), with named arguments too. */
function roundFn(duck: "round" | "trunc"): Impl {
  return (c) => {
    c.arity(c.named.size ? 0 : 1, duck === "round" ? 3 : 2);
    const e = argument(c, 0, "EXPR");
    if (!e) throw SQL_ERRORS.invalidArgument(`not enough arguments for function [${c.name}]`);
    const scaleArg = argument(c, 1, "SCALE");
    const modeArg = duck === "round" ? constantOf(c, 2, "ROUNDING_MODE") : undefined;
    const mode = modeArg === undefined ? "HALF_AWAY_FROM_ZERO" : String(modeArg).toUpperCase();
    if (mode !== "HALF_AWAY_FROM_ZERO" && mode !== "HALF_TO_EVEN") {
      throw SQL_ERRORS.invalidArgument(`invalid rounding mode '${modeArg}' for ROUND`);
    }
    const fn = duck === "trunc" ? "trunc" : mode === "HALF_TO_EVEN" ? "round_even" : "round";
    const constant = scaleArg ? constantOf(c, 1, "SCALE") : 0;
    const places = constant === null ? null : Number(constant);
    const fixed = places === null || (places !== undefined && Number.isInteger(places));
    if (e.type.kind === "NUMBER" && fixed) {
      if (places === null) return { sql: "CAST(NULL AS DECIMAL(38,0))", type: T.number(38, 0) };
      const scale = Math.max(0, Math.min(e.type.scale, places!));
      const precision = Math.min(38, e.type.precision - e.type.scale + scale + 1);
      if (places! >= e.type.scale) return { sql: e.sql, type: e.type };
      return {
        sql: `CAST(${fn}(${e.sql}, ${places}) AS DECIMAL(${precision},${scale}))`,
        type: T.number(precision, scale),
      };
    }
    const x = e.type.kind === "FLOAT" ? e.sql : `CAST(${c.t.asText(e)} AS DOUBLE)`;
    const s = scaleArg ? `CAST(${scaleArg.sql} AS INTEGER)` : "0";
    // DuckDB rounds a DECIMAL only to a constant scale; a scale per row goes through DOUBLE.
    const sql = duck === "trunc"
      ? `(trunc(${x} * pow(10, ${s})) / pow(10, ${s}))`
      : `${fn}(${x}, ${s})`;
    if (e.type.kind === "NUMBER") {
      return { sql: `CAST(${sql} AS ${duckType(e.type)})`, type: e.type };
    }
    return { sql, type: T.float };
  };
}

/** An exact decimal 10^n (n may be negative), for scaling a NUMBER without a float. */
function exactPow10(n: number): string {
  return n >= 0
    ? `CAST('1${"0".repeat(n)}' AS DECIMAL(${n + 1},0))`
    : `CAST('0.${"0".repeat(-n - 1)}1' AS DECIMAL(${-n + 1},${-n}))`;
}

/**
 * CEIL / FLOOR (expr [, scale]). A NUMBER with a constant scale stays exact: it is shifted by
 * 10^scale, rounded to an integer and shifted back. The result's scale is the scale asked for
 * (0 for a negative one) but no more than the input's, whose value a larger scale leaves as is;
 * a scale that is not constant keeps the input's type, and a FLOAT stays a FLOAT.
 */
function ceilFloor(duck: "ceil" | "floor"): Impl {
  return (c) => {
    c.arity(1, 2);
    const e = c.arg(0);
    const constant = c.argc > 1 ? constantOf(c, 1, "SCALE") : 0;
    if (constant === null) {
      const type = e.type.kind === "NUMBER" ? T.number(38, 0) : T.float;
      return { sql: `CAST(NULL AS ${duckType(type)})`, type };
    }
    const places = constant === undefined ? undefined : Number(constant);
    if (e.type.kind === "NUMBER" && places !== undefined && Number.isInteger(places)) {
      if (places >= e.type.scale) return e;
      const scale = Math.max(0, places);
      const precision = Math.min(38, e.type.precision - e.type.scale + scale + 1);
      const shifted = `${duck}(${e.sql} * ${exactPow10(places)})`;
      return {
        sql: `CAST(CAST(${shifted} AS DECIMAL(38,0)) * ${
          exactPow10(-places)
        } AS DECIMAL(${precision},${scale}))`,
        type: T.number(precision, scale),
      };
    }
    const x = e.type.kind === "FLOAT" ? e.sql : `CAST(${c.t.asText(e)} AS DOUBLE)`;
    const s = c.argc > 1 ? `CAST(${c.arg(1).sql} AS INTEGER)` : "0";
    const sql = `(${duck}(${x} * pow(10, ${s})) / pow(10, ${s}))`;
    if (e.type.kind === "NUMBER") {
      return { sql: `CAST(${sql} AS ${duckType(e.type)})`, type: e.type };
    }
    return { sql, type: T.float };
  };
}

/** The elements of ARRAY argument `i` as a DuckDB JSON[] list (NULL for a NULL array). */
function elements(c: Call, i: number): string {
  // A bare NULL has no list type for DuckDB to bind the list functions with.
  if (c.arg(i).type.kind === "NULL") return "CAST(NULL AS JSON[])";
  return `json_extract(${c.t.toVariantSql(c.arg(i))}, '$[*]')`;
}

/** `list` (of arguments 0 and 1), NULL when either argument is NULL. */
function nullIfEither(c: Call, list: string): string {
  return `CASE WHEN ${c.arg(0).sql} IS NULL OR ${c.arg(1).sql} IS NULL THEN NULL ELSE ${list} END`;
}

/**
 * ARRAY_MIN / ARRAY_MAX: the least or greatest element that is not null, as a VARIANT; numbers
 * compared as numbers when every such element is one, else elements compared as their JSON text.
 */
function arrayExtreme(c: Call, which: "min" | "max"): Expr {
  c.arity(1);
  const l = `list_filter(${elements(c, 0)}, _ll_x -> json_type(_ll_x) <> 'NULL')`;
  const numeric =
    `list_bool_and(list_transform(${l}, _ll_x -> json_type(_ll_x) IN ('BIGINT', 'UBIGINT', 'DOUBLE')))`;
  const best = `list_${which}(list_transform(${l}, _ll_x -> CAST(_ll_x AS DOUBLE)))`;
  return {
    sql:
      `CASE WHEN len(${l}) = 0 THEN NULL WHEN ${numeric} THEN (list_filter(${l}, _ll_x -> CAST(_ll_x AS DOUBLE) = ${best}))[1] ELSE list_${which}(${l}) END`,
    type: T.variant,
  };
}

/**
 * OBJECT_CONSTRUCT's (key, value) pairs, keys as SQL text; `*` stands for every column of the
 * FROM clause, by its name.
 */
function objectPairs(c: Call): [string, Expr][] {
  const given: [string, Expr][] = [];
  if (c.rawArgs[0] === "*") {
    if (c.rawArgs.length > 1) throw SQL_ERRORS.unsupported(`${c.name}(*, …)`);
    for (const [name, e] of c.t.expandStar(c.ctx.scope.relations, undefined, c.ctx.scope)) {
      given.push([qs(name), e]);
    }
  } else {
    for (let i = 0; i + 1 < c.argc; i += 2) given.push([text(c, i), c.arg(i + 1)]);
  }
  return given;
}

/** GREATEST_IGNORE_NULLS / LEAST_IGNORE_NULLS: NULL only when every argument is. */
function ignoringNulls(c: Call, fn: "greatest" | "least"): Expr {
  const args = c.args();
  const type = commonType(args.map((a) => a.type));
  // DuckDB's greatest and least skip NULLs already.
  return {
    sql: `${fn}(${args.map((a) => castTo(a.sql, a.type, type)).join(", ")})`,
    type,
    aggregate: args.some((a) => a.aggregate),
  };
}

/** 64 bits of an MD5 digest (hex digits from `from`, 16 of them) as an unsigned number. */
function md5Half(c: Call, from: number): Expr {
  c.arity(1);
  return {
    sql: `CAST(CAST('0x' || substr(md5(${text(c, 0)}), ${from}, 16) AS UBIGINT) AS DECIMAL(38,0))`,
    type: T.number(38, 0),
  };
}

/**
 * A JSON_EXTRACT_PATH_TEXT path (`a.b[0]`, `"odd key".c`) as a DuckDB JSON path (`$."a"."b"[0]`).
 */
function jsonPathOf(path: string): string {
  let out = "$";
  const re = /\s*(?:"((?:[^"]|"")*)"|([^.[\]"]+)|\[(\d+)\])\s*\.?/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < path.length && (m = re.exec(path))) {
    at = re.lastIndex;
    if (m[3] !== undefined) out += `[${m[3]}]`;
    else {
      const key = (m[1]?.replaceAll('""', '"') ?? m[2]).trim();
      out += `."${key.replaceAll('"', '\\"')}"`;
    }
  }
  if (at < path.length) throw SQL_ERRORS.invalidArgument(`Invalid path: ${path}`);
  return out;
}

/** A JSON[] list as an ARRAY. */
function array(list: string): Expr {
  return { sql: `to_json(${list})`, type: T.array };
}

/**
 * A VARIANT element as TO_VARCHAR gives it: a string unquoted, JSON null as SQL NULL, and a
 * whole number without the `.0` DuckDB's JSON keeps for one stored from a DECIMAL.
 */
function variantText(x: string): string {
  const d = `CAST(${x} AS DOUBLE)`;
  return `CASE json_type(${x}) WHEN 'VARCHAR' THEN json_extract_string(${x}, '$') WHEN 'NULL' THEN NULL
    WHEN 'DOUBLE' THEN CASE WHEN ${d} = trunc(${d}) AND abs(${d}) < 1e15 THEN CAST(CAST(${d} AS BIGINT) AS VARCHAR) ELSE CAST(${x} AS VARCHAR) END
    ELSE CAST(${x} AS VARCHAR) END`;
}

/** The key/value entries of OBJECT argument `i` (values as JSON; a JSON null as NULL). */
function objectEntries(c: Call, i: number): string {
  return `map_entries(CAST(${c.t.toVariantSql(c.arg(i))} AS MAP(VARCHAR, JSON)))`;
}

/**
 * ARRAY_SORT(array [, sort_ascending [, nulls_first]]): numbers by value, strings by text;
 * null elements last ascending and first descending unless nulls_first says otherwise. The
 * direction must be a constant (DuckDB's list_sort takes it as one).
 */
function arraySort(c: Call): Expr {
  c.arity(1, 3);
  const asc = c.argc > 1 ? constantOf(c, 1, "SORT_ASCENDING") : true;
  if (typeof asc !== "boolean") {
    throw SQL_ERRORS.invalidArgument("ARRAY_SORT needs a constant TRUE or FALSE sort_ascending.");
  }
  const nullsFirst = c.argc > 2 ? c.arg(2).sql : asc ? "FALSE" : "TRUE";
  const l = elements(c, 0);
  const numeric = `json_type(_ll_x) IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'HUGEINT')`;
  const keyed =
    `list_transform(list_filter(${l}, _ll_x -> json_type(_ll_x) <> 'NULL'), _ll_x -> struct_pack(
    t := CASE WHEN ${numeric} THEN 0 WHEN json_type(_ll_x) = 'VARCHAR' THEN 1 ELSE 2 END,
    n := CASE WHEN ${numeric} THEN CAST(_ll_x AS DOUBLE) END, s := CAST(_ll_x AS VARCHAR),
    v := _ll_x))`;
  const sorted = `list_transform(list_sort(${keyed}, '${asc ? "ASC" : "DESC"}'), _ll_p -> _ll_p.v)`;
  const nulls = `list_filter(${l}, _ll_x -> json_type(_ll_x) = 'NULL')`;
  return array(
    `CASE WHEN ${l} IS NULL THEN NULL WHEN ${nullsFirst} THEN list_concat(${nulls}, ${sorted}) ELSE list_concat(${sorted}, ${nulls}) END`,
  );
}

/** Constant `regex_parameters` argument `i` of a call, read (absent: the default, `c`). */
function regexArgParams(c: Call, i: number): RegexParams {
  if (c.argc <= i) return regexParams(c.name, undefined);
  const v = constantOf(c, i, "REGEX_PARAMETERS");
  if (v === null) return regexParams(c.name, undefined);
  if (typeof v !== "string") {
    throw SQL_ERRORS.unsupported(
      `${c.name} with regular expression parameters that are not a constant`,
    );
  }
  return regexParams(c.name, v);
}

/** Optional integer argument `i` as DuckDB SQL (a BIGINT), or undefined when absent. */
function intArg(c: Call, i: number): string | undefined {
  return c.argc > i ? `CAST(${c.arg(i).sql} AS BIGINT)` : undefined;
}

/** The group REGEXP_SUBSTR[_ALL] extracts: group_num, else 1 with `e`, else the whole match. */
function regexGroup(c: Call, params: RegexParams, i: number): number {
  if (c.argc <= i) return params.extract ? 1 : 0;
  const v = constantOf(c, i, "GROUP_NUM");
  const n = Number(v);
  if (v === null || v === undefined || !Number.isInteger(n) || n < 0) {
    throw SQL_ERRORS.unsupported(`${c.name} with a group_num that is not a constant integer`);
  }
  return n;
}

/**
 * REGEXP_INSTR(subject, pattern [, position [, occurrence [, option [, regex_parameters]]]]):
 * the 1-based position of the occurrence-th match at or after `position` (option 1: the
 * position after it), 0 when there is none.
 */
function regexpInstr(c: Call): Expr {
  c.arity(2, 7);
  const params = regexArgParams(c, 5);
  if (params.extract || c.argc > 6) {
    throw SQL_ERRORS.unsupported(`${c.name} of a group (the 'e' parameter or group_num)`);
  }
  const pos = intArg(c, 2) ?? "1";
  const k = intArg(c, 3) ?? "1";
  const option = intArg(c, 4) ?? "0";
  const s = `substr(${text(c, 0)}, ${pos})`, pat = flagged(text(c, 1), params);
  const matches = `regexp_extract_all(${s}, ${pat})`;
  const start = `${pos} - 1 + ${nthMatchStart(s, pat, k)}`;
  return {
    sql:
      `CAST(CASE WHEN len(${matches}) < ${k} THEN 0 WHEN ${option} = 1 THEN ${start} + length(${matches}[${k}]) ELSE ${start} END AS DECIMAL(18,0))`,
    type: n18,
  };
}

/**
 * REGEXP_SUBSTR(subject, pattern [, position [, occurrence [, regex_parameters [, group_num]]]])
 * and REGEXP_SUBSTR_ALL (the matches from the occurrence-th on, as an ARRAY).
 */
function regexpSubstr(all: boolean): Impl {
  return (c) => {
    c.arity(2, 6);
    const params = regexArgParams(c, 4);
    const group = regexGroup(c, params, 5);
    const s = fromPosition(text(c, 0), intArg(c, 2));
    const matches = `regexp_extract_all(${s}, ${flagged(text(c, 1), params)}, ${group})`;
    const k = intArg(c, 3) ?? "1";
    if (all) return array(`list_slice(${matches}, ${k}, len(${matches}))`);
    return { sql: `${matches}[${k}]`, type: T.varchar() };
  };
}

/** ISO day numbers (Monday 1) of day names, read from their first two letters as the docs do. */
const WEEKDAY_SQL = (dow: string) =>
  `CASE left(lower(trim(${dow})), 2) WHEN 'mo' THEN 1 WHEN 'tu' THEN 2 WHEN 'we' THEN 3
    WHEN 'th' THEN 4 WHEN 'fr' THEN 5 WHEN 'sa' THEN 6 WHEN 'su' THEN 7
    ELSE error('invalid value [' || ${dow} || '] for parameter day of week') END`;

/** NEXT_DAY / PREVIOUS_DAY: the nearest date strictly after (before) the date on that weekday. */
function weekdayStep(c: Call, way: "next" | "previous"): Expr {
  c.arity(2);
  const session = sessionOf(c);
  const d = dateOf(temporal(c.arg(0), session), session);
  const target = WEEKDAY_SQL(text(c, 1));
  const days = way === "next"
    ? `((${target}) - isodow(${d}) + 6) % 7 + 1`
    : `-((isodow(${d}) - (${target}) + 6) % 7 + 1)`;
  return { sql: `CAST(${d} + to_days(CAST(${days} AS INTEGER)) AS DATE)`, type: T.date };
}

/** A trigonometric function of a FLOAT. */
function trig(duck: string): Impl {
  return (c) => {
    c.arity(1);
    return { sql: `${duck}(CAST(${c.arg(0).sql} AS DOUBLE))`, type: T.float };
  };
}

/** BITAND / BITOR / BITXOR of two integers (two's complement, as NUMBER(38,0)). */
function bitwise(op: (a: string, b: string) => string): Impl {
  return (c) => {
    c.arity(2);
    const [a, b] = [0, 1].map((i) => `CAST(${c.arg(i).sql} AS HUGEINT)`);
    return { sql: `CAST(${op(a, b)} AS DECIMAL(38,0))`, type: n38 };
  };
}

function concatText(c: Call): Expr {
  const parts = c.args().map((a) => asText(c, a));
  // CONCAT is NULL when any argument is NULL (DuckDB's concat skips NULLs).
  return { sql: nullIfAnyNull(c.args(), `(${parts.join(" || ")})`), type: T.varchar() };
}

/** TO_DATE / DATE / TRY_TO_DATE: text with a format or AUTO, timestamps, epoch strings. */
function toDate(c: Call, tryIt: boolean): Expr {
  c.arity(1, 2);
  const fmt = c.argc === 2 ? formatArg(c, 1) : undefined;
  if (fmt !== undefined) {
    return { sql: `CAST(${parseWithFormat(c, fmt, tryIt, false).sql} AS DATE)`, type: T.date };
  }
  return convert(c.arg(0), T.date, sessionOf(c), tryIt);
}

/** TO_TIME / TIME / TRY_TO_TIME. */
function toTime(c: Call, tryIt: boolean): Expr {
  c.arity(1, 2);
  const fmt = c.argc === 2 ? formatArg(c, 1) : undefined;
  if (fmt !== undefined) {
    return { sql: `CAST(${parseWithFormat(c, fmt, tryIt, false).sql} AS TIME)`, type: T.time };
  }
  return convert(c.arg(0), T.time, sessionOf(c), tryIt);
}

/**
 * CONVERT_TIMEZONE(target, ts): the instant of `ts` (an NTZ, a DATE or text without an offset
 * read in the session's zone) as a TIMESTAMP_TZ shown at the target zone's offset.
 * CONVERT_TIMEZONE(source, target, ntz): the wall clock `ntz` in the source zone, as the wall
 * clock in the target zone (a TIMESTAMP_NTZ).
 */
function convertTimezone(c: Call): Expr {
  c.arity(2, 3);
  const session = sessionOf(c);
  if (c.argc === 2) {
    const target = c.arg(0);
    const ts = convert(c.arg(1), T.tz, session);
    const zone = constantText(target);
    // A zone that varies by row cannot ride on the type: its values show UTC offsets.
    return { sql: ts.sql, type: zone === undefined ? T.tz : withZone(T.tz, zone) };
  }
  const src = c.arg(0), dst = c.arg(1);
  const ntz = convert(c.arg(2), T.ntz, session).sql;
  const srcZone = constantText(src), dstZone = constantText(dst);
  const instant = srcZone === undefined
    ? `timezone(${c.t.asText(src)}, ${ntz})`
    : instantOf(ntz, srcZone);
  const sql = dstZone === undefined
    ? `timezone(${c.t.asText(dst)}, ${instant})`
    : wallOf(instant, dstZone);
  return { sql, type: T.ntz };
}

/**
 * INITCAP's default word separators (the docs' list): whitespace and
 * `! ? @ " ^ # $ & ~ _ , . : ; + - * % / | \\ [ ] ( ) { } < >`.
 */
const INITCAP_DELIMITERS = `(${
  [" ", "\t", "\n", "\r", "\v", "\f"].map((ch) => `chr(${ch.charCodeAt(0)})`).join(" || ")
} || ${qs('!?@"^#$&~_,.:;+-*%/|\\[](){}<>')})`;

/**
 * INITCAP on DuckDB: each character upper-cased where it starts the text or follows one of
 * `delimiters`, lower-cased elsewhere. Character by character, because RE2 (DuckDB's regular
 * expressions) has no look-behind to split before and after a separator.
 */
function initcapSql(s: string, delimiters: string): string {
  const chars = `string_split(${s}, '')`;
  return `CASE WHEN ${s} IS NULL OR ${delimiters} IS NULL THEN NULL ELSE array_to_string(list_transform(${chars}, (_ll_c, _ll_i) -> CASE WHEN _ll_i = 1 OR contains(${delimiters}, ${chars}[_ll_i - 1]) THEN upper(_ll_c) ELSE lower(_ll_c) END), '') END`;
}

/** Snowflake's type name of a JSON value (TYPEOF of a VARIANT). */
function variantKind(json: string): string {
  // JSON keeps one kind of non-integer number: it is a DECIMAL, as PARSE_JSON('1.5') is in
  // Snowflake (a FLOAT made VARIANT, DOUBLE there, reads as DECIMAL here); an integer past
  // 64 bits, which DuckDB types DOUBLE, is still an INTEGER.
  return `CASE json_type(${json}) WHEN 'VARCHAR' THEN 'VARCHAR' WHEN 'BIGINT' THEN 'INTEGER' WHEN 'UBIGINT' THEN 'INTEGER' WHEN 'HUGEINT' THEN 'INTEGER' WHEN 'DOUBLE' THEN CASE WHEN regexp_matches(trim(CAST(${json} AS VARCHAR)), '^-?[0-9]+$') THEN 'INTEGER' ELSE 'DECIMAL' END WHEN 'BOOLEAN' THEN 'BOOLEAN' WHEN 'ARRAY' THEN 'ARRAY' WHEN 'OBJECT' THEN 'OBJECT' WHEN 'NULL' THEN 'NULL_VALUE' END`;
}

/** IS_<type>(variant): whether the value's type is one of `kinds` (NULL for a NULL). */
function isKind(...kinds: string[]): Impl {
  return (c) => {
    c.arity(1);
    const kind = variantKind(c.t.toVariantSql(c.arg(0)));
    return { sql: `(${kind} IN (${kinds.map(qs).join(", ")}))`, type: T.boolean };
  };
}

/** AS_<type>(variant): the value when its type is one of `kinds`, else NULL. */
function asKind(kinds: string[], typeOf: (c: Call) => SfType): Impl {
  return (c) => {
    if (c.argc < 1) c.arity(1);
    const j = c.t.toVariantSql(c.arg(0));
    const type = typeOf(c);
    const value = type.kind === "ARRAY" || type.kind === "OBJECT"
      ? j
      : type.kind === "VARCHAR"
      ? `json_extract_string(${j}, '$')`
      : `CAST(json_extract_string(${j}, '$') AS ${duckType(type)})`;
    return {
      sql: `CASE WHEN ${variantKind(j)} IN (${kinds.map(qs).join(", ")}) THEN ${value} END`,
      type,
    };
  };
}

/** AS_NUMBER(variant [, precision [, scale]]): NUMBER(38, 0) unless the call says otherwise. */
function numberTypeArgs(c: Call): SfType {
  c.arity(1, 3);
  const p = c.argc > 1 ? Number(constantOf(c, 1, "PRECISION")) : 38;
  const s = c.argc > 2 ? Number(constantOf(c, 2, "SCALE")) : 0;
  if (!Number.isInteger(p) || !Number.isInteger(s)) {
    throw SQL_ERRORS.invalidArgument(`${c.name} needs a constant precision and scale.`);
  }
  return T.number(p, s);
}

/** BITAND_AGG / BITOR_AGG / BITXOR_AGG of integers. */
function bitAgg(duck: string): Impl {
  return (c) => {
    c.arity(1);
    return {
      sql: `CAST(${c.agg(duck, `CAST(${c.arg(0).sql} AS BIGINT)`)} AS DECIMAL(38,0))`,
      type: n38,
      aggregate: !c.over,
    };
  };
}

/** REGR_SLOPE(y, x) and the other linear-regression aggregates, as FLOATs. */
function regr(duck: string): Impl {
  return (c) => {
    c.arity(2);
    return {
      sql: c.agg(duck, `CAST(${c.arg(0).sql} AS DOUBLE), CAST(${c.arg(1).sql} AS DOUBLE)`),
      type: T.float,
      aggregate: !c.over,
    };
  };
}

/**
 * American Soundex: the first letter, then the codes of the others (B F P V 1, C G J K Q S X Z
 * 2, D T 3, L 4, M N 5, R 6), adjacent equal codes once (H and W do not separate them, vowels
 * do), vowels dropped, padded with zeros to four characters.
 */
function soundexSql(s: string): string {
  const letters = `upper(regexp_replace(${s}, '[^A-Za-z]', '', 'g'))`;
  const code = (ch: string) =>
    `CASE WHEN ${ch} IN ('B','F','P','V') THEN '1' WHEN ${ch} IN ('C','G','J','K','Q','S','X','Z') THEN '2' WHEN ${ch} IN ('D','T') THEN '3' WHEN ${ch} = 'L' THEN '4' WHEN ${ch} IN ('M','N') THEN '5' WHEN ${ch} = 'R' THEN '6' WHEN ${ch} IN ('H','W') THEN 'h' ELSE '0' END`;
  // The first letter's code, then the others' without H and W.
  const codes = `list_concat([${
    code(`left(${letters}, 1)`)
  }], list_filter(list_transform(string_split(substr(${letters}, 2), ''), _ll_c -> ${
    code("_ll_c")
  }), _ll_c -> _ll_c <> 'h'))`;
  const kept =
    `list_filter(${codes}, (_ll_c, _ll_i) -> _ll_i > 1 AND _ll_c <> ${codes}[_ll_i - 1] AND _ll_c <> '0')`;
  return `CASE WHEN ${s} IS NULL THEN NULL WHEN ${letters} = '' THEN '' ELSE left(${letters}, 1) || left(array_to_string(${kept}, '') || '000', 3) END`;
}

const FUNCTIONS: Record<string, Impl> = {
  // ---------------------------------------------------------------- aggregates
  COUNT: (c) => {
    const star = c.rawArgs[0] === "*" || c.argc === 0;
    if (star) {
      return {
        sql: `CAST(${c.agg("count", "*", { distinct: false })} AS DECIMAL(18,0))`,
        type: n18,
        aggregate: !c.over,
        window: !!c.over,
      };
    }
    const args = c.args();
    // COUNT(a, b) counts rows where every argument is non-NULL.
    const x = args.length === 1
      ? args[0].sql
      : `CASE WHEN ${args.map((a) => `${a.sql} IS NOT NULL`).join(" AND ")} THEN ${
        c.distinct ? `row(${args.map((a) => a.sql).join(", ")})` : "1"
      } END`;
    return {
      sql: `CAST(${c.agg("count", x)} AS DECIMAL(18,0))`,
      type: n18,
      aggregate: !c.over,
      window: !!c.over,
    };
  },
  COUNT_IF: (c) => {
    c.arity(1);
    return {
      sql: `CAST(${c.agg("count_if", c.arg(0).sql, { distinct: false })} AS DECIMAL(18,0))`,
      type: n18,
      aggregate: !c.over,
      window: !!c.over,
    };
  },
  SUM: sum,
  AVG: avg,
  MIN: minMax("min"),
  MAX: minMax("max"),
  ANY_VALUE: (c) => ({
    sql: c.agg("any_value", c.arg(0).sql),
    type: c.arg(0).type,
    aggregate: !c.over,
    window: !!c.over,
  }),
  MEDIAN: (c) => {
    c.arity(1);
    return quantile(c, c.arg(0), "median", []);
  },
  MODE: (c) => ({
    sql: c.agg("mode", c.arg(0).sql),
    type: c.arg(0).type,
    aggregate: !c.over,
    window: !!c.over,
  }),
  STDDEV: statistic("stddev_samp"),
  STDDEV_SAMP: statistic("stddev_samp"),
  STDDEV_POP: statistic("stddev_pop"),
  VARIANCE: statistic("var_samp"),
  VAR_SAMP: statistic("var_samp"),
  VARIANCE_SAMP: statistic("var_samp"),
  VAR_POP: statistic("var_pop"),
  VARIANCE_POP: statistic("var_pop"),
  KURTOSIS: statistic("kurtosis"),
  SKEW: statistic("skewness"),
  APPROX_COUNT_DISTINCT: (c) => ({
    sql: `CAST(${c.agg("count", c.arg(0).sql, { distinct: true })} AS DECIMAL(18,0))`,
    type: n18,
    aggregate: !c.over,
  }),
  HLL: (c) => ({
    sql: `CAST(${c.agg("count", c.arg(0).sql, { distinct: true })} AS DECIMAL(18,0))`,
    type: n18,
    aggregate: !c.over,
  }),
  BOOLAND_AGG: (c) => ({
    sql: c.agg("bool_and", `CAST(${c.arg(0).sql} AS BOOLEAN)`),
    type: T.boolean,
    aggregate: !c.over,
  }),
  BOOLOR_AGG: (c) => ({
    sql: c.agg("bool_or", `CAST(${c.arg(0).sql} AS BOOLEAN)`),
    type: T.boolean,
    aggregate: !c.over,
  }),
  LISTAGG: (c) => {
    c.arity(1, 2);
    const sep = c.argc > 1 ? c.t.asText(c.arg(1)) : "''";
    const ob = c.withinGroup();
    const sql = `${c.agg("string_agg", `${text(c, 0)}, ${sep}`, { orderBy: ob })}`;
    // Snowflake's LISTAGG of no rows is the empty string.
    return {
      sql: c.over ? sql : `COALESCE(${sql}, '')`,
      type: T.varchar(),
      aggregate: !c.over,
      window: !!c.over,
    };
  },
  ARRAY_AGG: (c) => {
    const ob = c.withinGroup();
    const e = c.arg(0);
    // NULLs are left out, with the call's own FILTER; as a window, over its frame.
    const keep = [`${e.sql} IS NOT NULL`, ...(c.filterCondition ? [`(${c.filterCondition})`] : [])];
    // DuckDB orders a DISTINCT list only by its own argument: ARRAY_AGG(DISTINCT x) WITHIN
    // GROUP (ORDER BY x) lists the values first, and makes them VARIANTs after.
    const list = c.distinct && ob
      ? `list_transform(list(DISTINCT ${e.sql} ORDER BY ${ob}) FILTER (WHERE ${
        keep.join(" AND ")
      })${c.over}, _ll_x -> ${c.t.toVariantSql({ sql: "_ll_x", type: e.type })})`
      : `list(${c.distinct ? "DISTINCT " : ""}${c.t.toVariantSql(e)}${
        ob ? ` ORDER BY ${ob}` : ""
      }) FILTER (WHERE ${keep.join(" AND ")})${c.over}`;
    return {
      sql: `COALESCE(to_json(${list}), CAST('[]' AS JSON))`,
      type: T.array,
      aggregate: !c.over,
      window: !!c.over,
    };
  },
  OBJECT_AGG: (c) => {
    c.arity(2);
    const k = text(c, 0), v = c.arg(1);
    // Pairs with a NULL key or value are ignored; the rest must have distinct keys.
    const pairs = `list_filter(${
      c.agg("list", `struct_pack(k := ${k}, v := ${c.t.toVariantSql(v)})`)
    }, _ll_p -> _ll_p.k IS NOT NULL AND _ll_p.v IS NOT NULL)`;
    return { sql: `_ll_object_agg(${pairs})`, type: T.object, aggregate: !c.over };
  },
  MAX_BY: (c) => ({
    sql: c.agg("arg_max", `${c.arg(0).sql}, ${c.arg(1).sql}`),
    type: c.arg(0).type,
    aggregate: !c.over,
  }),
  MIN_BY: (c) => ({
    sql: c.agg("arg_min", `${c.arg(0).sql}, ${c.arg(1).sql}`),
    type: c.arg(0).type,
    aggregate: !c.over,
  }),
  PERCENTILE_CONT: (c) => {
    c.arity(1);
    if (!c.withinGroupNodes?.length) {
      throw SQL_ERRORS.invalidArgument("PERCENTILE_CONT needs WITHIN GROUP (ORDER BY …).");
    }
    const node = c.withinGroupNodes[0];
    const e = c.t.expr(node.expr, c.ctx);
    // Descending order reads the percentile from the other end.
    const p = node.options?.asc === false
      ? `1 - CAST(${c.arg(0).sql} AS DOUBLE)`
      : `CAST(${c.arg(0).sql} AS DOUBLE)`;
    return quantile(c, e, "quantile_cont", [p]);
  },
  PERCENTILE_DISC: (c) => {
    const ob = c.withinGroup();
    if (!ob) throw SQL_ERRORS.invalidArgument("PERCENTILE_DISC needs WITHIN GROUP (ORDER BY …).");
    const e = c.t.expr(c.withinGroupNodes![0].expr, c.ctx);
    return {
      sql: `quantile_disc(${e.sql}, CAST(${c.arg(0).sql} AS DOUBLE))${c.filter}${c.over}`,
      type: e.type,
      aggregate: !c.over,
    };
  },
  APPROX_PERCENTILE: (c) => ({
    sql: c.agg("quantile_cont", `CAST(${c.arg(0).sql} AS DOUBLE), CAST(${c.arg(1).sql} AS DOUBLE)`),
    type: T.float,
    aggregate: !c.over,
  }),
  BOOLXOR_AGG: (c) => {
    // TRUE when exactly one non-NULL value is TRUE; NULL without any.
    c.arity(1);
    const x = `CAST(${c.arg(0).sql} AS BOOLEAN)`;
    return {
      sql: `CASE WHEN ${c.agg("count", x)} = 0 THEN NULL ELSE ${
        c.agg("count_if", x, { distinct: false })
      } = 1 END`,
      type: T.boolean,
      aggregate: !c.over,
    };
  },
  HASH_AGG: (c) => {
    // Order-independent, as Snowflake's (whose hash values are its own: these are DuckDB's).
    if (c.distinct) throw SQL_ERRORS.unsupported("HASH_AGG(DISTINCT …)");
    // HASH_AGG(*): every column of the FROM clause.
    const args = c.rawArgs[0] === "*" && c.rawArgs.length === 1
      ? c.t.expandStar(c.ctx.scope.relations, undefined, c.ctx.scope).map(([, e]) => e.sql)
      : c.args().map((a) => a.sql);
    if (!args.length) throw SQL_ERRORS.invalidArgument("HASH_AGG needs an argument.");
    return {
      // Into a signed 64-bit range, as HASH does.
      sql: `CAST(${
        c.agg("bit_xor", `hash(${args.join(", ")})`)
      } AS DECIMAL(38,0)) - 9223372036854775808`,
      type: T.number(19, 0),
    };
  },
  BITAND_AGG: bitAgg("bit_and"),
  BITOR_AGG: bitAgg("bit_or"),
  BITXOR_AGG: bitAgg("bit_xor"),
  REGR_SLOPE: regr("regr_slope"),
  REGR_INTERCEPT: regr("regr_intercept"),
  REGR_R2: regr("regr_r2"),
  REGR_AVGX: regr("regr_avgx"),
  REGR_AVGY: regr("regr_avgy"),
  REGR_COUNT: (c) => {
    c.arity(2);
    return {
      sql: `CAST(${
        c.agg("regr_count", `CAST(${c.arg(0).sql} AS DOUBLE), CAST(${c.arg(1).sql} AS DOUBLE)`)
      } AS DECIMAL(18,0))`,
      type: n18,
      aggregate: !c.over,
    };
  },
  CORR: (c) => ({
    sql: c.agg("corr", `CAST(${c.arg(0).sql} AS DOUBLE), CAST(${c.arg(1).sql} AS DOUBLE)`),
    type: T.float,
    aggregate: !c.over,
  }),
  COVAR_POP: (c) => ({
    sql: c.agg("covar_pop", `CAST(${c.arg(0).sql} AS DOUBLE), CAST(${c.arg(1).sql} AS DOUBLE)`),
    type: T.float,
    aggregate: !c.over,
  }),
  COVAR_SAMP: (c) => ({
    sql: c.agg("covar_samp", `CAST(${c.arg(0).sql} AS DOUBLE), CAST(${c.arg(1).sql} AS DOUBLE)`),
    type: T.float,
    aggregate: !c.over,
  }),

  // ---------------------------------------------------------------- window
  ROW_NUMBER: windowOnly("row_number", n18),
  RANK: windowOnly("rank", n18),
  DENSE_RANK: windowOnly("dense_rank", n18),
  PERCENT_RANK: windowOnly("percent_rank", T.float),
  CUME_DIST: windowOnly("cume_dist", T.float),
  NTILE: (c) => {
    if (!c.over) throw SQL_ERRORS.invalidArgument("NTILE needs an OVER clause.");
    return { sql: `ntile(CAST(${c.arg(0).sql} AS BIGINT))${c.over}`, type: n18, window: true };
  },
  LAG: lagLead("lag"),
  LEAD: lagLead("lead"),
  FIRST_VALUE: firstLast("first_value"),
  LAST_VALUE: firstLast("last_value"),
  NTH_VALUE: firstLast("nth_value"),
  RATIO_TO_REPORT: (c) => {
    if (!c.over) throw SQL_ERRORS.invalidArgument("RATIO_TO_REPORT needs an OVER clause.");
    const e = c.arg(0);
    // NULL where the partition's sum is 0. A NUMBER(p, s) divides as Snowflake's `/` does
    // (scale max(s, min(s + 6, 12))); a FLOAT stays a FLOAT. The sum is the whole partition's:
    // an ORDER BY in OVER does not make it a running sum.
    const over = wholePartition(c);
    const total = `NULLIF(sum(${e.sql})${over}, 0)`;
    if (e.type.kind === "NUMBER") {
      const q = divide(e, { sql: total, type: T.number(38, e.type.scale) });
      return { sql: q.sql, type: q.type, window: true };
    }
    const x = e.type.kind === "FLOAT" ? e.sql : `CAST(${c.t.asText(e)} AS DOUBLE)`;
    return { sql: `(${x} / NULLIF(sum(${x})${over}, 0))`, type: T.float, window: true };
  },

  // ---------------------------------------------------------------- conditional
  IFF: (c) => {
    c.arity(3);
    const [cond, a, b] = [c.arg(0), c.arg(1), c.arg(2)];
    const type = commonType([a.type, b.type]);
    return {
      sql: `CASE WHEN ${
        cond.type.kind === "BOOLEAN" ? cond.sql : `CAST(${cond.sql} AS BOOLEAN)`
      } THEN ${castTo(a.sql, a.type, type)} ELSE ${castTo(b.sql, b.type, type)} END`,
      type,
      aggregate: cond.aggregate || a.aggregate || b.aggregate,
    };
  },
  COALESCE: (c) => {
    const args = c.args();
    const type = commonType(args.map((a) => a.type));
    return {
      sql: `COALESCE(${args.map((a) => castTo(a.sql, a.type, type)).join(", ")})`,
      type,
      aggregate: args.some((a) => a.aggregate),
    };
  },
  IFNULL: (c) => FUNCTIONS.COALESCE(c),
  NVL: (c) => FUNCTIONS.COALESCE(c),
  NVL2: (c) => {
    c.arity(3);
    const type = commonType([c.arg(1).type, c.arg(2).type]);
    return {
      sql: `CASE WHEN ${c.arg(0).sql} IS NOT NULL THEN ${
        castTo(c.arg(1).sql, c.arg(1).type, type)
      } ELSE ${castTo(c.arg(2).sql, c.arg(2).type, type)} END`,
      type,
    };
  },
  NULLIF: (c) => {
    c.arity(2);
    return once(c.arg(0), (a) => {
      const [x, y] = comparable(a, c.arg(1));
      return {
        sql: `CASE WHEN ${x} = ${y} THEN NULL ELSE ${a.sql} END`,
        type: a.type,
        aggregate: a.aggregate,
      };
    });
  },
  ZEROIFNULL: (c) => ({
    sql: `COALESCE(${c.arg(0).sql}, 0)`,
    type: c.arg(0).type,
    aggregate: c.arg(0).aggregate,
  }),
  NULLIFZERO: (c) => ({
    sql: `NULLIF(${c.arg(0).sql}, 0)`,
    type: c.arg(0).type,
    aggregate: c.arg(0).aggregate,
  }),
  EQUAL_NULL: (c) => {
    const [x, y] = comparable(c.arg(0), c.arg(1));
    return { sql: `(${x} IS NOT DISTINCT FROM ${y})`, type: T.boolean };
  },
  DECODE: (c) => {
    if (c.argc < 3) throw SQL_ERRORS.invalidArgument("DECODE needs at least 3 arguments.");
    const e = c.arg(0);
    const pairs: [Expr, Expr][] = [];
    let i = 1;
    for (; i + 1 < c.argc; i += 2) pairs.push([c.arg(i), c.arg(i + 1)]);
    const dflt = i < c.argc ? c.arg(i) : undefined;
    const type = commonType([...pairs.map((p) => p[1].type), ...(dflt ? [dflt.type] : [])]);
    return once(e, (value) => {
      let sql = "CASE";
      for (const [k, v] of pairs) {
        const [x, y] = comparable(value, k);
        sql += ` WHEN ${x} IS NOT DISTINCT FROM ${y} THEN ${castTo(v.sql, v.type, type)}`;
      }
      if (dflt) sql += ` ELSE ${castTo(dflt.sql, dflt.type, type)}`;
      return { sql: sql + " END", type };
    });
  },
  GREATEST: (c) => {
    const args = c.args();
    const type = commonType(args.map((a) => a.type));
    return {
      sql: nullIfAnyNull(
        args,
        `greatest(${args.map((a) => castTo(a.sql, a.type, type)).join(", ")})`,
      ),
      type,
      aggregate: args.some((a) => a.aggregate),
    };
  },
  LEAST: (c) => {
    const args = c.args();
    const type = commonType(args.map((a) => a.type));
    return {
      sql: nullIfAnyNull(args, `least(${args.map((a) => castTo(a.sql, a.type, type)).join(", ")})`),
      type,
      aggregate: args.some((a) => a.aggregate),
    };
  },
  GREATEST_IGNORE_NULLS: (c) => ignoringNulls(c, "greatest"),
  LEAST_IGNORE_NULLS: (c) => ignoringNulls(c, "least"),
  TRY_BASE64_DECODE_STRING: (c) => {
    c.arity(1);
    // NULL for text that is not base64, or whose bytes are not UTF-8.
    const bytes = `TRY(from_base64(${text(c, 0)}))`;
    return { sql: `TRY(decode(${bytes}))`, type: T.varchar() };
  },
  MD5_NUMBER_LOWER64: (c) => md5Half(c, 17),
  MD5_NUMBER_UPPER64: (c) => md5Half(c, 1),
  JSON_EXTRACT_PATH_TEXT: (c) => {
    c.arity(2);
    // The value at a path (`a.b[0]`, `"odd key".c`) of JSON text, as text; NULL when absent.
    const path = constantText(c.arg(1));
    if (path === undefined) {
      throw SQL_ERRORS.unsupported("JSON_EXTRACT_PATH_TEXT with a non-constant path");
    }
    const json = `TRY(json(${text(c, 0)}))`;
    return { sql: `json_extract_string(${json}, ${qs(jsonPathOf(path))})`, type: T.varchar() };
  },
  CURRENT_IP_ADDRESS: sessionValue(() => "127.0.0.1"),
  DIV0: (c) => {
    c.arity(2);
    return once(c.arg(1), (divisor) => {
      const q = divide(c.arg(0), divisor);
      return {
        sql: `CASE WHEN ${divisor.sql} = 0 THEN CAST(0 AS ${
          q.type.kind === "FLOAT" ? "DOUBLE" : `DECIMAL(38,${(q.type as { scale: number }).scale})`
        }) ELSE ${q.sql} END`,
        type: q.type,
        aggregate: c.arg(0).aggregate || divisor.aggregate,
      };
    });
  },
  DIV0NULL: (c) => {
    c.arity(2);
    const q = divide(c.arg(0), c.arg(1));
    return {
      sql: `CASE WHEN ${c.arg(1).sql} = 0 OR ${c.arg(1).sql} IS NULL THEN CAST(0 AS ${
        q.type.kind === "FLOAT" ? "DOUBLE" : `DECIMAL(38,${(q.type as { scale: number }).scale})`
      }) ELSE ${q.sql} END`,
      type: q.type,
    };
  },

  // ---------------------------------------------------------------- numeric
  ABS: (c) => ({ sql: `abs(${c.arg(0).sql})`, type: c.arg(0).type, aggregate: c.arg(0).aggregate }),
  SIGN: (c) => ({ sql: `CAST(sign(${c.arg(0).sql}) AS DECIMAL(1,0))`, type: T.number(1, 0) }),
  ROUND: roundFn("round"),
  TRUNC: (c) => {
    const e = c.arg(0);
    if (e.type.kind === "DATE" || isTimestamp(e.type)) return truncate(c.part(1), e, sessionOf(c));
    return roundFn("trunc")(c);
  },
  TRUNCATE: (c) => FUNCTIONS.TRUNC(c),
  CEIL: ceilFloor("ceil"),
  FLOOR: ceilFloor("floor"),
  MOD: (c) => {
    c.arity(2);
    const t = arithmeticType("%", c.arg(0).type, c.arg(1).type);
    return { sql: `_ll_mod(${c.arg(0).sql}, ${c.arg(1).sql})`, type: t };
  },
  POWER: (c) => ({
    sql: `pow(CAST(${c.arg(0).sql} AS DOUBLE), CAST(${c.arg(1).sql} AS DOUBLE))`,
    type: T.float,
  }),
  POW: (c) => FUNCTIONS.POWER(c),
  SQRT: (c) => ({ sql: `sqrt(CAST(${c.arg(0).sql} AS DOUBLE))`, type: T.float }),
  CBRT: (c) => ({ sql: `_ll_cbrt(CAST(${c.arg(0).sql} AS DOUBLE))`, type: T.float }),
  SQUARE: (c) => ({ sql: `pow(CAST(${c.arg(0).sql} AS DOUBLE), 2)`, type: T.float }),
  FACTORIAL: (c) => {
    c.arity(1);
    const n = `CAST(${c.arg(0).sql} AS INTEGER)`;
    // Snowflake computes 0 to 33! (the largest that fits NUMBER(38,0)).
    return {
      sql: `CAST(CASE WHEN ${n} BETWEEN 0 AND 33 THEN factorial(${n}) ELSE error(${
        qs("FACTORIAL takes a whole number from 0 to 33")
      }) END AS DECIMAL(38,0))`,
      type: T.number(38, 0),
    };
  },
  // Numbers are true when not zero; NULL follows SQL's AND, OR and NOT (BOOLAND(NULL, 0) is
  // FALSE, BOOLAND(NULL, 3) is NULL), and BOOLXOR of a NULL is NULL.
  BOOLAND: (c) => {
    c.arity(2);
    return { sql: `(${truth(c.arg(0))} AND ${truth(c.arg(1))})`, type: T.boolean };
  },
  BOOLOR: (c) => {
    c.arity(2);
    return { sql: `(${truth(c.arg(0))} OR ${truth(c.arg(1))})`, type: T.boolean };
  },
  BOOLXOR: (c) => {
    c.arity(2);
    return { sql: `(${truth(c.arg(0))} <> ${truth(c.arg(1))})`, type: T.boolean };
  },
  BOOLNOT: (c) => {
    c.arity(1);
    return { sql: `(NOT ${truth(c.arg(0))})`, type: T.boolean };
  },
  EXP: (c) => ({ sql: `exp(CAST(${c.arg(0).sql} AS DOUBLE))`, type: T.float }),
  LN: (c) => ({ sql: `ln(CAST(${c.arg(0).sql} AS DOUBLE))`, type: T.float }),
  LOG: (c) => {
    c.arity(2);
    return {
      sql: `(ln(CAST(${c.arg(1).sql} AS DOUBLE)) / ln(CAST(${c.arg(0).sql} AS DOUBLE)))`,
      type: T.float,
    };
  },
  PI: () => ({ sql: "pi()", type: T.float, constant: true }),
  RANDOM: randomFn,
  UNIFORM: (c) => {
    // UNIFORM is a function of gen: RANDOM() makes it random, a constant makes it constant.
    c.arity(3);
    const lo = c.arg(0), hi = c.arg(1);
    const u = uniformOf(c.arg(2).sql);
    if (lo.type.kind === "FLOAT" || hi.type.kind === "FLOAT") {
      return {
        sql:
          `(CAST(${lo.sql} AS DOUBLE) + ${u} * (CAST(${hi.sql} AS DOUBLE) - CAST(${lo.sql} AS DOUBLE)))`,
        type: T.float,
      };
    }
    return {
      sql:
        `CAST(floor(CAST(${lo.sql} AS DOUBLE) + ${u} * (CAST(${hi.sql} AS DOUBLE) - CAST(${lo.sql} AS DOUBLE) + 1)) AS DECIMAL(38,0))`,
      type: n38,
    };
  },
  SEQ1: (c) => seq(c, 8),
  SEQ2: (c) => seq(c, 16),
  SEQ4: (c) => seq(c, 32),
  SEQ8: (c) => seq(c, 64),
  WIDTH_BUCKET: (c) => ({
    sql: `CAST(CASE WHEN ${c.arg(0).sql} < ${c.arg(1).sql} THEN 0 WHEN ${c.arg(0).sql} >= ${
      c.arg(2).sql
    } THEN ${c.arg(3).sql} + 1 ELSE floor((${c.arg(0).sql} - ${c.arg(1).sql}) * ${
      c.arg(3).sql
    } / (${c.arg(2).sql} - ${c.arg(1).sql})) + 1 END AS DECIMAL(38,0))`,
    type: n38,
  }),

  // ---------------------------------------------------------------- strings
  CONCAT: concatText,
  CONCAT_WS: (c) => {
    const args = c.args();
    const parts = args.slice(1).map((a) => asText(c, a));
    return {
      sql: nullIfAnyNull(args, `concat_ws(${asText(c, args[0])}, ${parts.join(", ")})`),
      type: T.varchar(),
    };
  },
  UPPER: (c) => ({ sql: `upper(${text(c, 0)})`, type: T.varchar(), aggregate: c.arg(0).aggregate }),
  LOWER: (c) => ({ sql: `lower(${text(c, 0)})`, type: T.varchar(), aggregate: c.arg(0).aggregate }),
  INITCAP: (c) => {
    c.arity(1, 2);
    const delimiters = c.argc > 1 ? text(c, 1) : INITCAP_DELIMITERS;
    return { sql: initcapSql(text(c, 0), delimiters), type: T.varchar() };
  },
  LENGTH: (c) => ({
    sql: `CAST(length(${text(c, 0)}) AS DECIMAL(18,0))`,
    type: n18,
    aggregate: c.arg(0).aggregate,
  }),
  LEN: (c) => FUNCTIONS.LENGTH(c),
  CHAR_LENGTH: (c) => FUNCTIONS.LENGTH(c),
  CHARACTER_LENGTH: (c) => FUNCTIONS.LENGTH(c),
  OCTET_LENGTH: (c) => ({
    sql: `CAST(octet_length(encode(${text(c, 0)})) AS DECIMAL(18,0))`,
    type: n18,
  }),
  BIT_LENGTH: (c) => {
    // A BINARY's bytes, else the text's UTF-8 bytes, eight bits each.
    const e = c.arg(0);
    const bytes = e.type.kind === "BINARY" ? e.sql : `encode(${text(c, 0)})`;
    return { sql: `CAST(octet_length(${bytes}) * 8 AS DECIMAL(18,0))`, type: n18 };
  },
  SUBSTR: (c) => {
    c.arity(2, 3);
    // Snowflake: a start of 0 behaves like 1.
    const start = `CASE WHEN CAST(${c.arg(1).sql} AS BIGINT) = 0 THEN 1 ELSE CAST(${
      c.arg(1).sql
    } AS BIGINT) END`;
    const len = c.argc > 2 ? `, CAST(${c.arg(2).sql} AS BIGINT)` : "";
    return {
      sql: `substr(${text(c, 0)}, ${start}${len})`,
      type: T.varchar(),
      aggregate: c.arg(0).aggregate,
    };
  },
  SUBSTRING: (c) => FUNCTIONS.SUBSTR(c),
  // A negative length is no characters (DuckDB's left and right drop characters instead).
  LEFT: (c) => ({
    sql: `left(${text(c, 0)}, greatest(CAST(${c.arg(1).sql} AS BIGINT), 0))`,
    type: T.varchar(),
  }),
  RIGHT: (c) => ({
    sql: `right(${text(c, 0)}, greatest(CAST(${c.arg(1).sql} AS BIGINT), 0))`,
    type: T.varchar(),
  }),
  TRIM: (c) => ({
    sql: c.argc > 1 ? `trim(${text(c, 0)}, ${text(c, 1)})` : `trim(${text(c, 0)})`,
    type: T.varchar(),
  }),
  LTRIM: (c) => ({
    sql: c.argc > 1 ? `ltrim(${text(c, 0)}, ${text(c, 1)})` : `ltrim(${text(c, 0)})`,
    type: T.varchar(),
  }),
  RTRIM: (c) => ({
    sql: c.argc > 1 ? `rtrim(${text(c, 0)}, ${text(c, 1)})` : `rtrim(${text(c, 0)})`,
    type: T.varchar(),
  }),
  REPLACE: (c) => ({
    sql: `replace(${text(c, 0)}, ${text(c, 1)}, ${c.argc > 2 ? text(c, 2) : "''"})`,
    type: T.varchar(),
  }),
  REVERSE: (c) => ({ sql: `reverse(${text(c, 0)})`, type: T.varchar() }),
  REPEAT: (c) => ({
    sql: `repeat(${text(c, 0)}, CAST(${c.arg(1).sql} AS BIGINT))`,
    type: T.varchar(),
  }),
  LPAD: pad("lpad"),
  RPAD: pad("rpad"),
  SPLIT_PART: (c) => {
    c.arity(3);
    // Snowflake: part 0 is 1, negative parts count from the end.
    const s = text(c, 0), d = text(c, 1), n = `CAST(${c.arg(2).sql} AS BIGINT)`;
    return {
      sql:
        `COALESCE(CASE WHEN ${n} >= 0 THEN split_part(${s}, ${d}, CASE WHEN ${n} = 0 THEN 1 ELSE ${n} END) ELSE list_extract(string_split(${s}, ${d}), ${n}) END, '')`,
      type: T.varchar(),
    };
  },
  SPLIT: (c) => ({ sql: `to_json(string_split(${text(c, 0)}, ${text(c, 1)}))`, type: T.array }),
  STRTOK: (c) => {
    const delims = c.argc > 1 ? text(c, 1) : "' '";
    const n = c.argc > 2 ? `CAST(${c.arg(2).sql} AS BIGINT)` : "1";
    return {
      sql: `list_filter(regexp_split_to_array(${
        text(c, 0)
      }, '[' || regexp_escape(${delims}) || ']'), x -> x <> '')[${n}]`,
      type: T.varchar(),
    };
  },
  POSITION: (c) => {
    c.arity(2, 3);
    // A start below 1 searches from the first character.
    const from = c.argc > 2 ? `greatest(CAST(${c.arg(2).sql} AS BIGINT), 1)` : "1";
    return {
      sql: `CAST(CASE WHEN strpos(substr(${text(c, 1)}, ${from}), ${
        text(c, 0)
      }) = 0 THEN 0 ELSE strpos(substr(${text(c, 1)}, ${from}), ${
        text(c, 0)
      }) + ${from} - 1 END AS DECIMAL(18,0))`,
      type: n18,
    };
  },
  CHARINDEX: (c) => FUNCTIONS.POSITION(c),
  // A bare NULL is a NULL VARCHAR (DuckDB cannot choose among contains' overloads for it).
  CONTAINS: (c) => ({
    sql: `contains(CAST(${text(c, 0)} AS VARCHAR), CAST(${text(c, 1)} AS VARCHAR))`,
    type: T.boolean,
  }),
  STARTSWITH: (c) => ({
    sql: `starts_with(CAST(${text(c, 0)} AS VARCHAR), CAST(${text(c, 1)} AS VARCHAR))`,
    type: T.boolean,
  }),
  ENDSWITH: (c) => ({
    sql: `ends_with(CAST(${text(c, 0)} AS VARCHAR), CAST(${text(c, 1)} AS VARCHAR))`,
    type: T.boolean,
  }),
  ASCII: (c) => ({ sql: `CAST(ascii(${text(c, 0)}) AS DECIMAL(18,0))`, type: n18 }),
  CHR: (c) => ({ sql: `chr(CAST(${c.arg(0).sql} AS INTEGER))`, type: T.varchar() }),
  CHAR: (c) => FUNCTIONS.CHR(c),
  MD5: (c) => ({ sql: `md5(${text(c, 0)})`, type: T.varchar(32) }),
  MD5_HEX: (c) => FUNCTIONS.MD5(c),
  SHA1: (c) => {
    c.arity(1);
    return { sql: `sha1(${text(c, 0)})`, type: T.varchar(40) };
  },
  SHA1_HEX: (c) => FUNCTIONS.SHA1(c),
  SHA2: (c) => {
    c.arity(1, 2);
    // DuckDB has SHA-256 only: another digest size is refused, never answered with SHA-256.
    if (c.argc === 2 && Number(constantOf(c, 1, "DIGEST_SIZE")) !== 256) {
      throw SQL_ERRORS.unsupported("SHA2 with a digest size other than 256");
    }
    return { sql: `sha256(${text(c, 0)})`, type: T.varchar(64) };
  },
  SHA2_HEX: (c) => FUNCTIONS.SHA2(c),
  UUID_STRING: (c) => {
    // No arguments: a random (version 4) UUID; (namespace, name): the version 5 UUID, the
    // SHA-1 of the namespace's 16 bytes and the name's UTF-8 bytes with version and variant set.
    c.arity(0, 2);
    if (c.argc === 0) return { sql: "CAST(uuid() AS VARCHAR)", type: T.varchar(36) };
    c.arity(2);
    const h = `sha1(unhex(replace(${text(c, 0)}, '-', '')) || encode(${text(c, 1)}))`;
    const variantDigit =
      `substr('89ab', (CAST(('0x' || substr(${h}, 17, 1)) AS INTEGER) & 3) + 1, 1)`;
    return {
      sql:
        `(substr(${h}, 1, 8) || '-' || substr(${h}, 9, 4) || '-5' || substr(${h}, 14, 3) || '-' || ${variantDigit} || substr(${h}, 18, 3) || '-' || substr(${h}, 21, 12))`,
      type: T.varchar(36),
    };
  },
  REGEXP_LIKE: (c) => {
    // The whole subject must match (an implicit ^…$).
    c.arity(2, 3);
    const pat = flagged(text(c, 1), regexArgParams(c, 2));
    return { sql: `regexp_full_match(${text(c, 0)}, ${pat})`, type: T.boolean };
  },
  RLIKE: (c) => FUNCTIONS.REGEXP_LIKE(c),
  REGEXP_REPLACE: (c) => {
    // (subject, pattern [, replacement [, position [, occurrence [, regex_parameters]]]])
    c.arity(2, 6);
    const pat = flagged(text(c, 1), regexArgParams(c, 5));
    const occurrence = intArg(c, 4);
    const value = occurrence === undefined ? undefined : constantOf(c, 4, "OCCURRENCE");
    return {
      sql: replaceSql(
        text(c, 0),
        pat,
        c.argc > 2 ? text(c, 2) : "''",
        intArg(c, 3),
        occurrence,
        typeof value === "number" || typeof value === "bigint" || typeof value === "string"
          ? Number(value)
          : undefined,
      ),
      type: T.varchar(),
    };
  },
  REGEXP_SUBSTR: regexpSubstr(false),
  REGEXP_SUBSTR_ALL: regexpSubstr(true),
  REGEXP_EXTRACT_ALL: regexpSubstr(true),
  REGEXP_COUNT: (c) => {
    // (subject, pattern [, position [, regex_parameters]])
    c.arity(2, 4);
    const s = fromPosition(text(c, 0), intArg(c, 2));
    const pat = flagged(text(c, 1), regexArgParams(c, 3));
    return { sql: `CAST(${matchCount(s, pat)} AS DECIMAL(18,0))`, type: n18 };
  },
  EDITDISTANCE: (c) => {
    // With max_distance, the distance stops there (a negative maximum gives 0).
    c.arity(2, 3);
    const d = characterLevenshtein(text(c, 0), text(c, 1));
    if (c.argc < 3) return { sql: `CAST(${d} AS DECIMAL(18,0))`, type: n18 };
    const max = `CAST(${c.arg(2).sql} AS BIGINT)`;
    return {
      sql:
        `CAST(CASE WHEN ${max} IS NULL THEN NULL ELSE least(${d}, greatest(${max}, 0)) END AS DECIMAL(18,0))`,
      type: n18,
    };
  },
  TO_VARCHAR: (c) => {
    c.arity(1, 2);
    const e = c.arg(0);
    if (c.argc === 2) {
      const fmt = constantText(c.arg(1));
      if (fmt === undefined) throw SQL_ERRORS.invalidArgument(`${c.name} needs a constant format.`);
      if (e.type.kind === "DATE" || isTimestamp(e.type) || e.type.kind === "TIME") {
        const session = sessionOf(c);
        const offset = e.type.kind === "TIMESTAMP_LTZ" || e.type.kind === "TIMESTAMP_TZ"
          ? offsetMinutesSql(e.sql, zoneFor(e.type, session))
          : "0";
        // AUTO prints as the session's output format for the type does.
        const f = fmt.trim().toUpperCase() === "AUTO" ? outputFormat(session, e.type) : fmt;
        return { sql: formatSql(wallTimestamp(e, session), f, offset), type: T.varchar() };
      }
      if (e.type.kind === "NUMBER" || e.type.kind === "FLOAT" || e.type.kind === "NULL") {
        // Fixed-point values format from their exact decimal text; a FLOAT is rounded first.
        const n = e.type.kind === "FLOAT" ? `CAST(${e.sql} AS DECIMAL(38,12))` : e.sql;
        const textOf = convert(e, T.varchar(), sessionOf(c)).sql;
        return { sql: formatNumberSql(n, textOf, fmt), type: T.varchar() };
      }
      throw SQL_ERRORS.unsupported(`${c.name} of ${e.type.kind} with a number format`);
    }
    if (e.type.kind === "VARIANT" || e.type.kind === "OBJECT" || e.type.kind === "ARRAY") {
      return {
        sql:
          `CASE WHEN json_type(${e.sql}) = 'VARCHAR' THEN json_extract_string(${e.sql}, '$') ELSE CAST(${e.sql} AS VARCHAR) END`,
        type: T.varchar(),
      };
    }
    return convert(e, T.varchar(), sessionOf(c));
  },
  TO_CHAR: (c) => FUNCTIONS.TO_VARCHAR(c),
  HEX_ENCODE: (c) => {
    // A BINARY's own bytes; anything else, its text's UTF-8 bytes.
    c.arity(1, 2);
    const e = c.arg(0);
    const bytes = e.type.kind === "BINARY" ? e.sql : `encode(${text(c, 0)})`;
    // A second argument of 0 asks for lowercase digits (1, the default, for uppercase).
    if (c.argc < 2) return { sql: `hex(${bytes})`, type: T.varchar() };
    return {
      sql: `CASE WHEN ${c.arg(1).sql} = 0 THEN lower(hex(${bytes})) ELSE hex(${bytes}) END`,
      type: T.varchar(),
    };
  },
  HEX_DECODE_STRING: (c) => {
    c.arity(1);
    return { sql: `decode(unhex(${text(c, 0)}))`, type: T.varchar() };
  },
  TRY_HEX_DECODE_STRING: (c) => {
    // NULL for text that is not an even number of hex digits, or not UTF-8 once decoded.
    c.arity(1);
    const s = text(c, 0);
    return {
      sql:
        `CASE WHEN regexp_full_match(${s}, '([0-9A-Fa-f]{2})*') THEN TRY(decode(unhex(${s}))) END`,
      type: T.varchar(),
    };
  },
  UNICODE: (c) => {
    // The code point of the first character; 0 for ''.
    c.arity(1);
    const s = text(c, 0);
    return {
      sql: `CAST(CASE WHEN ${s} = '' THEN 0 ELSE unicode(${s}) END AS DECIMAL(38,0))`,
      type: n38,
    };
  },
  INSERT: (c) => {
    // INSERT(base, pos, len, insert): `len` characters from `pos` replaced by `insert`.
    c.arity(4);
    const base = text(c, 0), ins = text(c, 3);
    const pos = `CAST(${c.arg(1).sql} AS BIGINT)`, len = `CAST(${c.arg(2).sql} AS BIGINT)`;
    return {
      sql: `(left(${base}, ${pos} - 1) || ${ins} || substr(${base}, ${pos} + ${len}))`,
      type: T.varchar(),
    };
  },
  SOUNDEX: (c) => {
    c.arity(1);
    return { sql: soundexSql(text(c, 0)), type: T.varchar() };
  },
  JAROWINKLER_SIMILARITY: (c) => {
    // 0 to 100, case-insensitive (the similarity's integer part).
    c.arity(2);
    return {
      sql: `CAST(floor(jaro_winkler_similarity(lower(${text(c, 0)}), lower(${
        text(c, 1)
      })) * 100 + 1e-9) AS DECIMAL(38,0))`,
      type: n38,
    };
  },

  // ---------------------------------------------------------------- dates and times
  CURRENT_DATE: (c) => ({
    sql: `CAST(${wallOf("now()", sessionOf(c).timezone)} AS DATE)`,
    type: T.date,
  }),
  CURRENT_TIMESTAMP: () => ({ sql: "CAST(now() AS TIMESTAMPTZ)", type: T.ltz }),
  LOCALTIMESTAMP: () => ({ sql: "CAST(now() AS TIMESTAMPTZ)", type: T.ltz }),
  GETDATE: () => ({ sql: "CAST(now() AS TIMESTAMPTZ)", type: T.ltz }),
  SYSDATE: () => ({ sql: "CAST(timezone('UTC', now()) AS TIMESTAMP)", type: T.ntz }),
  SYSTIMESTAMP: () => ({ sql: "CAST(now() AS TIMESTAMPTZ)", type: T.ltz }),
  CURRENT_TIME: (c) => ({
    sql: `CAST(${wallOf("now()", sessionOf(c).timezone)} AS TIME)`,
    type: T.time,
  }),
  LOCALTIME: (c) => FUNCTIONS.CURRENT_TIME(c),
  TO_DATE: (c) => toDate(c, false),
  DATE: (c) => toDate(c, false),
  TRY_TO_DATE: (c) => toDate(c, true),
  TO_TIMESTAMP: (c) => toTimestamp(c, T.ntz),
  TO_TIMESTAMP_NTZ: (c) => toTimestamp(c, T.ntz),
  TO_TIMESTAMP_LTZ: (c) => toTimestamp(c, T.ltz),
  TO_TIMESTAMP_TZ: (c) => toTimestamp(c, T.tz),
  TRY_TO_TIMESTAMP: (c) => toTimestamp(c, T.ntz),
  TRY_TO_TIMESTAMP_NTZ: (c) => toTimestamp(c, T.ntz),
  TRY_TO_TIMESTAMP_LTZ: (c) => toTimestamp(c, T.ltz),
  TRY_TO_TIMESTAMP_TZ: (c) => toTimestamp(c, T.tz),
  TO_TIME: (c) => toTime(c, false),
  TIME: (c) => toTime(c, false),
  TRY_TO_TIME: (c) => toTime(c, true),
  DATE_TRUNC: (c) => {
    c.arity(2);
    return truncate(c.part(0), c.arg(1), sessionOf(c));
  },
  DATEADD: (c) => {
    c.arity(3);
    return dateAdd(c.part(0), c.arg(1), c.arg(2), sessionOf(c));
  },
  TIMEADD: (c) => FUNCTIONS.DATEADD(c),
  TIMESTAMPADD: (c) => FUNCTIONS.DATEADD(c),
  DATEDIFF: (c) => {
    c.arity(3);
    return dateDiff(c.part(0), c.arg(1), c.arg(2), sessionOf(c));
  },
  TIMEDIFF: (c) => FUNCTIONS.DATEDIFF(c),
  TIMESTAMPDIFF: (c) => FUNCTIONS.DATEDIFF(c),
  DATE_PART: (c) => {
    c.arity(2);
    return extract(c.part(0), c.arg(1), sessionOf(c));
  },
  YEAR: (c) => extract("YEAR", c.arg(0), sessionOf(c)),
  MONTH: (c) => extract("MONTH", c.arg(0), sessionOf(c)),
  DAY: (c) => extract("DAY", c.arg(0), sessionOf(c)),
  DAYOFMONTH: (c) => extract("DAY", c.arg(0), sessionOf(c)),
  DAYOFWEEK: (c) => extract("DAYOFWEEK", c.arg(0), sessionOf(c)),
  DAYOFWEEKISO: (c) => extract("DAYOFWEEKISO", c.arg(0), sessionOf(c)),
  DAYOFYEAR: (c) => extract("DAYOFYEAR", c.arg(0), sessionOf(c)),
  WEEK: (c) => extract("WEEK", c.arg(0), sessionOf(c)),
  WEEKOFYEAR: (c) => extract("WEEK", c.arg(0), sessionOf(c)),
  WEEKISO: (c) => extract("WEEKISO", c.arg(0), sessionOf(c)),
  YEAROFWEEK: (c) => extract("YEAROFWEEK", c.arg(0), sessionOf(c)),
  YEAROFWEEKISO: (c) => extract("YEAROFWEEKISO", c.arg(0), sessionOf(c)),
  QUARTER: (c) => extract("QUARTER", c.arg(0), sessionOf(c)),
  HOUR: (c) => extract("HOUR", c.arg(0), sessionOf(c)),
  MINUTE: (c) => extract("MINUTE", c.arg(0), sessionOf(c)),
  SECOND: (c) => extract("SECOND", c.arg(0), sessionOf(c)),
  LAST_DAY: (c) => {
    c.arity(1, 2);
    const part = c.argc > 1 ? c.part(1) : "MONTH";
    const session = sessionOf(c);
    const d = dateOf(temporal(c.arg(0), session), session);
    if (part === "MONTH") return { sql: `last_day(${d})`, type: T.date };
    if (part === "WEEK" || part === "WEEKISO") {
      // The week's last day: six days after its first (WEEK_START's day, ISO: Monday).
      const rules = part === "WEEKISO" ? ISO_WEEKS : weekRules(session);
      return { sql: `CAST(${weekStartSql(d, rules)} + 6 AS DATE)`, type: T.date };
    }
    const unit = ({ YEAR: "year", QUARTER: "quarter" } as Record<string, string>)[part];
    if (!unit) throw SQL_ERRORS.invalidArgument(`LAST_DAY does not take the part ${part}`);
    const span = part === "YEAR" ? "to_years(1)" : "to_months(3)";
    return {
      sql: `CAST(date_trunc('${unit}', ${d}) + ${span} - to_days(1) AS DATE)`,
      type: T.date,
    };
  },
  MONTHNAME: (c) => ({
    sql: `strftime(${wallTimestamp(temporal(c.arg(0), sessionOf(c)), sessionOf(c))}, '%b')`,
    type: T.varchar(3),
  }),
  DAYNAME: (c) => ({
    sql: `strftime(${wallTimestamp(temporal(c.arg(0), sessionOf(c)), sessionOf(c))}, '%a')`,
    type: T.varchar(3),
  }),
  ADD_MONTHS: (c) => {
    // The last day of a month gives the last day of the result's month; a day the result's
    // month lacks is its last day (DuckDB's month arithmetic clamps it).
    c.arity(2);
    const session = sessionOf(c);
    const src = temporal(c.arg(0), session);
    const r = dateAdd("MONTH", c.arg(1), src, session);
    const lastDay = `day(last_day(${src.sql})) = day(${src.sql})`;
    const moved = src.type.kind === "DATE"
      ? `last_day(${r.sql})`
      : `(${r.sql} + to_days(CAST(day(last_day(${r.sql})) - day(${r.sql}) AS INTEGER)))`;
    return { sql: `CASE WHEN ${lastDay} THEN ${moved} ELSE ${r.sql} END`, type: r.type };
  },
  MONTHS_BETWEEN: (c) => {
    // Whole months from the years and months; the days and the times of day add
    // (d1 - d2 + (t1 - t2) / 1 day) / 31, except that the same day of the month, or the last day
    // of both months, gives a whole number.
    c.arity(2);
    const session = sessionOf(c);
    const values = [0, 1].map((i) => temporal(c.arg(i), session));
    const [a, b] = values.map((v) => dateOf(v, session));
    const [ta, tb] = values.map((v) =>
      v.type.kind === "DATE"
        ? "0"
        : `(epoch(${wallTimestamp(v, session)}) - epoch(date_trunc('day', ${
          wallTimestamp(v, session)
        })))`
    );
    const whole = `(12 * (year(${a}) - year(${b})) + month(${a}) - month(${b}))`;
    const sameDay = `day(${a}) = day(${b}) OR (${a} = last_day(${a}) AND ${b} = last_day(${b}))`;
    const days = `(day(${a}) - day(${b}) + CAST(${ta} - ${tb} AS DECIMAL(38,12)) / 86400)`;
    return {
      sql:
        `CAST(CASE WHEN ${sameDay} THEN ${whole} ELSE ${whole} + ${days} / 31 END AS DECIMAL(38,6))`,
      type: T.number(38, 6),
    };
  },
  DATE_FROM_PARTS: (c) => ({
    sql: `CAST(make_date(CAST(${c.arg(0).sql} AS BIGINT), 1, 1) + to_months(CAST(${
      c.arg(1).sql
    } AS BIGINT) - 1) + to_days(CAST(${c.arg(2).sql} AS BIGINT) - 1) AS DATE)`,
    type: T.date,
  }),
  TIMESTAMP_FROM_PARTS: (c) => {
    if (c.argc === 2) {
      return {
        sql: `(CAST(${c.arg(0).sql} AS TIMESTAMP) + CAST(${c.arg(1).sql} AS TIME))`,
        type: T.ntz,
      };
    }
    const p = (i: number) => (i < c.argc ? `CAST(${c.arg(i).sql} AS BIGINT)` : "0");
    return {
      sql: `make_timestamp(${p(0)}, 1, 1, 0, 0, 0) + to_months(${p(1)} - 1) + to_days(${
        p(2)
      } - 1) + to_hours(${p(3)}) + to_minutes(${p(4)}) + to_seconds(${p(5)}) + to_microseconds(${
        p(6)
      } // 1000)`,
      type: T.ntz,
    };
  },
  TIMESTAMP_NTZ_FROM_PARTS: (c) => FUNCTIONS.TIMESTAMP_FROM_PARTS(c),
  TIME_SLICE: (c) => {
    c.arity(3, 4);
    const n = /\d+/.exec(c.arg(1).sql)?.[0] ?? "1";
    const part = c.part(2).toLowerCase();
    const end = c.argc > 3 && /END/i.test(c.arg(3).sql);
    const session = sessionOf(c);
    const e = temporal(c.arg(0), session);
    const date = e.type.kind === "DATE";
    const ts = date ? `CAST(${e.sql} AS TIMESTAMP)` : e.sql;
    // Slices count from 1970-01-01; weeks from the first day of its week (a Monday by default).
    const origin = part === "week" ? weekOrigin(weekRules(session)) : "1970-01-01";
    const bucket = `time_bucket(INTERVAL '${n} ${part}', ${ts}, TIMESTAMP '${origin}')`;
    const sql = end ? `(${bucket} + INTERVAL '${n} ${part}')` : bucket;
    // A DATE slices to a DATE.
    return date ? { sql: `CAST(${sql} AS DATE)`, type: T.date } : { sql, type: e.type };
  },
  CONVERT_TIMEZONE: convertTimezone,

  // ---------------------------------------------------------------- conversion
  TO_NUMBER: (c) => toNumber(c, false),
  TO_DECIMAL: (c) => toNumber(c, false),
  TO_NUMERIC: (c) => toNumber(c, false),
  TRY_TO_NUMBER: (c) => toNumber(c, true),
  TRY_TO_DECIMAL: (c) => toNumber(c, true),
  TRY_TO_NUMERIC: (c) => toNumber(c, true),
  TO_DOUBLE: (c) => convert(c.arg(0), T.float, sessionOf(c)),
  TRY_TO_DOUBLE: (c) => convert(c.arg(0), T.float, sessionOf(c), true),
  TO_BOOLEAN: (c) => convert(c.arg(0), T.boolean, sessionOf(c)),
  TRY_TO_BOOLEAN: (c) => convert(c.arg(0), T.boolean, sessionOf(c), true),
  TO_VARIANT: (c) => convert(c.arg(0), T.variant, sessionOf(c)),
  TO_OBJECT: (c) => convert(c.arg(0), T.object, sessionOf(c)),
  TO_ARRAY: (c) => {
    const e = c.arg(0);
    if (e.type.kind === "ARRAY") return e;
    return {
      sql: `CASE WHEN ${e.sql} IS NULL THEN NULL WHEN json_type(${
        c.t.toVariantSql(e)
      }) = 'ARRAY' THEN ${c.t.toVariantSql(e)} ELSE to_json([${c.t.toVariantSql(e)}]) END`,
      type: T.array,
    };
  },
  PARSE_JSON: (c) => ({
    sql: `json(${text(c, 0)})`,
    type: T.variant,
    aggregate: c.arg(0).aggregate,
  }),
  TRY_PARSE_JSON: (c) => ({
    sql: `CASE WHEN json_valid(${text(c, 0)}) THEN json(${text(c, 0)}) END`,
    type: T.variant,
  }),
  TO_JSON: (c) => ({ sql: `CAST(${c.t.toVariantSql(c.arg(0))} AS VARCHAR)`, type: T.varchar() }),
  OBJECT_CONSTRUCT: (c) => {
    const pairs: string[] = [];
    for (const [key, value] of objectPairs(c)) {
      // Pairs with a NULL value are left out, as Snowflake does.
      pairs.push(
        `CASE WHEN ${value.sql} IS NOT NULL THEN struct_pack(k := ${key}, v := ${
          c.t.toVariantSql(value)
        }) END`,
      );
    }
    return {
      sql: pairs.length
        ? `to_json(map_from_entries(list_filter([${pairs.join(", ")}], x -> x IS NOT NULL)))`
        : `CAST('{}' AS JSON)`,
      type: T.object,
    };
  },
  OBJECT_CONSTRUCT_KEEP_NULL: (c) => {
    const pairs = objectPairs(c).map(([key, value]) =>
      `struct_pack(k := ${key}, v := ${c.t.toVariantSql(value)})`
    );
    if (!pairs.length) return { sql: "CAST('{}' AS JSON)", type: T.object };
    return { sql: `to_json(map_from_entries([${pairs.join(", ")}]))`, type: T.object };
  },
  ARRAY_CONSTRUCT: (c) => ({
    sql: `to_json([${c.args().map((a) => c.t.toVariantSql(a)).join(", ")}])`,
    type: T.array,
  }),
  ARRAY_SIZE: (c) => ({
    sql: `CAST(json_array_length(${c.t.toVariantSql(c.arg(0))}) AS DECIMAL(18,0))`,
    type: n18,
  }),
  ARRAY_CONTAINS: (c) => ({
    sql: `list_contains(CAST(json_extract(${
      c.t.toVariantSql(c.arg(1))
    }, '$[*]') AS VARCHAR[]), CAST(${c.t.toVariantSql(c.arg(0))} AS VARCHAR))`,
    type: T.boolean,
  }),
  OBJECT_KEYS: (c) => ({ sql: `to_json(json_keys(${c.t.toVariantSql(c.arg(0))}))`, type: T.array }),
  GET: (c) => {
    const key = c.arg(1);
    const json = c.t.toVariantSql(c.arg(0));
    return {
      sql: key.type.kind === "NUMBER"
        ? `json_extract(${json}, '$[' || CAST(${key.sql} AS BIGINT) || ']')`
        : `json_extract(${json}, '$."' || ${c.t.asText(key)} || '"')`,
      type: T.variant,
    };
  },
  GET_IGNORE_CASE: (c) => {
    // An object's key matched exactly if it has one, else ignoring case; an array's index as GET.
    c.arity(2);
    const key = c.arg(1);
    if (key.type.kind === "NUMBER") return FUNCTIONS.GET(c);
    const json = c.t.toVariantSql(c.arg(0)), k = c.t.asText(key);
    const match = `coalesce(list_filter(json_keys(${json}), _ll_k -> _ll_k = ${k})[1], ` +
      `list_filter(json_keys(${json}), _ll_k -> lower(_ll_k) = lower(${k}))[1])`;
    return {
      sql:
        `CASE WHEN json_type(${json}) = 'OBJECT' THEN json_extract(${json}, '$."' || ${match} || '"') END`,
      type: T.variant,
    };
  },
  GET_PATH: (c) => ({
    sql: `json_extract(${c.t.toVariantSql(c.arg(0))}, '$.' || ${text(c, 1)})`,
    type: T.variant,
  }),
  TYPEOF: (c) => {
    c.arity(1);
    const e = c.arg(0);
    // A value that is not VARIANT yet has the type it would have as one.
    if (e.type.kind !== "VARIANT" && e.type.kind !== "OBJECT" && e.type.kind !== "ARRAY") {
      return {
        sql: `CASE WHEN ${e.sql} IS NULL THEN NULL ELSE ${qs(variantTypeName(e.type))} END`,
        type: T.varchar(),
      };
    }
    const json = c.t.toVariantSql(e);
    // JSON keeps one kind of non-integer number: it is a DECIMAL, as PARSE_JSON('1.5') is in
    // Snowflake (a FLOAT made VARIANT, DOUBLE there, reads as DECIMAL here); an integer past
    // 64 bits, which DuckDB types DOUBLE, is still an INTEGER.
    return { sql: variantKind(json), type: T.varchar() };
  },
  IS_NULL_VALUE: (c) => ({
    sql: `(json_type(${c.t.toVariantSql(c.arg(0))}) = 'NULL')`,
    type: T.boolean,
  }),
  HAVERSINE: (c) => {
    c.arity(4);
    // Great-circle distance in km on a sphere of radius 6,371 km (Snowflake's formula).
    const r = (i: number) => `radians(CAST(${c.arg(i).sql} AS DOUBLE))`;
    const [lat1, lon1, lat2, lon2] = [r(0), r(1), r(2), r(3)];
    return {
      sql:
        `(2 * 6371 * asin(sqrt(pow(sin((${lat2} - ${lat1}) / 2), 2) + cos(${lat1}) * cos(${lat2}) * pow(sin((${lon2} - ${lon1}) / 2), 2))))`,
      type: T.float,
    };
  },
  TO_BINARY: (c) => {
    c.arity(1, 2);
    const format = c.argc === 2 ? constantText(c.arg(1))?.toUpperCase() : "HEX";
    if (c.arg(0).type.kind === "BINARY") return c.arg(0);
    const t = text(c, 0);
    if (format === "HEX") return { sql: hexToBinary(t, false), type: T.binary };
    if (format === "BASE64") return { sql: `from_base64(${t})`, type: T.binary };
    if (format === "UTF-8" || format === "UTF8") return { sql: `encode(${t})`, type: T.binary };
    throw SQL_ERRORS.invalidArgument("TO_BINARY takes the format HEX, BASE64 or UTF-8.");
  },
  GETVARIABLE: (c) => {
    c.arity(1);
    const name = constantText(c.arg(0));
    if (name === undefined) throw SQL_ERRORS.invalidArgument("GETVARIABLE needs a constant name.");
    // The variable's value as text; NULL when the session has no such variable.
    const v = c.t.resolver.session.variables?.get(name);
    return {
      sql: v?.text === undefined || v.text === null ? "CAST(NULL AS VARCHAR)" : qs(v.text),
      type: T.varchar(),
    };
  },
  HASH: (c) => ({
    sql: `CAST(hash(${
      c.args().map((a) => a.sql).join(", ")
    }) AS DECIMAL(38,0)) - 9223372036854775808`,
    type: T.number(19, 0),
  }),

  // ---------------------------------------------------------------- arrays and objects (more)
  ARRAY_TO_STRING: (c) => {
    c.arity(2);
    const a = c.arg(0), sep = text(c, 1);
    // Each element as TO_VARCHAR gives it (strings unquoted); a null element is ''.
    const parts = `list_transform(${elements(c, 0)}, _ll_x -> COALESCE(${
      variantText("_ll_x")
    }, ''))`;
    return {
      sql:
        `CASE WHEN ${a.sql} IS NULL OR ${sep} IS NULL THEN NULL ELSE array_to_string(${parts}, ${sep}) END`,
      type: T.varchar(),
    };
  },
  ARRAY_APPEND: (c) => {
    c.arity(2);
    return array(`list_append(${elements(c, 0)}, ${c.t.toVariantSql(c.arg(1))})`);
  },
  ARRAY_PREPEND: (c) => {
    c.arity(2);
    return array(`list_prepend(${c.t.toVariantSql(c.arg(1))}, ${elements(c, 0)})`);
  },
  ARRAY_CAT: (c) => {
    c.arity(2);
    // DuckDB's list_concat skips a NULL list; Snowflake's ARRAY_CAT is then NULL.
    return array(
      `CASE WHEN ${c.arg(0).sql} IS NULL OR ${c.arg(1).sql} IS NULL THEN NULL ELSE list_concat(${
        elements(c, 0)
      }, ${elements(c, 1)}) END`,
    );
  },
  ARRAY_SLICE: (c) => {
    c.arity(3);
    const l = elements(c, 0);
    const n = `len(${l})`;
    // Python's slice rules: 0-based, `to` excluded, negative positions count from the end.
    const bound = (i: number) => {
      const x = `CAST(${c.arg(i).sql} AS BIGINT)`;
      return `(CASE WHEN ${x} < 0 THEN greatest(${n} + ${x}, 0) ELSE least(${x}, ${n}) END)`;
    };
    const from = bound(1), to = bound(2);
    return array(
      `CASE WHEN ${c.arg(1).sql} IS NULL OR ${
        c.arg(2).sql
      } IS NULL THEN NULL ELSE list_slice(${l}, ${from} + 1, greatest(${to}, ${from})) END`,
    );
  },
  ARRAY_DISTINCT: (c) => {
    c.arity(1);
    const l = elements(c, 0);
    // First occurrences, in order; a null element counts as a value (NULL-safe).
    return array(`list_filter(${l}, (_ll_x, _ll_i) -> list_position(${l}, _ll_x) = _ll_i)`);
  },
  ARRAY_COMPACT: (c) => {
    c.arity(1);
    return array(`list_filter(${elements(c, 0)}, _ll_x -> json_type(_ll_x) <> 'NULL')`);
  },
  ARRAY_POSITION: (c) => {
    c.arity(2);
    // 0-based; NULL when the element is not there.
    return {
      sql: `CAST(list_position(${elements(c, 1)}, ${
        c.t.toVariantSql(c.arg(0))
      }) - 1 AS DECIMAL(18,0))`,
      type: n18,
    };
  },
  ARRAY_SORT: arraySort,
  APPROX_TOP_K: (c) => {
    c.arity(1, 3);
    // The k most frequent values with their counts, most frequent first: [[value, count], …].
    // Counted exactly (Snowflake's are estimates); the counters argument changes nothing here.
    const k = c.argc > 1 ? Math.max(1, Number(constantOf(c, 1, "K"))) : 1;
    const e = c.arg(0);
    const each = `CASE WHEN ${e.sql} IS NOT NULL THEN CAST(${c.t.toVariantSql(e)} AS VARCHAR) END`;
    const counts = `map_entries(${c.agg("histogram", each)})`;
    const ranked =
      `list_sort(list_transform(${counts}, _ll_e -> struct_pack(n := -_ll_e.value, v := _ll_e.key)))`;
    return {
      sql:
        `to_json(list_transform(list_slice(${ranked}, 1, ${k}), _ll_e -> [json(_ll_e.v), to_json(-_ll_e.n)]))`,
      type: T.array,
      aggregate: !c.over,
    };
  },
  NORMAL: (c) => {
    c.arity(3);
    // Box–Muller over two uniforms drawn from the generator (RANDOM() makes it random).
    const gen = `CAST(${c.arg(2).sql} AS DOUBLE)`;
    const u1 = `greatest((CAST(hash(${gen}) AS DOUBLE) / 18446744073709551616.0), 1e-300)`;
    const u2 = `(CAST(hash(${gen}, 1) AS DOUBLE) / 18446744073709551616.0)`;
    return {
      sql: `(CAST(${c.arg(0).sql} AS DOUBLE) + CAST(${
        c.arg(1).sql
      } AS DOUBLE) * sqrt(-2 * ln(${u1})) * cos(2 * pi() * ${u2}))`,
      type: T.float,
    };
  },
  RANDSTR: (c) => {
    c.arity(2);
    // Letters and digits, each drawn from the generator and the position.
    const gen = `CAST(${c.arg(1).sql} AS DOUBLE)`;
    const chars = "'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'";
    const pick =
      `substr(${chars}, 1 + CAST(floor(CAST(hash(${gen}, _ll_i) AS DOUBLE) / 18446744073709551616.0 * 62) AS INTEGER), 1)`;
    return {
      sql: `array_to_string(list_transform(range(CAST(${
        c.arg(0).sql
      } AS BIGINT)), _ll_i -> ${pick}), '')`,
      type: T.varchar(),
    };
  },
  ARRAY_UNION_AGG: (c) => {
    c.arity(1);
    // Multiset semantics: a value is in the union as often as in the input array that holds it
    // most often. Each element is tagged with the number of equal elements before it in its
    // array; the distinct tagged elements of all the arrays are the union. NULLs are left out.
    const items = `list_filter(${elements(c, 0)}, _ll_v -> json_type(_ll_v) <> 'NULL')`;
    const tagged = `list_transform(${items}, (_ll_v, _ll_i) -> {'v': _ll_v, 'k': ` +
      `len(list_filter(${items}[1:_ll_i - 1], _ll_w -> _ll_w = _ll_v))})`;
    const union = `list_transform(list_distinct(flatten(${
      c.agg("list", `CASE WHEN ${c.arg(0).sql} IS NOT NULL THEN ${tagged} END`)
    })), _ll_t -> _ll_t.v)`;
    return {
      sql: `COALESCE(to_json(${union}), CAST('[]' AS JSON))`,
      type: T.array,
      aggregate: !c.over,
    };
  },
  ARRAY_UNIQUE_AGG: (c) => {
    c.arity(1);
    const e = c.arg(0);
    // NULLs are left out; DISTINCT keeps one of each value.
    const each = `CASE WHEN ${e.sql} IS NOT NULL THEN ${c.t.toVariantSql(e)} END`;
    const list = `list_filter(${
      c.agg("list", each, { distinct: true })
    }, _ll_x -> _ll_x IS NOT NULL)`;
    return {
      sql: `COALESCE(to_json(${list}), CAST('[]' AS JSON))`,
      type: T.array,
      aggregate: !c.over,
    };
  },
  OBJECT_INSERT: (c) => {
    c.arity(3, 4);
    const update = c.argc > 3 ? c.arg(3).sql : "FALSE";
    const entries = objectEntries(c, 0);
    const key = text(c, 1), value = c.arg(2);
    const kept = `list_filter(${entries}, _ll_e -> _ll_e.key <> ${key})`;
    const added = `list_append(${kept}, struct_pack(key := ${key}, value := CAST(${
      c.t.toVariantSql(value)
    } AS JSON)))`;
    // An existing key needs update_flag TRUE; a NULL value leaves the object as it was.
    return {
      sql: `CASE WHEN ${
        c.arg(0).sql
      } IS NULL OR ${key} IS NULL THEN NULL WHEN ${value.sql} IS NULL THEN ${
        c.t.toVariantSql(c.arg(0))
      } WHEN list_contains(list_transform(${entries}, _ll_e -> _ll_e.key), ${key}) AND NOT COALESCE(${update}, FALSE) THEN error('Duplicate field key ''' || ${key} || '''') ELSE to_json(map_from_entries(${added})) END`,
      type: T.object,
    };
  },
  OBJECT_DELETE: (c) => {
    if (c.argc < 2) c.arity(2);
    const keys = c.args(1).map((k) => c.t.asText(k));
    return {
      sql: `CASE WHEN ${c.arg(0).sql} IS NULL THEN NULL ELSE to_json(map_from_entries(list_filter(${
        objectEntries(c, 0)
      }, _ll_e -> NOT list_contains([${keys.join(", ")}], _ll_e.key)))) END`,
      type: T.object,
    };
  },
  IS_INTEGER: isKind("INTEGER"),
  IS_DECIMAL: isKind("INTEGER", "DECIMAL"),
  IS_DOUBLE: isKind("INTEGER", "DECIMAL", "DOUBLE"),
  IS_REAL: isKind("INTEGER", "DECIMAL", "DOUBLE"),
  IS_ARRAY: isKind("ARRAY"),
  IS_OBJECT: isKind("OBJECT"),
  IS_VARCHAR: isKind("VARCHAR"),
  IS_CHAR: isKind("VARCHAR"),
  IS_BOOLEAN: isKind("BOOLEAN"),
  AS_VARCHAR: asKind(["VARCHAR"], () => T.varchar()),
  AS_CHAR: asKind(["VARCHAR"], () => T.varchar()),
  AS_BOOLEAN: asKind(["BOOLEAN"], () => T.boolean),
  AS_ARRAY: asKind(["ARRAY"], () => T.array),
  AS_OBJECT: asKind(["OBJECT"], () => T.object),
  AS_DOUBLE: asKind(["INTEGER", "DECIMAL", "DOUBLE"], () => T.float),
  AS_REAL: asKind(["INTEGER", "DECIMAL", "DOUBLE"], () => T.float),
  AS_INTEGER: asKind(["INTEGER"], () => n38),
  AS_NUMBER: asKind(["INTEGER", "DECIMAL"], numberTypeArgs),
  AS_DECIMAL: asKind(["INTEGER", "DECIMAL"], numberTypeArgs),
  AS_NUMERIC: asKind(["INTEGER", "DECIMAL"], numberTypeArgs),
  STRIP_NULL_VALUE: (c) => {
    c.arity(1);
    const j = c.t.toVariantSql(c.arg(0));
    return { sql: `CASE WHEN json_type(${j}) = 'NULL' THEN NULL ELSE ${j} END`, type: T.variant };
  },
  CHECK_JSON: (c) => {
    // NULL for valid JSON (or a NULL); otherwise a message saying why it is not.
    c.arity(1);
    const e = c.arg(0);
    if (e.type.kind === "VARIANT" || e.type.kind === "OBJECT" || e.type.kind === "ARRAY") {
      return { sql: "CAST(NULL AS VARCHAR)", type: T.varchar() };
    }
    const x = text(c, 0);
    return {
      sql: `CASE WHEN ${x} IS NULL OR json_valid(${x}) THEN NULL ELSE 'invalid JSON document' END`,
      type: T.varchar(),
    };
  },
  ARRAYS_OVERLAP: (c) => {
    // Elements compare as VARIANTs: a null element of each overlaps.
    c.arity(2);
    const [a, b] = [0, 1].map((i) => `CAST(${elements(c, i)} AS VARCHAR[])`);
    return { sql: `(len(list_intersect(${a}, ${b})) > 0)`, type: T.boolean };
  },
  ARRAY_INSERT: (c) => {
    // 0-based; a negative position counts from the end; past the end pads with nulls.
    c.arity(3);
    const l = elements(c, 0);
    const n = `len(${l})`;
    const p = `CAST(${c.arg(1).sql} AS BIGINT)`;
    const at = `greatest(CASE WHEN ${p} < 0 THEN ${n} + ${p} ELSE ${p} END, 0)`;
    const pad = `list_transform(range(greatest(${at} - ${n}, 0)), _ll_x -> CAST('null' AS JSON))`;
    const el = c.t.toVariantSql(c.arg(2));
    return array(
      `CASE WHEN ${p} IS NULL THEN NULL ELSE list_concat(list_slice(${l}, 1, ${at}), ${pad}, [CAST(${el} AS JSON)], list_slice(${l}, ${at} + 1, ${n})) END`,
    );
  },
  ARRAY_CONSTRUCT_COMPACT: (c) => {
    const vals = c.args().map((a) =>
      `CASE WHEN ${a.sql} IS NOT NULL THEN CAST(${c.t.toVariantSql(a)} AS JSON) END`
    );
    return array(`list_filter([${vals.join(", ")}]::JSON[], _ll_x -> _ll_x IS NOT NULL)`);
  },
  ARRAY_EXCEPT: (c) => {
    c.arity(2);
    // Multiset semantics: an element n times in the first array and m times in the second is
    // left max(n - m, 0) times.
    const a = elements(c, 0), b = elements(c, 1);
    return array(nullIfEither(
      c,
      `list_filter(${a}, (_ll_x, _ll_i) -> len(list_filter(${a}[1:_ll_i], _ll_y -> _ll_y = _ll_x)) > len(list_filter(${b}, _ll_y -> _ll_y = _ll_x)))`,
    ));
  },
  ARRAY_INTERSECTION: (c) => {
    c.arity(2);
    // Multiset semantics: min(n, m) times, in the first array's order.
    const a = elements(c, 0), b = elements(c, 1);
    return array(nullIfEither(
      c,
      `list_filter(${a}, (_ll_x, _ll_i) -> len(list_filter(${a}[1:_ll_i], _ll_y -> _ll_y = _ll_x)) <= len(list_filter(${b}, _ll_y -> _ll_y = _ll_x)))`,
    ));
  },
  ARRAY_REVERSE: (c) => {
    c.arity(1);
    return array(`list_reverse(${elements(c, 0)})`);
  },
  ARRAY_REMOVE_AT: (c) => {
    // A position from 0, or from the end when negative; one outside the array changes nothing.
    c.arity(2);
    const a = elements(c, 0);
    const n = `CAST(${c.arg(1).sql} AS BIGINT)`;
    const at = `(CASE WHEN ${n} < 0 THEN len(${a}) + ${n} ELSE ${n} END + 1)`;
    return array(
      `CASE WHEN ${
        c.arg(1).sql
      } IS NULL THEN NULL ELSE list_filter(${a}, (_ll_x, _ll_i) -> _ll_i <> ${at}) END`,
    );
  },
  ARRAY_REMOVE: (c) => {
    c.arity(2);
    const v = c.t.toVariantSql(c.arg(1));
    // Equal numbers are equal whatever their scale: 5, 5.0 and 5.00 all go.
    const number = (x: string) => `json_type(${x}) IN ('BIGINT', 'UBIGINT', 'DOUBLE')`;
    const equal = `CASE WHEN ${number("_ll_x")} AND ${
      number(v)
    } THEN CAST(_ll_x AS DOUBLE) = CAST(${v} AS DOUBLE) ELSE _ll_x = ${v} END`;
    return array(
      `CASE WHEN ${c.arg(1).sql} IS NULL THEN NULL ELSE list_filter(${
        elements(c, 0)
      }, _ll_x -> NOT (${equal})) END`,
    );
  },
  ARRAY_GENERATE_RANGE: (c) => {
    c.arity(2, 3);
    const n = (i: number) => `CAST(${c.arg(i).sql} AS BIGINT)`;
    const step = c.argc === 3 ? n(2) : "1";
    // An empty array when the step runs away from the stop, as Python's range; step 0 fails.
    return {
      sql: `CAST(to_json(range(${n(0)}, ${n(1)}, ${step})) AS JSON)`,
      type: T.array,
    };
  },
  ARRAY_MIN: (c) => arrayExtreme(c, "min"),
  ARRAY_MAX: (c) => arrayExtreme(c, "max"),
  ARRAY_FLATTEN: (c) => {
    // One level: each element must be an array (a null element makes the result NULL).
    c.arity(1);
    const l = elements(c, 0);
    const each =
      `list_transform(${l}, _ll_x -> CASE json_type(_ll_x) WHEN 'ARRAY' THEN json_extract(_ll_x, '$[*]') WHEN 'NULL' THEN NULL ELSE error('Not an array: ' || CAST(_ll_x AS VARCHAR)) END)`;
    return array(
      `CASE WHEN list_contains(list_transform(${l}, _ll_x -> json_type(_ll_x)), 'NULL') THEN NULL ELSE flatten(${each}) END`,
    );
  },
  OBJECT_PICK: (c) => {
    // OBJECT_PICK(object, key1 [, key2 …]) or OBJECT_PICK(object, array_of_keys).
    if (c.argc < 2) c.arity(2);
    const keys = c.argc === 2 && c.arg(1).type.kind === "ARRAY"
      ? `CAST(json_extract_string(${c.t.toVariantSql(c.arg(1))}, '$[*]') AS VARCHAR[])`
      : `[${c.args(1).map((k) => asText(c, k)).join(", ")}]`;
    return {
      sql: `CASE WHEN ${c.arg(0).sql} IS NULL THEN NULL ELSE to_json(map_from_entries(list_filter(${
        objectEntries(c, 0)
      }, _ll_e -> list_contains(${keys}, _ll_e.key)))) END`,
      type: T.object,
    };
  },
  STRTOK_TO_ARRAY: (c) => {
    c.arity(1, 2);
    const s = text(c, 0), delims = c.argc > 1 ? text(c, 1) : "' '";
    // Every delimiter character separates; empty tokens are dropped.
    return array(
      `CASE WHEN ${delims} = '' THEN list_filter([${s}], _ll_x -> _ll_x <> '') ELSE list_filter(regexp_split_to_array(${s}, '[' || regexp_escape(${delims}) || ']'), _ll_x -> _ll_x <> '') END`,
    );
  },

  // ---------------------------------------------------------------- strings (more)
  REGEXP_INSTR: regexpInstr,
  TRANSLATE: (c) => {
    c.arity(3);
    return { sql: `translate(${text(c, 0)}, ${text(c, 1)}, ${text(c, 2)})`, type: T.varchar() };
  },
  SPACE: (c) => {
    c.arity(1);
    return { sql: `repeat(' ', CAST(${c.arg(0).sql} AS BIGINT))`, type: T.varchar() };
  },
  BASE64_ENCODE: (c) => {
    c.arity(1);
    const e = c.arg(0);
    const bytes = e.type.kind === "BINARY" ? e.sql : `encode(${text(c, 0)})`;
    return { sql: `to_base64(${bytes})`, type: T.varchar() };
  },
  BASE64_DECODE_STRING: (c) => {
    c.arity(1);
    return { sql: `decode(from_base64(${text(c, 0)}))`, type: T.varchar() };
  },

  // ---------------------------------------------------------------- dates and times (more)
  NEXT_DAY: (c) => weekdayStep(c, "next"),
  PREVIOUS_DAY: (c) => weekdayStep(c, "previous"),
  TIME_FROM_PARTS: (c) => {
    c.arity(3, 4);
    const p = (i: number) => `CAST(${c.arg(i).sql} AS BIGINT)`;
    const ns = c.argc > 3 ? ` + to_microseconds(${p(3)} // 1000)` : "";
    // Parts out of range carry over and wrap around the day (TIME_FROM_PARTS(0, 100, 0) is 01:40).
    return {
      sql: `CAST(TIMESTAMP '1970-01-01' + to_hours(${p(0)}) + to_minutes(${p(1)}) + to_seconds(${
        p(2)
      })${ns} AS TIME)`,
      type: T.time,
    };
  },

  // ---------------------------------------------------------------- numeric (more)
  SIN: trig("sin"),
  COS: trig("cos"),
  TAN: trig("tan"),
  COT: trig("cot"),
  ASIN: trig("asin"),
  ACOS: trig("acos"),
  ATAN: trig("atan"),
  DEGREES: trig("degrees"),
  RADIANS: trig("radians"),
  ATAN2: (c) => {
    c.arity(2);
    return {
      sql: `atan2(CAST(${c.arg(0).sql} AS DOUBLE), CAST(${c.arg(1).sql} AS DOUBLE))`,
      type: T.float,
    };
  },
  BITAND: bitwise((a, b) => `(${a} & ${b})`),
  BITOR: bitwise((a, b) => `(${a} | ${b})`),
  BITXOR: bitwise((a, b) => `xor(${a}, ${b})`),
  BITSHIFTLEFT: bitwise((a, b) => `(${a} << CAST(${b} AS INTEGER))`),
  BITSHIFTRIGHT: bitwise((a, b) => `(${a} >> CAST(${b} AS INTEGER))`),
  GETBIT: (c) => {
    // Bit `b` (from 0, the least significant) of a non-negative integer.
    c.arity(2);
    const [a, b] = [0, 1].map((i) => `CAST(${c.arg(i).sql} AS HUGEINT)`);
    return {
      sql: `CAST((${a} >> CAST(${b} AS INTEGER)) & 1 AS DECIMAL(1,0))`,
      type: T.number(1, 0),
    };
  },
  BITNOT: (c) => {
    c.arity(1);
    return { sql: `CAST(~CAST(${c.arg(0).sql} AS HUGEINT) AS DECIMAL(38,0))`, type: n38 };
  },
  GROUPING_ID: (c) => FUNCTIONS.GROUPING(c),
  CONDITIONAL_TRUE_EVENT: (c) => {
    // The number of rows so far (in the window's order) whose condition is TRUE, from 0.
    if (!c.over) throw SQL_ERRORS.invalidArgument(`${c.name} needs an OVER clause.`);
    c.arity(1);
    const cond = c.arg(0);
    const b = cond.type.kind === "BOOLEAN" ? cond.sql : `CAST(${cond.sql} AS BOOLEAN)`;
    const over = c.over.replace(/\)$/, " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)");
    return {
      sql: `CAST(sum(CASE WHEN ${b} THEN 1 ELSE 0 END)${over} AS DECIMAL(38,0))`,
      type: n38,
      window: true,
    };
  },
  CONDITIONAL_CHANGE_EVENT: (c) => {
    // Snowflake's definition: CONDITIONAL_TRUE_EVENT(x != LAG(x) OVER w) OVER w, so a change
    // to or from NULL does not count. DuckDB cannot nest lag() in sum(), so the values so far
    // are compared pairwise (quadratic in the partition's size).
    if (!c.over) throw SQL_ERRORS.invalidArgument(`${c.name} needs an OVER clause.`);
    c.arity(1);
    const over = c.over.replace(/\)$/, " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)");
    const seen = `list(${c.arg(0).sql})${over}`;
    return {
      sql:
        `CAST(len(list_filter(list_transform(range(1, len(${seen})), _i -> ${seen}[_i] <> ${seen}[_i + 1]), _b -> coalesce(_b, false))) AS DECIMAL(38,0))`,
      type: n38,
      window: true,
    };
  },
  GROUPING: (c) => {
    if (c.argc < 1) c.arity(1);
    // A bit per argument, 1 where the row aggregates over it (ROLLUP, CUBE, GROUPING SETS).
    return {
      sql: `CAST(grouping(${c.args().map((a) => a.sql).join(", ")}) AS DECIMAL(18,0))`,
      type: n18,
      aggregate: true,
    };
  },

  // ---------------------------------------------------------------- context
  CURRENT_USER: sessionValue((c) => c.t.resolver.session.user),
  CURRENT_ROLE: sessionValue((c) => c.t.resolver.session.role),
  CURRENT_DATABASE: sessionValue((c) => c.t.resolver.session.database),
  CURRENT_SCHEMA: sessionValue((c) => c.t.resolver.session.schema),
  CURRENT_WAREHOUSE: sessionValue((c) => c.t.resolver.session.warehouse),
  CURRENT_ACCOUNT: sessionValue((c) => c.t.resolver.session.account),
  CURRENT_ACCOUNT_NAME: sessionValue((c) => c.t.resolver.session.account),
  CURRENT_REGION: sessionValue(() => "LIFTLINE_LOCAL"),
  CURRENT_VERSION: sessionValue(() => "9.0.0"),
  CURRENT_CLIENT: sessionValue(() => "snowflake-sdk"),
  CURRENT_SESSION: sessionValue(() => "1"),
  CURRENT_ORGANIZATION_NAME: sessionValue(() => "LIFTLINE_LOCAL"),
  CURRENT_ACCOUNT_LOCATOR: sessionValue((c) => c.t.resolver.session.account),
  // One role (the session's, always in use) and PUBLIC, which every role has.
  CURRENT_AVAILABLE_ROLES: sessionValue((c) =>
    JSON.stringify([...new Set([c.t.resolver.session.role ?? "PUBLIC", "PUBLIC"])])
  ),
  CURRENT_SECONDARY_ROLES: sessionValue(() => JSON.stringify({ roles: "", value: "" })),
  IS_ROLE_IN_SESSION: (c) => {
    c.arity(1);
    const role = c.t.resolver.session.role ?? "PUBLIC";
    const name = `upper(${text(c, 0)})`;
    return { sql: `(${name} = ${qs(role)} OR ${name} = 'PUBLIC')`, type: T.boolean };
  },
  // Statements commit on their own: there is no open transaction to name.
  "SYSTEM$STREAM_HAS_DATA": (c) => {
    c.arity(1);
    const name = String(constantOf(c, 0, "STREAM_NAME") ?? "");
    const has = c.t.resolver.streamHasData;
    if (!has) throw SQL_ERRORS.unsupported("SYSTEM$STREAM_HAS_DATA here");
    return { sql: has(identifiersOf(name).map(identName)), type: T.boolean };
  },
  GET_DDL: (c) => {
    c.arity(2, 3);
    const kind = String(constantOf(c, 0, "OBJECT_TYPE") ?? "").trim().toUpperCase();
    const name = constantOf(c, 1, "OBJECT_NAME");
    if (typeof name !== "string") {
      throw SQL_ERRORS.invalidArgument("GET_DDL takes the object's name as a string constant");
    }
    const ddl = c.t.resolver.ddl;
    if (!ddl) throw SQL_ERRORS.unsupported("GET_DDL here");
    return {
      sql: qs(
        ddl(
          kind.replace(/\s+/g, "_"),
          identifiersOf(name).map(identName),
          c.argc > 2 &&
            constantOf(c, 2, "USE_FULLY_QUALIFIED_NAMES_FOR_RECREATED_OBJECTS") === true,
        ),
      ),
      type: T.varchar(),
      constant: true,
    };
  },
  CURRENT_TRANSACTION: sessionValue((c) => c.t.resolver.session.transactionId ?? null),
  LAST_QUERY_ID: (c) => {
    const n = c.argc ? Number(constantOf(c, 0, "N") ?? -1) : -1;
    if (!Number.isInteger(n)) {
      throw SQL_ERRORS.invalidArgument("LAST_QUERY_ID takes an integer constant");
    }
    const id = c.t.resolver.session.lastQueryId(n);
    return {
      sql: id === null ? "CAST(NULL AS VARCHAR)" : qs(id),
      type: T.varchar(),
      constant: true,
    };
  },
};

/** A number or boolean as a boolean: a number is true when it is not zero. */
function truth(e: Expr): string {
  return e.type.kind === "BOOLEAN" ? e.sql : `(CAST(${e.sql} AS DOUBLE) <> 0)`;
}

/** A number in [0, 1) that is a function of `gen` (a hash of its value). */
function uniformOf(gen: string): string {
  return `(CAST(hash(CAST(${gen} AS DOUBLE)) AS DOUBLE) / 18446744073709551616.0)`;
}

/** The sequence column of the GENERATOR in the call's scope, or undefined. */
function generatorRow(c: Call): string | undefined {
  for (let s: typeof c.ctx.scope | undefined = c.ctx.scope; s; s = s.parent) {
    const gen = s.relations.find((r) => r.sequenceColumn);
    if (gen) return `${qi(gen.duckAlias)}.${qi(gen.sequenceColumn!)}`;
  }
  return undefined;
}

/**
 * RANDOM([seed]): a 64-bit integer. With a seed, calls with the same seed give the same value
 * on the same row: a hash of the seed and the row (a GENERATOR's row number; the one row of a
 * query without FROM). Over other rows a seeded call is random like an unseeded one.
 */
function randomFn(c: Call): Expr {
  c.arity(0, 1);
  const random = `CAST((random() * 18446744073709551616.0 - 9223372036854775808.0) AS BIGINT)`;
  if (c.argc === 0) return { sql: `CAST(${random} AS DECIMAL(38,0))`, type: n38 };
  const seed = `CAST(${c.arg(0).sql} AS BIGINT)`;
  const row = generatorRow(c) ??
    (c.ctx.scope.relations.length === 0 && !c.ctx.scope.parent ? "0" : undefined);
  const sql = row === undefined
    ? random
    : `CAST(CAST(hash(${seed}, ${row}) AS HUGEINT) - 9223372036854775808 AS BIGINT)`;
  return { sql: `CAST(${sql} AS DECIMAL(38,0))`, type: n38 };
}

function seq(c: Call, bits: number): Expr {
  c.arity(0, 1);
  const signed = c.argc === 1 && Number(c.t.constantValue(c.rawArgs[0], c.ctx.scope)) === 1;
  let n = "";
  let window = false;
  for (let s: typeof c.ctx.scope | undefined = c.ctx.scope; s && !n; s = s.parent) {
    const gen = s.relations.find((r) => r.sequenceColumn);
    if (gen) n = `CAST(${qi(gen.duckAlias)}.${qi(gen.sequenceColumn!)} AS HUGEINT)`;
  }
  if (!n) {
    n = "CAST(row_number() OVER () - 1 AS HUGEINT)";
    window = true;
  }
  // SEQn wraps around at its width: 0 … 2^bits-1, or -2^(bits-1) … 2^(bits-1)-1 when signed.
  const size = 1n << BigInt(bits);
  const half = size >> 1n;
  const sql = signed ? `((${n} + ${half}) % ${size}) - ${half}` : `${n} % ${size}`;
  return { sql: `CAST(${sql} AS DECIMAL(19,0))`, type: T.number(19, 0), window };
}

/** Functions whose value changes between refreshes of the same rows. */
const NON_DETERMINISTIC = new Set([
  "RANDOM",
  "UNIFORM",
  "UUID_STRING",
  "CURRENT_TIMESTAMP",
  "CURRENT_DATE",
  "CURRENT_TIME",
  "SYSDATE",
  "SYSTIMESTAMP",
  "GETDATE",
  "LOCALTIMESTAMP",
  "LOCALTIME",
  "SEQ1",
  "SEQ2",
  "SEQ4",
  "SEQ8",
  "LAST_QUERY_ID",
]);

/** Translates a function call node. */
export function callFunction(t: Translator, fn: Node, ctx: ExprContext): Expr {
  const c = new Call(t, fn, ctx);
  if (
    c.over && !isAggregateName(c.name) && !isWindowOnlyName(c.name) &&
    !["SEQ4", "SEQ8", "SEQ1", "SEQ2"].includes(c.name)
  ) {
    throw SQL_ERRORS.invalidArgument(`${c.name} is not a window function.`);
  }
  const impl = FUNCTIONS[c.name];
  if (!impl) {
    // Not a Snowflake function: a SQL function of the user's, or unknown.
    const udf = c.over ? undefined : t.resolver.scalarFunction?.(objectNameParts(fn.name));
    if (!udf) throw SQL_ERRORS.unknownFunction(c.name);
    if (c.named.size) throw SQL_ERRORS.unsupported("named arguments to a user-defined function");
    return t.scalarFunctionCall(udf, c.args(), ctx.scope);
  }
  if (NON_DETERMINISTIC.has(c.name)) {
    t.blocker(ctx.scope, `the non-deterministic function ${c.name}`);
  }
  if (isAggregateName(c.name) && !c.over && !ctx.aggregates) {
    throw new SqlError(
      "002065",
      "42601",
      `SQL compilation error:\nInvalid aggregate function in this context: ${c.name}`,
    );
  }
  const e = impl(c);
  if (isAggregateName(c.name) && !c.over) return { ...e, aggregate: true, window: false };
  if (c.over) return { ...e, window: true };
  return e;
}
