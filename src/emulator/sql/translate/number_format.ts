/**
 * Snowflake's numeric SQL format models (TO_CHAR / TO_NUMBER with a format) as DuckDB SQL.
 * https://docs.snowflake.com/en/sql-reference/sql-format-models
 *
 * Fixed-position models of `9`, `0`, `X`, `.`/`D`, `,`/`G`, `$`, `B`, `S`, `MI`, `FM` and
 * literals, and the text-minimal `TM9`. The value is formatted from its exact decimal text
 * (never through DOUBLE). Anything else is refused as unsupported.
 *
 * @module
 */

import { SQL_ERRORS } from "../errors.ts";
import { qs } from "./quote.ts";

type Sign = "S" | "MI";

/** One parsed numeric format model. */
interface Model {
  fm: boolean;
  prefix: string;
  suffix: string;
  lead?: Sign;
  trail?: Sign;
  dollar: boolean;
  blank: boolean;
  hex: boolean;
  lowerHex: boolean;
  /** The integer template: digit elements (`0`, `9`, `X`) and `,` group separators. */
  int: string;
  point: boolean;
  /** The fraction's digit elements (`0`, `9`). */
  frac: string;
  tm9: boolean;
}

const unsupported = (fmt: string, why: string) =>
  SQL_ERRORS.unsupported(`numeric format model '${fmt}' (${why})`);

/** Parses one (alternative-free) numeric format model. */
function parse(fmt: string): Model {
  const m: Model = {
    fm: false,
    prefix: "",
    suffix: "",
    dollar: false,
    blank: false,
    hex: false,
    lowerHex: false,
    int: "",
    point: false,
    frac: "",
    tm9: false,
  };
  // 0: before the number, 1: in it, 2: after it.
  let phase = 0;
  const number = (what: string) => {
    if (phase === 2) throw unsupported(fmt, `${what} after the number's end`);
    phase = 1;
  };
  const literal = (text: string) => {
    if (phase === 0) m.prefix += text;
    else {
      phase = 2;
      m.suffix += text;
    }
  };
  const digits = () => m.int.length > 0 || m.frac.length > 0 || m.tm9;
  let i = 0;
  while (i < fmt.length) {
    const ch = fmt[i];
    const up = fmt.slice(i, i + 3).toUpperCase();
    if (ch === '"') {
      let j = i + 1;
      let text = "";
      while (j < fmt.length) {
        if (fmt[j] === '"') {
          if (fmt[j + 1] === '"') {
            text += '"';
            j += 2;
            continue;
          }
          break;
        }
        text += fmt[j++];
      }
      if (j >= fmt.length) throw unsupported(fmt, "an unterminated literal");
      literal(text);
      i = j + 1;
    } else if (up.startsWith("FM")) {
      if (digits() || m.lead || m.dollar) throw unsupported(fmt, "FM after the number's start");
      m.fm = !m.fm;
      i += 2;
    } else if (up === "TM9") {
      if (digits()) throw unsupported(fmt, "TM9 with digit elements");
      number("TM9");
      m.tm9 = true;
      i += 3;
    } else if (up.startsWith("TM") || up.startsWith("EE") || ch === "%" || /[VRL]/i.test(ch)) {
      throw unsupported(fmt, `the element at '${fmt.slice(i)}'`);
    } else if (up.startsWith("MI") || ch.toUpperCase() === "S") {
      const s: Sign = up.startsWith("MI") ? "MI" : "S";
      if (m.lead || m.trail) throw unsupported(fmt, "two sign elements");
      number(s);
      if (digits()) m.trail = s;
      else m.lead = s;
      i += s.length;
    } else if (ch === "$") {
      if (m.dollar || digits()) throw unsupported(fmt, "'$' after the digits");
      number("$");
      m.dollar = true;
      i++;
    } else if (ch.toUpperCase() === "B") {
      number("B");
      m.blank = true;
      i++;
    } else if (ch === "0" || ch === "9" || ch.toUpperCase() === "X") {
      number("a digit");
      if (m.trail) throw unsupported(fmt, "digits after the sign");
      if (ch.toUpperCase() === "X") {
        m.hex = true;
        m.lowerHex = ch === "x";
      }
      if (m.point) m.frac += ch;
      else m.int += ch.toUpperCase();
      i++;
    } else if (ch === "." || ch.toUpperCase() === "D") {
      if (ch.toUpperCase() === "D" || phase === 1 || /[09]/.test(fmt[i + 1] ?? "")) {
        if (m.point || m.trail) throw unsupported(fmt, "a second decimal point");
        number("'.'");
        m.point = true;
      } else literal(ch);
      i++;
    } else if (ch === "," || ch.toUpperCase() === "G") {
      if (m.int.length > 0 && !m.point && !m.trail) m.int += ",";
      else if (ch === ",") literal(ch);
      else throw unsupported(fmt, "'G' outside the integer digits");
      i++;
    } else if (ch === "_") {
      i++;
    } else if (/[;:\-=/() ]/.test(ch)) {
      literal(ch);
      i++;
    } else {
      throw unsupported(fmt, `the element at '${fmt.slice(i)}'`);
    }
  }
  if (!m.tm9 && m.int.replaceAll(",", "").length + m.frac.length === 0) {
    throw unsupported(fmt, "no digit elements");
  }
  if (m.tm9 && (m.lead || m.trail || m.dollar || m.blank || m.point)) {
    throw unsupported(fmt, "TM9 with other number elements");
  }
  if (m.hex && (m.point || m.frac || /[9]/.test(m.int))) {
    throw unsupported(fmt, "hexadecimal with '9' or a fraction");
  }
  if (m.int.endsWith(",")) m.int = m.int.slice(0, -1), m.suffix = "," + m.suffix;
  if (m.frac.length > 37 || m.int.replaceAll(",", "").length > (m.hex ? 31 : 38)) {
    throw unsupported(fmt, "too many digits");
  }
  return m;
}

/** Alternatives separated by `|` (outside double-quoted literals). */
function alternatives(fmt: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (const ch of fmt) {
    if (ch === '"') quoted = !quoted;
    if (ch === "|" && !quoted) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/**
 * TO_CHAR(number, fmt): `value` is a DECIMAL (or integer) expression, `text` its default text
 * (for TM9). Returns DuckDB SQL of a VARCHAR.
 */
export function formatNumberSql(value: string, text: string, fmt: string): string {
  if (alternatives(fmt).length > 1) throw unsupported(fmt, "alternatives print nothing");
  const m = parse(fmt);
  const wrap = (body: string) => `(${qs(m.prefix)} || ${body} || ${qs(m.suffix)})`;
  if (m.tm9) return wrap(text);
  const digitsOf = m.int.replaceAll(",", "");
  const k = digitsOf.length;
  const f = m.frac.length;
  const tplLen = m.int.length;
  // Bind the value once: `_nf_v` the rounded value, `_nf_t` the digits of its magnitude.
  let v: string;
  let t: string;
  let neg: string;
  let over: string;
  if (m.hex) {
    const limit = (16n ** BigInt(k)).toString();
    const signed = m.lead !== undefined || m.trail !== undefined;
    v = `CAST(CAST(${value} AS DECIMAL(38,0)) AS HUGEINT)`;
    const u = signed
      ? "abs(_nf_v)"
      : `CASE WHEN _nf_v < 0 THEN _nf_v + CAST('${limit}' AS HUGEINT) ELSE _nf_v END`;
    t = `${m.lowerHex ? "lower" : "upper"}(hex(${u}))`;
    neg = signed ? "_nf_v < 0" : "false";
    over = signed
      ? `abs(_nf_v) >= CAST('${limit}' AS HUGEINT)`
      : `(_nf_v >= CAST('${limit}' AS HUGEINT) OR _nf_v < -CAST('${limit}' AS HUGEINT) / 2)`;
  } else {
    v = `CAST(${value} AS DECIMAL(38,${f}))`;
    t = `CAST(abs(_nf_v) AS VARCHAR)`;
    neg = "_nf_v < 0";
    over = `length(ltrim(split_part(_nf_t, '.', 1), '0')) > ${k}`;
  }
  const ip = `split_part(_nf_t, '.', 1)`;
  const fp = `split_part(_nf_t, '.', 2)`;
  const signChar = (s: Sign | undefined) =>
    s === "S"
      ? `CASE WHEN ${neg} THEN '-' ELSE '+' END`
      : s === "MI"
      ? `CASE WHEN ${neg} THEN '-' ELSE ' ' END`
      : `CASE WHEN ${neg} THEN '-' ELSE '' END`;
  const dollar = m.dollar ? "'$'" : "''";
  const dLen = m.dollar ? 1 : 0;
  // The sign's reserved place: none for unsigned hexadecimal or an explicit trailing sign.
  const slot = m.lead === undefined && m.trail === undefined && !m.hex ? 1 : 0;
  const lead = (inner: string, width: number) => {
    if (m.lead === "MI") return `${signChar("MI")} || lpad(${inner}, ${width}, ' ')`;
    if (m.lead === "S") return `lpad(${signChar("S")} || ${inner}, ${width + 1}, ' ')`;
    if (m.trail) return `lpad(${inner}, ${width}, ' ')`;
    return `lpad(${signChar(undefined)} || ${inner}, ${width + slot}, ' ')`;
  };
  const trail = m.trail ? ` || ${signChar(m.trail)}` : "";

  // The integer digits: the template filled from the zero-padded digits, printed from the first
  // significant digit (or the first `0` element, or the last place for a zero integer part).
  let intStr = "''";
  if (k > 0) {
    const d = `lpad(${ip}, ${k}, '0')`;
    const pieces: string[] = [];
    const charIdx: number[] = [];
    let j = 0;
    for (let c = 0; c < m.int.length; c++) {
      if (m.int[c] === ",") pieces.push("','");
      else {
        charIdx.push(c);
        pieces.push(`substr(${d}, ${++j}, 1)`);
      }
    }
    const first0 = digitsOf.indexOf("0");
    const sig = `length(ltrim(${ip}, '0'))`;
    const st = `least(${first0 < 0 ? k : first0}, ${k} - greatest(${sig}, ${m.blank ? 0 : 1}))`;
    charIdx.push(m.int.length);
    intStr = `substr(${pieces.join(" || ")}, [${charIdx.join(", ")}][${st} + 1] + 1)`;
  }
  let fracStr = "";
  if (m.point) {
    fracStr = " || '.'";
    if (f > 0) {
      const last0 = m.frac.lastIndexOf("0") + 1;
      const keep = `greatest(length(rtrim(${fp}, '0')), ${last0})`;
      fracStr += ` || rpad(left(${fp}, ${keep}), ${f}, ' ')`;
    }
  }
  const body = `${lead(`${dollar} || ${intStr}`, dLen + tplLen)}${fracStr}${trail}`;
  const hashes = m.int.replace(/[09X]/gi, "#") + (m.point ? "." : "") + "#".repeat(f);
  const overflow = m.lead === "MI"
    ? `${signChar("MI")} || ${dollar} || '${hashes}'${trail}`
    : `${
      slot || m.lead === "S" ? `lpad(${signChar(m.lead)}, 1, ' ')` : "''"
    } || ${dollar} || '${hashes}'${trail}`;
  let out = `CASE WHEN ${over} THEN ${overflow} ELSE ${body} END`;
  if (m.fm) out = `replace(${out}, ' ', '')`;
  const inner = `list_transform([${t}], _nf_t -> ${out})[1]`;
  return `list_transform([${v}], _nf_v -> CASE WHEN _nf_v IS NULL THEN NULL ELSE ${
    wrap(inner)
  } END)[1]`;
}

const reEscape = (s: string) => s.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&").replaceAll(" ", " +");

/**
 * TO_NUMBER(text, fmt): DuckDB SQL of a DECIMAL(38, scale) read from `text` with the format's
 * alternatives (lax matching: spaces around, optional group separators and `$`). Text no
 * alternative matches is an error, or NULL when `tryIt`.
 */
export function parseNumberSql(text: string, fmt: string, tryIt: boolean, scale: number): string {
  const models = alternatives(fmt).map(parse);
  const arms = models.map((m) => {
    if (m.hex || m.blank) throw unsupported(fmt, "parsing hexadecimal or B");
    const pre = reEscape(m.prefix);
    const post = reEscape(m.suffix);
    let re: string;
    if (m.tm9) re = `^\\s*${pre}([-+]?)(\\d*)(?:\\.(\\d*))?()${post}\\s*$`;
    else {
      const digits = m.int.replaceAll(",", "");
      const k = digits.length;
      const first0 = digits.indexOf("0");
      const min = first0 < 0 ? 0 : k - first0;
      const fmin = m.frac.lastIndexOf("0") + 1;
      const sign = (s: Sign | undefined, def: boolean) =>
        s === "S" ? "([-+])" : s === "MI" || def ? "([-+]?)" : "()";
      const lead = sign(m.lead, m.lead === undefined && m.trail === undefined);
      re = `^\\s*${pre}${lead} *${m.dollar ? "\\$?" : ""}(\\d{${min},${k}})` +
        `(?:${fmin > 0 ? "\\." : "\\.?"}(\\d{${fmin},${m.frac.length}}))${
          m.point ? (fmin > 0 ? "" : "?") : "{0}"
        }${sign(m.trail, false)}${post}\\s*$`;
    }
    const src = m.int.includes(",") ? `replace(_nf_s, ',', '')` : "_nf_s";
    const g = (n: number) => `regexp_extract(${src}, ${qs(re)}, ${n})`;
    const num = `CASE WHEN ${g(1)} = '-' OR ${g(4)} = '-' THEN '-' ELSE '' END || ` +
      `CASE WHEN ${g(2)} = '' THEN '0' ELSE ${g(2)} END || '.' || ${g(3)} || '0'`;
    return `WHEN regexp_full_match(${src}, ${qs(re)}) AND ${g(2)} || ${g(3)} <> '' ` +
      `THEN CAST(${num} AS DECIMAL(38,${scale}))`;
  });
  const fail = tryIt ? "NULL" : `error('Numeric value ''' || _nf_s || ''' is not recognized')`;
  return `list_transform([${text}], _nf_s -> CASE WHEN _nf_s IS NULL THEN NULL ${
    arms.join(" ")
  } ELSE ${fail} END)[1]`;
}
