/**
 * Snowflake-shaped SQL errors: the six-digit code, the SQLSTATE and the message text that
 * snowflake-sdk surfaces, with the codes Snowflake uses for the same mistakes.
 *
 * @module
 */

/** A Snowflake-shaped SQL error: the driver surfaces `code`, `sqlState` and `message`. */
export class SqlError extends Error {
  /** Six-digit Snowflake error code, e.g. `002003`. */
  readonly code: string;
  /** ANSI SQLSTATE, e.g. `42S02`. */
  readonly sqlState: string;
  constructor(code: string, sqlState: string, message: string) {
    super(message);
    this.name = "SqlError";
    this.code = code;
    this.sqlState = sqlState;
  }
}

/** Errors the emulator raises, by what went wrong. */
export const SQL_ERRORS = {
  /** An INSERT (or a pipe's COPY) whose values are not as many as its target columns. */
  valueCount: (expected: number, got: number) =>
    new SqlError(
      "002020",
      "21S01",
      `SQL compilation error:\nInsert value list does not match column list expecting ${expected} but got ${got}`,
    ),
  /** A table, view or other object that does not exist. */
  doesNotExist: (what: string, kind = "Object") =>
    new SqlError(
      "002003",
      "42S02",
      `SQL compilation error:\n${kind} '${what}' does not exist or not authorized.`,
    ),
  /**
   * A column or other name that resolves to nothing, at its place in the statement when known
   * (line from 1, position from 0, as Snowflake counts; Snowflake too says line 0 at position -1
   * when it has no place).
   */
  invalidIdentifier: (name: string, at?: { line: number; column: number }) =>
    new SqlError(
      "000904",
      "42000",
      `SQL compilation error: error line ${at?.line ?? 0} at position ${
        at ? at.column - 1 : -1
      }\ninvalid identifier '${name}'`,
    ),
  /** A name that resolves to more than one column. */
  ambiguous: (name: string) =>
    new SqlError("002028", "42601", `SQL compilation error:\nambiguous column name '${name}'`),
  alreadyExists: (what: string, kind = "Object") =>
    new SqlError("002002", "42710", `SQL compilation error:\n${kind} '${what}' already exists.`),
  syntax: (detail: string) =>
    new SqlError("001003", "42000", `SQL compilation error:\nsyntax error ${detail}`),
  /** A construct the emulator does not run; the message names it. */
  unsupported: (construct: string) =>
    new SqlError(
      "000002",
      "0A000",
      `Unsupported feature '${construct}'. (liftline emulator: see docs/emulator.md for what it runs)`,
    ),
  unknownFunction: (name: string) =>
    new SqlError(
      "002140",
      "42601",
      `SQL compilation error:\nUnknown function ${name}`,
    ),
  invalidProperty: (property: string, value: string) =>
    new SqlError(
      "001008",
      "22023",
      `SQL compilation error:\ninvalid value [${value}] for parameter '${property}'`,
    ),
  binds: (expected: number, got: number) =>
    new SqlError(
      "002049",
      "42601",
      `SQL compilation error: error line 0 at position -1\nBind variable ${
        got < expected ? `:${got + 1}` : ""
      } not set. The statement has ${expected} bind variables, ${got} were given.`,
    ),
  multipleStatements: (count: number, desired = 1) =>
    new SqlError(
      "000008",
      "0A000",
      `Actual statement count ${count} did not match the desired statement count ${desired}.`,
    ),
  /** A MERGE whose result would depend on which of several joined source rows wins. */
  duplicateRow: (values: string) =>
    new SqlError(
      "100090",
      "42P18",
      `Duplicate row detected during DML action\nRow Values: [${values}]`,
    ),
  divisionByZero: () => new SqlError("100051", "22012", "Division by zero"),
  /** A value that cannot be cast, e.g. a string into NUMBER. */
  /**
   * A value its type does not read, with Snowflake's code for the type the message names: a date
   * 100040 and a timestamp 100035 (22007), a boolean 100037, a number 100038 (22018).
   */
  notRecognized: (message: string) =>
    /^Date '/.test(message)
      ? new SqlError("100040", "22007", message)
      : /^Timestamp '/.test(message)
      ? new SqlError("100035", "22007", message)
      : /^Boolean value '/.test(message)
      ? new SqlError("100037", "22018", message)
      : new SqlError("100038", "22018", message),
  invalidArgument: (message: string) =>
    new SqlError(
      "001044",
      "42P13",
      `SQL compilation error: error line 0 at position -1\n${message}`,
    ),
  typeMismatch: (message: string) =>
    new SqlError("002023", "22000", `SQL compilation error:\n${message}`),
  /** DML on an object that does not accept it (a view, a dynamic table, a stream). */
  notInsertable: (what: string, kind: string) =>
    new SqlError(
      "002261",
      "42601",
      `SQL compilation error:\n${kind} '${what}' cannot be modified with DML.`,
    ),
  staleStream: (name: string) =>
    new SqlError(
      "091901",
      "55000",
      `Base table of stream ${name} was dropped or replaced; the stream is stale. Recreate it.`,
    ),
} as const;
