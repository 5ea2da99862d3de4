/**
 * Snowflake's regular expression functions on DuckDB (RE2): the optional `position`,
 * `occurrence`, `regex_parameters` and `group_num` arguments of REGEXP_SUBSTR, REGEXP_REPLACE,
 * REGEXP_COUNT, REGEXP_INSTR, REGEXP_LIKE and REGEXP_SUBSTR_ALL.
 *
 * The parameters are Snowflake's (https://docs.snowflake.com/en/sql-reference/functions-regexp):
 * `c` case-sensitive (the default), `i` case-insensitive (the last of `c` and `i` wins), `m`
 * multi-line (`^` and `$` match at line breaks), `s` (`.` matches a newline), `e` (extract the
 * first group). They become RE2's inline flags in front of the pattern, not DuckDB's option
 * letters, whose `m` and `s` mean something else.
 *
 * @module
 */
import { SQL_ERRORS } from "../errors.ts";
import { qs } from "./quote.ts";

/** Regular expression parameters, read. */
export interface RegexParams {
  /** RE2 inline flags for the pattern (`(?is)`), or "". */
  flags: string;
  /** `e`: extract a group (the first unless group_num says otherwise). */
  extract: boolean;
}

/** Reads a constant `regex_parameters` string (undefined: the default, `c`). */
export function regexParams(fn: string, text: string | undefined): RegexParams {
  let insensitive = false, multiline = false, dotAll = false, extract = false;
  for (const ch of text ?? "") {
    if (ch === "c") insensitive = false;
    else if (ch === "i") insensitive = true;
    else if (ch === "m") multiline = true;
    else if (ch === "s") dotAll = true;
    else if (ch === "e") extract = true;
    else {
      throw SQL_ERRORS.invalidArgument(
        `Invalid parameter '${ch}' for function ${fn}: regular expression parameters are c, i, m, e, s.`,
      );
    }
  }
  const flags = (insensitive ? "i" : "") + (multiline ? "m" : "") + (dotAll ? "s" : "");
  return { flags: flags ? `(?${flags})` : "", extract };
}

/** The pattern with the parameters' inline flags in front (a literal stays a literal). */
export function flagged(pattern: string, params: RegexParams): string {
  if (!params.flags) return pattern;
  const literal = /^'((?:[^']|'')*)'$/s.exec(pattern);
  if (literal) return qs(params.flags + literal[1].replaceAll("''", "'"));
  return `(${qs(params.flags)} || ${pattern})`;
}

/** The subject from character `position` (1-based) on. */
export function fromPosition(subject: string, position: string | undefined): string {
  return position === undefined ? subject : `substr(${subject}, ${position})`;
}

/**
 * The 1-based start, within `s`, of the `k`-th match of `pat` (NULL-free when there are at
 * least k matches): the lengths of the first k pieces between matches and of the k - 1 matches.
 */
export function nthMatchStart(s: string, pat: string, k: string): string {
  const parts = `regexp_split_to_array(${s}, ${pat})`;
  const matches = `regexp_extract_all(${s}, ${pat})`;
  const lengths = (l: string, n: string) =>
    `COALESCE(list_sum(list_transform(list_slice(${l}, 1, ${n}), _ll_x -> length(_ll_x))), 0)`;
  return `CAST(1 + ${lengths(parts, k)} + ${lengths(matches, `${k} - 1`)} AS BIGINT)`;
}

/** The number of matches of `pat` in `s`. */
export function matchCount(s: string, pat: string): string {
  return `len(regexp_extract_all(${s}, ${pat}))`;
}

/**
 * REGEXP_REPLACE from `position`: every match when `occurrence` is 0, else only the
 * occurrence-th; the characters before `position` are kept as they are.
 */
export function replaceSql(
  subject: string,
  pat: string,
  replacement: string,
  position: string | undefined,
  occurrence: string | undefined,
  occurrenceValue: number | undefined,
): string {
  const head = position === undefined ? "" : `left(${subject}, ${position} - 1) || `;
  const s = fromPosition(subject, position);
  const all = `regexp_replace(${s}, ${pat}, ${replacement}, 'g')`;
  if (occurrence === undefined || occurrenceValue === 0) return head ? `(${head}${all})` : all;
  const start = nthMatchStart(s, pat, occurrence);
  // From the occurrence-th match's start, its first match is that match: replace it only.
  const nth = `CASE WHEN ${
    matchCount(s, pat)
  } < ${occurrence} THEN ${s} ELSE left(${s}, ${start} - 1) || regexp_replace(substr(${s}, ${start}), ${pat}, ${replacement}) END`;
  const one = occurrenceValue === undefined
    ? `CASE WHEN ${occurrence} = 0 THEN ${all} ELSE ${nth} END`
    : nth;
  return `(${head}${one})`;
}
