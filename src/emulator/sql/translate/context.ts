/**
 * What the translator works with: relations in scope and their columns (with Snowflake types),
 * translated expressions, and the resolver through which it reaches the catalog.
 *
 * @module
 */
import type { SfType } from "../../warehouse/types.ts";
import type { Node } from "../ast.ts";

/** A column of a relation: its Snowflake name and type, and how DuckDB names it. */
export interface Column {
  /** Stored Snowflake name (upper-case unless it was quoted). */
  readonly name: string;
  readonly type: SfType;
  /** The column's name in the emitted DuckDB SQL (unique within its relation). */
  readonly duck: string;
}

/** A translated expression. */
export interface Expr {
  /** DuckDB SQL text. */
  readonly sql: string;
  readonly type: SfType;
  /** Contains an aggregate call outside any window (for GROUP BY checks). */
  readonly aggregate?: boolean;
  /** Contains a window function. */
  readonly window?: boolean;
  /** A plain column reference, with the relation it came from. */
  readonly column?: { readonly relation: Relation; readonly column: Column };
  /** The expression is a literal constant (no column, no volatile function). */
  readonly constant?: boolean;
  /** An interval constant (`INTERVAL '2 hours'`), which only dates and timestamps take. */
  readonly interval?: { readonly dateOnly: boolean };
}

/** A catalog object a statement read, for dependency tracking. */
export interface ObjectRef {
  readonly id: number;
  readonly kind: string;
  readonly database: string;
  readonly schema: string;
  readonly name: string;
}

/** A relation in a FROM clause. */
export interface Relation {
  /** The name columns are qualified with (an alias, or the object's name), stored spelling. */
  readonly alias: string;
  /** Every other name it answers to (an unaliased table answers to `S.T` and `D.S.T`). */
  qualifiers: readonly string[][];
  /** The DuckDB alias it gets in the emitted SQL (unique within the statement). */
  readonly duckAlias: string;
  readonly columns: readonly Column[];
  /** The catalog object when it is one (table, view, dynamic table, stream). */
  readonly object?: ObjectRef;
  /** The AST node of the reference (for incremental analysis). */
  readonly node?: Node;
  /** Sequence numbers of GENERATOR rows (for SEQ4/SEQ8), when it is a generator. */
  readonly sequenceColumn?: string;
  /** True for the null-supplying side of an outer join (its columns may be NULL). */
  nullable?: boolean;
  /** The analysed block producing a derived table's or CTE's rows. */
  readonly block?: number;
  /** A table function or constant rows (no catalog object behind it). */
  readonly opaque?: boolean;
}

/** A resolved catalog object usable in FROM. */
export interface CatalogRelation {
  readonly ref: ObjectRef;
  readonly columns: readonly { readonly name: string; readonly type: SfType }[];
  /** DuckDB text to read it: a table name or a parenthesised query. */
  readonly sql: string;
  /** Has the hidden insertion-sequence column (tables and dynamic tables). */
  readonly sequenced: boolean;
  /** A view's query text (read instead of the view when views are inlined). */
  readonly definition?: string;
}

/** A SQL table function defined with CREATE FUNCTION … RETURNS TABLE. */
export interface CatalogTableFunction {
  readonly ref: ObjectRef;
  readonly params: readonly { readonly name: string; readonly type: SfType }[];
  readonly columns: readonly { readonly name: string; readonly type: SfType }[];
  /** The body's query text (Snowflake SQL). */
  readonly body: string;
}

/** A SQL scalar function (`CREATE FUNCTION … RETURNS <type> AS '<expression or query>'`). */
export interface CatalogScalarFunction {
  readonly ref: ObjectRef;
  readonly params: readonly { readonly name: string; readonly type: SfType }[];
  readonly returnType: SfType;
  /** The body's text (Snowflake SQL): an expression, or a query returning one value. */
  readonly body: string;
}

/** Session state the translation depends on. */
export interface SessionContext {
  readonly database: string;
  readonly schema: string;
  readonly user: string;
  readonly role: string | null;
  readonly warehouse: string | null;
  readonly account: string;
  readonly timezone: string;
  /**
   * Other session parameters set with ALTER SESSION (upper-case name → value text): the output
   * formats, WEEK_START, WEEK_OF_YEAR_POLICY… Absent or unset means Snowflake's default.
   */
  readonly parameters?: ReadonlyMap<string, string>;
  /** Id of the session's previous query (LAST_QUERY_ID()). */
  lastQueryId(n: number): string | null;
  /** Session variables (`$x`), by stored name. */
  readonly variables?: ReadonlyMap<string, SessionVariable>;
  /** Id of the session's open transaction (CURRENT_TRANSACTION()), or null. */
  readonly transactionId?: string | null;
  /** The session's id (QUERY_HISTORY_BY_SESSION's default). */
  readonly sessionId?: string;
}

import type { SessionVariable } from "../variables.ts";

/** What the translator asks the catalog. */
export interface Resolver {
  readonly session: SessionContext;
  /** A table, view, dynamic table or stream by (partial) name, or undefined. */
  relation(parts: readonly string[]): CatalogRelation | undefined;
  /** SQL of a boolean: whether stream `parts` has changes now (SYSTEM$STREAM_HAS_DATA). */
  streamHasData?(parts: readonly string[]): string;
  /**
   * Snowflake sequence `parts`: its catalog object and the DuckDB sequence behind it (qualified,
   * quoted), or undefined.
   */
  sequence?(
    parts: readonly string[],
  ): { readonly ref: ObjectRef; readonly duck: string } | undefined;
  /**
   * GET_DDL: the DDL of object `parts` of GET_DDL's object type `kind` (`TABLE`, `VIEW`, …), its
   * name qualified when `qualified`.
   */
  ddl?(kind: string, parts: readonly string[], qualified: boolean): string;
  /** A SQL table function by (partial) name. */
  tableFunction(parts: readonly string[]): CatalogTableFunction | undefined;
  /** A SQL scalar function by (partial) name. */
  scalarFunction?(parts: readonly string[]): CatalogScalarFunction | undefined;
  /** A table function the emulator itself provides (RESULT_SCAN, refresh history…). */
  systemTableFunction?(
    name: string,
    args: SystemFunctionArgs,
  ): CatalogRelation | undefined;
  /** Parses a query's text (a SQL function's body). */
  parseQuery?(text: string): Node;
  /** A relation of the INFORMATION_SCHEMA of `database` (TABLES, COLUMNS, VIEWS…). */
  informationSchema?(database: string, name: string): CatalogRelation | undefined;
}

/** Arguments of a system table function, evaluated to constants. */
export interface SystemFunctionArgs {
  readonly positional: readonly (string | number | boolean | null)[];
  readonly named: ReadonlyMap<string, string | number | boolean | null>;
}

/** A bound parameter value as the driver sent it. */
export interface BindValue {
  /** The driver's type name: TEXT, FIXED, REAL, BOOLEAN, DATE, TIMESTAMP_NTZ, … */
  readonly type: string;
  readonly value: string | null;
}

/** A translated query: DuckDB SQL and its output columns. */
export interface TranslatedQuery {
  readonly sql: string;
  readonly columns: readonly Column[];
  /** The analysed block of its output (when analysing). */
  readonly block?: number;
}
