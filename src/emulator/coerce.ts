/**
 * The pipe's COPY with `MATCH_BY_COLUMN_NAME`, as far as one row goes: top-level keys matched to
 * the target table's declared columns (exactly, or ignoring case), keys without a column ignored,
 * columns without a key NULL, and each value cast to its column's Snowflake type, as the text or
 * number DuckDB's appender casts into the column:
 *
 * | Snowflake type | value handed to DuckDB |
 * |---|---|
 * | VARCHAR(n) | the string (longer than n characters → error) |
 * | NUMBER(p,s) | a number rounded half away from zero to s decimals (more than p−s integer digits → error); decimal text beyond 15 digits |
 * | FLOAT | a number |
 * | BOOLEAN | true/false |
 * | DATE | `YYYY-MM-DD` |
 * | TIMESTAMP_NTZ | `YYYY-MM-DD HH:MM:SS.SSS`, wall time (UTC for inputs with an offset) |
 * | TIMESTAMP_LTZ / _TZ | `YYYY-MM-DD HH:MM:SS.SSS+00:00` (the instant) |
 * | TIME | `HH:MM:SS[.fff]` |
 * | VARIANT / OBJECT / ARRAY | JSON text (OBJECT and ARRAY must be one) |
 *
 * Error messages name the column and type but never the value: Snowflake redacts customer data
 * from `last_error_message`, and so do we.
 *
 * @module
 */
import { formatSfType, type SfType } from "./warehouse/types.ts";

/** A column a pipe loads: its name, type and whether it takes NULL. */
export interface ColumnDef {
  readonly name: string;
  readonly type: SfType;
  readonly nullable: boolean;
  /** What a row without this column's key gets instead of NULL (see {@link ColumnFill}). */
  readonly fill?: ColumnFill;
}

/**
 * How a streamed row that leaves a column out fills it: with the column's DEFAULT (DuckDB SQL).
 * Evaluated once, when the pipe is first used, as Snowflake evaluates a pipe's defaults when it
 * compiles the pipe (time functions included), except a default that draws from a sequence (an
 * AUTOINCREMENT / IDENTITY column's, or `seq.NEXTVAL`), which gives each row its own number.
 */
export interface ColumnFill {
  readonly duck: string;
  readonly perRow: boolean;
}

/** Gives the value of column `index` for a row that left it out (a column with a fill). */
export type Filler = (index: number) => StoredValue;

/** A value as handed to the appender. */
export type StoredValue = string | number | boolean | null;

/** Coerces one parsed JSON object into the column values of one table row (column order). */
export type RowCoercer = (row: Record<string, unknown>, fill?: Filler) => StoredValue[];

/** A value that could not be cast into its column; the message holds no customer data. */
export class CoercionError extends Error {
  /** The column at fault. */
  readonly column: string;

  constructor(column: ColumnDef, reason: string) {
    super(`column ${column.name} of type ${formatSfType(column.type)}: ${reason}`);
    this.name = "CoercionError";
    this.column = column.name;
  }
}

/** Thrown by a converter; {@link compileRowCoercer} adds the column. */
class Reject {
  constructor(readonly reason: string) {}
}

type Converter = (v: unknown) => StoredValue;

const NUMERIC_TEXT = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
const INTEGER_TEXT = /^\s*-?\d+\s*$/;
const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1];
}

function toNumber(v: unknown, what: string): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" && NUMERIC_TEXT.test(v)) return Number(v);
  throw new Reject(`${what} is not recognized`);
}

/** Rounds to `scale` decimals, half away from zero, on the number's decimal text. */
function roundHalfAway(v: number, scale: number): number {
  const abs = Math.abs(v);
  let r: number;
  if (scale === 0) r = Math.round(abs);
  else {
    const text = String(abs);
    // Shifting through the decimal text avoids binary artefacts (1.005 → 1.01, not 1.00).
    r = text.includes("e")
      ? Math.round(abs * 10 ** scale) / 10 ** scale
      : Number(`${Math.round(Number(`${text}e${scale}`))}e-${scale}`);
  }
  return r === 0 ? 0 : v < 0 ? -r : r;
}

function numberConverter(precision: number, scale: number): Converter {
  if (precision > 15) return bigNumberConverter(precision, scale);
  const limit = 10 ** (precision - scale);
  if (scale === 0) {
    return (v) => {
      let n = toNumber(v, "numeric value");
      if (!Number.isFinite(n)) throw new Reject("numeric value is not recognized");
      if (!Number.isInteger(n)) n = roundHalfAway(n, 0);
      if (Math.abs(n) >= limit) throw new Reject("numeric value out of range");
      if (!Number.isSafeInteger(n)) {
        throw new Reject("numeric value out of the range the emulator stores exactly (±2^53)");
      }
      return n;
    };
  }
  return (v) => {
    const n = toNumber(v, "numeric value");
    if (!Number.isFinite(n)) throw new Reject("numeric value is not recognized");
    const r = roundHalfAway(n, scale);
    if (Math.abs(r) >= limit) throw new Reject("numeric value out of range");
    return r;
  };
}

const DECIMAL_TEXT = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/;

/**
 * NUMBER with more digits than a double holds exactly: decimal text, rounded on its digits. A
 * whole number a double holds exactly stays a number for a scale-0 column (NUMBER(38,0), the
 * default NUMBER): the appender then takes it without a text cast.
 */
function bigNumberConverter(precision: number, scale: number): Converter {
  return (v) => {
    let text: string;
    if (scale === 0 && typeof v === "number" && Number.isSafeInteger(v)) return v === 0 ? 0 : v;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new Reject("numeric value is not recognized");
      text = Math.abs(v) < 1e21
        ? roundHalfAway(v, Math.min(scale, 20)).toFixed(Math.min(scale, 20))
        : String(v);
    } else if (typeof v === "string" && NUMERIC_TEXT.test(v)) text = v.trim();
    else throw new Reject("numeric value is not recognized");
    if (/[eE]/.test(text)) {
      const n = Number(text);
      if (!Number.isFinite(n) || Math.abs(n) >= 1e21) {
        throw new Reject("numeric value out of range");
      }
      text = n.toFixed(Math.min(scale, 20));
    }
    const m = DECIMAL_TEXT.exec(text);
    if (!m) throw new Reject("numeric value is not recognized");
    const int = m[2].replace(/^0+(?=\d)/, "") || "0";
    if (int !== "0" && int.length > precision - scale) {
      throw new Reject("numeric value out of range");
    }
    // DuckDB's cast rounds the extra decimals half away from zero, as Snowflake does.
    return `${m[1]}${int}${m[3] ? "." + m[3] : ""}`;
  };
}

function varcharConverter(length: number): Converter {
  return (v) => {
    let s: string;
    if (typeof v === "string") s = v;
    else if (typeof v === "number" || typeof v === "boolean") s = String(v);
    else s = JSON.stringify(v);
    // String length counts UTF-16 units, never fewer than characters: only a long string needs
    // the exact (slower) character count.
    if (s.length > length && [...s].length > length) {
      throw new Reject(`string is longer than ${length} characters`);
    }
    return s;
  };
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `YYYY-MM-DD HH:MM:SS.SSS` of a UTC instant, or undefined outside years 1–9999. */
function formatUtc(ms: number): string | undefined {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  if (!(y >= 1 && y <= 9999)) return undefined;
  const iso = d.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** Epoch numbers scale by magnitude as in Snowflake: seconds, then ms, µs, ns. */
function epochToMs(n: number): number {
  const a = Math.abs(n);
  if (a < 31536000000) return n * 1000;
  if (a < 31536000000000) return n;
  if (a < 31536000000000000) return n / 1000;
  return n / 1e6;
}

function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number) {
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 onto 1900–1999.
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  return date.getTime();
}

/** Parses an ISO-like timestamp string into stored UTC wall time, or undefined. */
export function parseTimestampText(text: string): string | undefined {
  const m = ISO_TIME.exec(text.trim());
  if (!m) return undefined;
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  const h = m[4] === undefined ? 0 : Number(m[4]);
  const mi = m[5] === undefined ? 0 : Number(m[5]);
  const s = m[6] === undefined ? 0 : Number(m[6]);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  if (h > 23 || mi > 59 || s > 59) return undefined;
  // Stored to the millisecond; finer digits are truncated.
  const msText = m[7] === undefined ? "000" : (m[7] + "00").slice(0, 3);
  const offsetMinutes = m[9] === undefined
    ? 0
    : (m[9] === "-" ? -1 : 1) * (Number(m[10]) * 60 + (m[11] === undefined ? 0 : Number(m[11])));
  if (offsetMinutes === 0) {
    return `${m[1]}-${m[2]}-${m[3]} ${two(h)}:${two(mi)}:${two(s)}.${msText}`;
  }
  if (Math.abs(offsetMinutes) > 18 * 60) return undefined;
  return formatUtc(utcMs(y, mo, d, h, mi, s, Number(msText)) - offsetMinutes * 60_000);
}

function digitsAt(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * The common case without a regex: `YYYY-MM-DDTHH:MM:SS[.sss](Z|+00:00)`, the generator's form.
 * Undefined for anything else (the general parser decides then).
 */
function fastUtcTimestamp(s: string): string | undefined {
  const n = s.length;
  const zone = s.charCodeAt(n - 1) === 90 ? 1 : s.endsWith("+00:00") ? 6 : 0;
  const body = n - zone;
  if (zone === 0 || (body !== 19 && body !== 23)) return undefined;
  if (
    s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 ||
    s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || (body === 23 && s.charCodeAt(19) !== 46)
  ) return undefined;
  const y = digitsAt(s, 0, 4), mo = digitsAt(s, 5, 7), d = digitsAt(s, 8, 10);
  const h = digitsAt(s, 11, 13), mi = digitsAt(s, 14, 16), sec = digitsAt(s, 17, 19);
  const ms = body === 23 ? digitsAt(s, 20, 23) : 0;
  if (
    y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h < 0 || h > 23 ||
    mi < 0 || mi > 59 || sec < 0 || sec > 59 || ms < 0
  ) return undefined;
  return body === 23
    ? `${s.slice(0, 10)} ${s.slice(11, 23)}`
    : `${s.slice(0, 10)} ${s.slice(11, 19)}.000`;
}

const timestampConverter: Converter = (v) => {
  let out: string | undefined;
  if (typeof v === "string") {
    out = fastUtcTimestamp(v) ??
      (INTEGER_TEXT.test(v) ? formatUtc(epochToMs(Number(v))) : parseTimestampText(v));
  } else if (typeof v === "number" && Number.isFinite(v)) {
    out = formatUtc(Math.trunc(epochToMs(v)));
  }
  if (out === undefined) throw new Reject("timestamp is not recognized");
  return out;
};

const dateConverter: Converter = (v) => {
  let out: string | undefined;
  if (typeof v === "string" && !INTEGER_TEXT.test(v)) {
    const m = ISO_TIME.exec(v.trim());
    // A timestamp's date is the one written (its own offset), as Snowflake's cast does.
    if (m && parseTimestampText(v) !== undefined) out = `${m[1]}-${m[2]}-${m[3]}`;
  } else if (typeof v === "number" || typeof v === "string") {
    const n = Number(v);
    if (Number.isFinite(n)) out = formatUtc(Math.trunc(epochToMs(n)))?.slice(0, 10);
  }
  if (out === undefined) throw new Reject("date is not recognized");
  return out;
};

const TRUE_TEXT = new Set(["true", "t", "yes", "y", "on", "1"]);
const FALSE_TEXT = new Set(["false", "f", "no", "n", "off", "0"]);

const booleanConverter: Converter = (v) => {
  if (typeof v === "boolean") return v;
  if (typeof v === "number" && Number.isFinite(v)) return v !== 0;
  if (typeof v === "string") {
    const t = v.trim().toLowerCase();
    if (TRUE_TEXT.has(t)) return true;
    if (FALSE_TEXT.has(t)) return false;
  }
  throw new Reject("boolean value is not recognized");
};

const floatConverter: Converter = (v) => {
  const n = toNumber(v, "numeric value");
  if (!Number.isFinite(n)) throw new Reject("numeric value is not recognized");
  return n;
};

const variantConverter: Converter = (v) => JSON.stringify(v);

const objectConverter: Converter = (v) => {
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new Reject("value is not an object");
  }
  return JSON.stringify(v);
};

const arrayConverter: Converter = (v) => {
  if (!Array.isArray(v)) throw new Reject("value is not an array");
  return JSON.stringify(v);
};

/** TIMESTAMP_LTZ and _TZ: the instant, with an explicit UTC offset. */
const instantConverter: Converter = (v) => `${timestampConverter(v)}+00:00`;

const TIME_TEXT = /^\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*$/;

const timeConverter: Converter = (v) => {
  if (typeof v === "string") {
    const m = TIME_TEXT.exec(v);
    if (m && Number(m[1]) < 24 && Number(m[2]) < 60 && Number(m[3] ?? 0) < 60) {
      return `${two(Number(m[1]))}:${m[2]}:${m[3] ?? "00"}${m[4] ? "." + m[4].slice(0, 6) : ""}`;
    }
  } else if (typeof v === "number" && Number.isFinite(v) && v >= 0 && v < 86400) {
    const s = Math.floor(v);
    return `${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
  }
  throw new Reject("time is not recognized");
};

/** The converter of one column type. */
function converterFor(type: SfType): Converter {
  switch (type.kind) {
    case "VARCHAR":
    case "NULL":
      return varcharConverter(type.kind === "VARCHAR" ? type.length : 16_777_216);
    case "NUMBER":
      return numberConverter(type.precision, type.scale);
    case "FLOAT":
      return floatConverter;
    case "BOOLEAN":
      return booleanConverter;
    case "TIMESTAMP_NTZ":
      return timestampConverter;
    case "TIMESTAMP_LTZ":
    case "TIMESTAMP_TZ":
      return instantConverter;
    case "DATE":
      return dateConverter;
    case "TIME":
      return timeConverter;
    case "VARIANT":
      return variantConverter;
    case "OBJECT":
      return objectConverter;
    case "ARRAY":
      return arrayConverter;
    case "BINARY":
      return (v) => {
        if (typeof v === "string" && /^(?:[0-9a-fA-F]{2})*$/.test(v)) return v;
        throw new Reject("binary value is not hex text");
      };
  }
}

/**
 * Compiles the coercer of one table. A JSON `null` or a missing key stores SQL NULL (an error for
 * a NOT NULL column), except that a missing key of a column with a fill takes `fill`'s value.
 * Throws {@link CoercionError} for a value that cannot be cast.
 */
export function compileRowCoercer(
  columns: readonly ColumnDef[],
  match: "CASE_SENSITIVE" | "CASE_INSENSITIVE" = "CASE_SENSITIVE",
): RowCoercer {
  const n = columns.length;
  const names = columns.map((c) => c.name);
  const converters = columns.map((c) => converterFor(c.type));
  // A column named like an Object.prototype member must not read the inherited value.
  const guarded = names.map((name) => name in Object.prototype);
  const lower = new Map(names.map((name, i) => [name.toLowerCase(), i]));
  const filled = columns.map((c) => c.fill !== undefined);
  return (input, fill) => {
    let row = input;
    if (match === "CASE_INSENSITIVE") {
      row = {};
      for (const [k, v] of Object.entries(input)) {
        const i = lower.get(k.toLowerCase());
        if (i !== undefined) row[names[i]] = v;
      }
    }
    const out: StoredValue[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const v = guarded[i] && !Object.hasOwn(row, names[i]) ? undefined : row[names[i]];
      if (v === undefined && fill && filled[i]) {
        const given = fill(i);
        if (given === null && !columns[i].nullable) {
          throw new CoercionError(columns[i], "NULL result in a non-nullable column");
        }
        out[i] = given;
        continue;
      }
      if (v === undefined || v === null) {
        if (!columns[i].nullable) {
          throw new CoercionError(columns[i], "NULL result in a non-nullable column");
        }
        out[i] = null;
        continue;
      }
      try {
        out[i] = converters[i](v);
      } catch (e) {
        // Anything else (e.g. a VARIANT nested too deep to serialise) is still one bad row.
        throw new CoercionError(
          columns[i],
          e instanceof Reject ? e.reason : "value cannot be converted",
        );
      }
    }
    return out;
  };
}
