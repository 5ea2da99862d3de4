/**
 * Snowflake queries to DuckDB SQL. The translator walks the parser's tree with scopes, resolves
 * every name against the catalog (Snowflake's rules: unquoted names upper-case, select-list
 * aliases usable in WHERE, GROUP BY, HAVING and QUALIFY, positional `$n` columns), types every
 * expression with Snowflake's types, and emits DuckDB SQL whose values are Snowflake's: exact
 * fixed-point division, NULL ordering, implicit casts.
 *
 * Anything it does not know is refused with an error naming the construct; it never passes
 * unknown syntax through to DuckDB, whose dialect would silently give other answers.
 *
 * @module
 */
import { once } from "./once.ts";
import {
  type Ident,
  identName,
  type Node,
  objectNameParts,
  payload,
  sourceText,
  startOf,
  variant,
} from "../ast.ts";
import { SQL_ERRORS, SqlError } from "../errors.ts";
import { duckType, type SfType, T } from "../../warehouse/types.ts";
import type {
  BindValue,
  CatalogRelation,
  CatalogScalarFunction,
  Column,
  Expr,
  ObjectRef,
  Relation,
  Resolver,
  SystemFunctionArgs,
  TranslatedQuery,
} from "./context.ts";
import { addSubtract, divide, modulo, multiply, numberLiteral } from "./numeric.ts";
import { castTo, commonType, comparable, dataTypeOf, variantAs } from "./types.ts";
import { nextvalSql, qi, qs } from "./quote.ts";
import { callFunction, isAggregateName, isWindowOnlyName } from "./functions.ts";
import { castExpr, floatText, variantOf } from "./casts.ts";
import { selectItemText } from "./item_text.ts";
import { intervalConstant } from "./interval.ts";
import { pivot, unpivot } from "./pivot.ts";
import { noSuchVariable, type SessionVariable, variableExpr, variableName } from "../variables.ts";

/** Calls that build a VARIANT, OBJECT or ARRAY, which Snowflake's VALUES clause refuses. */
const SEMI_STRUCTURED_BUILDERS = new Set([
  "PARSE_JSON",
  "TRY_PARSE_JSON",
  "PARSE_XML",
  "ARRAY_CONSTRUCT",
  "ARRAY_CONSTRUCT_COMPACT",
  "OBJECT_CONSTRUCT",
  "OBJECT_CONSTRUCT_KEEP_NULL",
  "TO_VARIANT",
  "TO_ARRAY",
  "TO_OBJECT",
]);

/** Options of one translation. */
export interface TranslateOptions {
  /** The statement's text (for Snowflake's derived column names). */
  readonly source: string;
  /** Values of `?` and `:n` placeholders. */
  readonly binds?: readonly BindValue[];
  /**
   * Replaces a catalog object's rows with other DuckDB SQL (a parenthesised query with the same
   * columns): the incremental refresh reads restricted or delta versions of its sources this way.
   */
  readonly override?: (
    ref: ObjectRef,
    rel: CatalogRelation,
    duckAlias: string,
  ) => string | undefined;
  /** Record each SELECT block's structure (for dynamic tables' incremental refresh). */
  readonly analyze?: boolean;
  /** Read views as their definitions (so that their tables can be overridden). */
  readonly inlineViews?: boolean;
  /**
   * Values the statement's shape depends on (the columns of `PIVOT … IN (ANY)`), by the DuckDB
   * query that finds them: a translation that needs one not here throws {@link ValuesNeeded}.
   */
  readonly lookups?: ReadonlyMap<string, readonly string[]>;
}

/**
 * Thrown by a translation that needs the rows of `sql` (DuckDB SQL, one text column) before it
 * can go on: the engine runs it, and translates the statement again with its values.
 */
export class ValuesNeeded extends Error {
  constructor(readonly sql: string) {
    super("a translation needs values from the warehouse first");
  }
}

/** A relation of an analysed block. */
export interface BlockRelation {
  readonly duckAlias: string;
  /** A catalog object (table, dynamic table) read directly. */
  readonly object?: ObjectRef;
  /** The block producing a derived table's or CTE's rows. */
  readonly block?: number;
  /** A table function or constant relation: no lineage. */
  readonly opaque?: boolean;
  nullable: boolean;
}

/** One SELECT block (or set operation) as the incremental analysis sees it. */
export interface BlockInfo {
  readonly id: number;
  readonly kind: "select" | "setop";
  readonly relations: BlockRelation[];
  /** Output columns: DuckDB alias and SQL over the block's relations. */
  readonly outputs: { duck: string; sql: string; aggregate: boolean; window: boolean }[];
  /** For a set operation: the branch blocks (outputs match by position). */
  readonly branches: number[];
  /** GROUP BY expressions (SQL), or null without GROUP BY. */
  groupKeys: string[] | null;
  /** PARTITION BY lists of the block's window functions. */
  readonly windows: string[][];
  /** Equalities of inner join conditions and WHERE conjuncts: [left SQL, right SQL]. */
  readonly equalities: [string, string][];
  distinct: boolean;
  limit: boolean;
  aggregate: boolean;
  /** Why the block cannot be refreshed incrementally, if it cannot. */
  readonly blockers: string[];
}

/** A CTE visible to a query. */
interface CteInfo {
  readonly duckName: string;
  readonly columns: readonly Column[];
  readonly block?: number;
}

/** A name scope: the relations of one FROM, the select list's aliases, the enclosing scope. */
export class Scope {
  readonly relations: Relation[] = [];
  /** The block being analysed, when analysing. */
  block?: BlockInfo;
  /** Select-list aliases, available to WHERE, GROUP BY, HAVING, QUALIFY and later select items. */
  readonly aliases = new Map<string, Expr>();
  /** Columns merged by USING / NATURAL joins: name → SQL of the merged value. */
  readonly merged = new Map<string, Expr>();
  readonly parent: Scope | undefined;
  readonly ctes: Map<string, CteInfo>;
  constructor(parent: Scope | undefined, ctes?: Map<string, CteInfo>) {
    this.parent = parent;
    this.ctes = ctes ?? new Map(parent?.ctes ?? []);
  }
}

/** Where an expression sits: what it may contain. */
export interface ExprContext {
  readonly scope: Scope;
  /** Aggregates allowed (select list, HAVING, QUALIFY, ORDER BY of a grouped query). */
  readonly aggregates: boolean;
  /** Select aliases may be referenced (and win over nothing: columns are tried first). */
  readonly aliases: boolean;
}

const NUMBERED_PLACEHOLDER = /^:(\d+)$/;

/** Comparison operators (of `a = b` and of ANY and ALL), by the parser's name. */
const COMPARISONS: Record<string, string> = {
  Eq: "=",
  NotEq: "<>",
  Lt: "<",
  LtEq: "<=",
  Gt: ">",
  GtEq: ">=",
};

/**
 * Iterations a recursive CTE may run, Snowflake's MAX_RECURSIONS default: past it the statement
 * fails with {@link RECURSION_EXCEEDED} (Snowflake's words) rather than run for ever.
 */
export const MAX_RECURSIONS = 100;
/** The message of a recursion past {@link MAX_RECURSIONS}. */
export const RECURSION_EXCEEDED = `Recursion exceeded max iteration count (${MAX_RECURSIONS})`;
/** The hidden column of a recursive CTE's rows that counts their iteration. */
const RECURSION_COLUMN = '"$recursion"';

/** Translates one statement's queries and expressions. */
export class Translator {
  readonly resolver: Resolver;
  readonly options: TranslateOptions;
  /** Catalog objects the statement read. */
  readonly objects = new Map<number, ObjectRef>();
  #aliasCounter = 0;
  #nextBind = 0;
  /** Binds consumed (to check the count). */
  bindsUsed = 0;
  /** Analysed blocks (with `analyze`). */
  readonly blocks: BlockInfo[] = [];
  /** How many times each CTE block is referenced. */
  readonly cteUses = new Map<number, number>();
  /** Why the statement cannot be refreshed incrementally, outside any block. */
  readonly blockers: string[] = [];

  constructor(resolver: Resolver, options: TranslateOptions) {
    this.resolver = resolver;
    this.options = options;
  }

  /** A fresh DuckDB alias. */
  fresh(prefix = "t"): string {
    return `${prefix}${++this.#aliasCounter}`;
  }

  #newBlock(kind: "select" | "setop"): BlockInfo | undefined {
    if (!this.options.analyze) return undefined;
    const b: BlockInfo = {
      id: this.blocks.length,
      kind,
      relations: [],
      outputs: [],
      branches: [],
      groupKeys: null,
      windows: [],
      equalities: [],
      distinct: false,
      limit: false,
      aggregate: false,
      blockers: [],
    };
    this.blocks.push(b);
    return b;
  }

  /** Records why the statement cannot be refreshed incrementally. */
  blocker(scope: Scope | undefined, reason: string): void {
    if (!this.options.analyze) return;
    (scope?.block?.blockers ?? this.blockers).push(reason);
  }

  /** Records the equalities among `node`'s AND-ed conjuncts for the analysis. */
  #recordEqualities(node: Node, ctx: ExprContext): void {
    const block = ctx.scope.block;
    if (!block) return;
    const conjuncts: Node[] = [];
    const split = (n: Node) => {
      if (variant(n) === "BinaryOp" && n.BinaryOp.op === "And") {
        split(n.BinaryOp.left);
        split(n.BinaryOp.right);
      } else if (variant(n) === "Nested") split(n.Nested);
      else conjuncts.push(n);
    };
    split(node);
    for (const c of conjuncts) {
      if (variant(c) !== "BinaryOp" || c.BinaryOp.op !== "Eq") continue;
      const a = this.expr(c.BinaryOp.left, ctx), b = this.expr(c.BinaryOp.right, ctx);
      const [x, y] = comparable(a, b);
      block.equalities.push([x, y]);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Queries

  /** Translates a `Query` node (WITH, body, ORDER BY, LIMIT). */
  query(q: Node, outer?: Scope): TranslatedQuery {
    const scope = new Scope(outer);
    const withParts: string[] = [];
    if (q.with) {
      for (const cte of q.with.cte_tables ?? []) {
        const name = identName(cte.alias.name as Ident);
        const renames: Ident[] = (cte.alias.columns ?? []).map((c: Node) => c.name ?? c);
        const rename = (columns: readonly Column[]): readonly Column[] => {
          if (!renames.length) return columns;
          if (renames.length !== columns.length) {
            throw SQL_ERRORS.syntax(
              `CTE ${name} names ${renames.length} columns for ${columns.length}.`,
            );
          }
          return columns.map((c, i) => ({ ...c, name: identName(renames[i]) }));
        };
        const duckName = this.fresh("cte");
        if (q.with.recursive && referencesName(cte.query, name)) {
          withParts.push(
            `${qi(duckName)} AS (${
              this.#recursiveCte(cte.query, name, duckName, rename, outer, scope)
            })`,
          );
          continue;
        }
        const sub = this.query(cte.query, new Scope(outer, scope.ctes));
        withParts.push(`${qi(duckName)} AS (${sub.sql})`);
        scope.ctes.set(name, { duckName, columns: rename(sub.columns), block: sub.block });
      }
    }
    if (variant(q.body) === "Select" && payload(q.body).top) this.#topAsLimit.add(payload(q.body));
    const body = this.setExpr(q.body, scope);
    let sql = body.sql;
    const orderBy = q.order_by?.kind?.Expressions ??
      (q.order_by?.kind === "All" ? null : q.order_by?.exprs);
    if (q.order_by && !orderBy) throw SQL_ERRORS.unsupported("ORDER BY ALL");
    let needsWrap = false;
    if (orderBy?.length) {
      const items = orderBy.map((o: Node) => this.orderItem(o, body));
      if (body.orderScope) sql += ` ORDER BY ${items.join(", ")}`;
      else {
        needsWrap = true;
        sql = `SELECT * FROM (${sql}) ORDER BY ${items.join(", ")}`;
      }
    }
    const limit = this.limitClause(q, scope);
    sql += limit;
    if (limit && body.block !== undefined) this.blocks[body.block].limit = true;
    void needsWrap;
    if (withParts.length) {
      sql = `WITH ${q.with.recursive ? "RECURSIVE " : ""}${withParts.join(", ")} ${sql}`;
    }
    return { sql, columns: body.columns, block: body.block };
  }

  /**
   * A recursive CTE: `anchor UNION [ALL] recursive part`. The anchor fixes the column types,
   * widened so the recursion can grow them (as Snowflake does for `indent || '...'`); a NULL
   * anchor column takes the recursive part's type. Registers the CTE and returns its body.
   */
  #recursiveCte(
    query: Node,
    name: string,
    duckName: string,
    rename: (columns: readonly Column[]) => readonly Column[],
    outer: Scope | undefined,
    scope: Scope,
  ): string {
    this.blocker(scope, "a recursive CTE");
    // `WITH RECURSIVE c AS ((anchor UNION ALL part))`: parentheses add a nested query.
    let q = query;
    while (q.body?.Query && !q.order_by && !q.limit_clause && !q.with) q = q.body.Query;
    const op = q.body?.SetOperation;
    if (!op || op.op !== "Union" || q.order_by || q.limit_clause || q.with) {
      throw SQL_ERRORS.unsupported(
        `recursive CTE ${name} that is not <anchor> UNION [ALL] <recursive part>`,
      );
    }
    const anchor = this.setExpr(op.left, new Scope(outer, scope.ctes));
    const widened = anchor.columns.map((c) => ({ ...c, type: widen(c.type) }));
    scope.ctes.set(name, { duckName, columns: rename(widened) });
    const outerRecursion = this.#recursion;
    this.#recursion = { duckName, aliases: new Set() };
    let recursive: SetResult;
    try {
      recursive = this.setExpr(op.right, new Scope(outer, scope.ctes));
    } finally {
      this.#recursion = outerRecursion;
    }
    if (recursive.columns.length !== widened.length) {
      throw SQL_ERRORS.syntax(
        `The anchor and recursive parts of CTE ${name} have different numbers of columns.`,
      );
    }
    const types = widened.map((c, i) =>
      c.type.kind === "NULL" ? widen(recursive.columns[i].type) : c.type
    );
    const columns = widened.map((c, i) => ({ ...c, type: types[i] }));
    scope.ctes.set(name, { duckName, columns: rename(columns) });
    const casts = columns.map((c) => `CAST(${qi(c.duck)} AS ${duckType(c.type)}) AS ${qi(c.duck)}`);
    const all = op.set_quantifier === "All" ? " ALL" : "";
    // The anchor's rows are iteration 0; each row of the recursive part carries its source
    // row's count plus one (see #select), so a recursion without end fails instead of running
    // for ever. UNION (not ALL) compares the count too: rows of different iterations stay apart,
    // and the recursion still ends, by the cap, where Snowflake's does.
    return `SELECT ${
      casts.join(", ")
    }, 0 AS ${RECURSION_COLUMN} FROM (${anchor.sql}) UNION${all} ${recursive.sql}`;
  }

  /** SELECTs whose TOP their query applies as its LIMIT. */
  readonly #topAsLimit = new WeakSet<Node>();

  /**
   * The recursive CTE whose recursive part is being translated: its DuckDB name, and the aliases
   * its self-references got (each carries the iteration count, see {@link MAX_RECURSIONS}).
   */
  #recursion: { duckName: string; aliases: Set<string> } | undefined;

  #topCount(top: Node): number {
    if (top.percent || top.with_ties) throw SQL_ERRORS.unsupported("TOP … PERCENT | WITH TIES");
    const q = top.quantity;
    const n = variant(q) === "Constant" ? Number(payload(q)) : NaN;
    if (!Number.isInteger(n) || n < 0) throw SQL_ERRORS.syntax("TOP must be a constant integer.");
    return n;
  }

  #constantInt(node: Node, scope: Scope, what: string): number {
    const e = this.expr(node, { scope, aggregates: false, aliases: false });
    const m = /^CAST\('(-?\d+)' AS DECIMAL\(\d+,0\)\)$/.exec(e.sql) ?? /^(-?\d+)$/.exec(e.sql);
    if (m) return Number(m[1]);
    const s = /^'(-?\d+)'$/.exec(e.sql);
    if (s) return Number(s[1]);
    throw SQL_ERRORS.syntax(`${what} must be a constant integer.`);
  }

  limitClause(q: Node, scope: Scope): string {
    let limit: number | undefined, offset: number | undefined;
    const lc = q.limit_clause;
    if (lc) {
      const v = variant(lc);
      const p = payload(lc);
      if (v === "LimitOffset") {
        if (p.limit) limit = this.#constantInt(p.limit, scope, "LIMIT");
        if (p.offset) offset = this.#constantInt(p.offset.value, scope, "OFFSET");
        if (p.limit_by?.length) throw SQL_ERRORS.unsupported("LIMIT BY");
      } else if (v === "OffsetCommaLimit") {
        offset = this.#constantInt(p.offset, scope, "OFFSET");
        limit = this.#constantInt(p.limit, scope, "LIMIT");
      }
    }
    if (q.fetch) {
      if (q.fetch.percent) throw SQL_ERRORS.unsupported("FETCH … PERCENT");
      limit = q.fetch.quantity ? this.#constantInt(q.fetch.quantity, scope, "FETCH") : 1;
    }
    // SELECT TOP n … ORDER BY …: Snowflake's TOP is a LIMIT taken after the ORDER BY.
    const top = variant(q.body) === "Select" ? payload(q.body).top : undefined;
    if (top && limit === undefined) limit = this.#topCount(top);
    let out = "";
    if (limit !== undefined) out += ` LIMIT ${limit}`;
    if (offset !== undefined) out += ` OFFSET ${offset}`;
    return out;
  }

  /** An ORDER BY item over a query body's output (or its FROM scope, when it has one). */
  orderItem(o: Node, body: SetResult): string {
    const e = o.expr;
    let sql: string;
    const v = variant(e);
    if (v === "Value" && e.Value.value?.Number) {
      const n = Number(e.Value.value.Number[0]);
      if (!Number.isInteger(n) || n < 1 || n > body.columns.length) {
        throw SQL_ERRORS.syntax(`ORDER BY position ${n} is not in the select list.`);
      }
      sql = String(n);
    } else {
      const name = v === "Identifier" ? identName(e.Identifier) : undefined;
      const out = name !== undefined ? body.columns.filter((c) => c.name === name) : [];
      if (out.length === 1 && (!body.orderScope || !this.#isSourceColumn(name!, body.orderScope))) {
        sql = qi(out[0].duck);
      } else if (body.orderScope) {
        sql = this.expr(e, { scope: body.orderScope, aggregates: true, aliases: true }).sql;
      } else if (out.length === 1) {
        sql = qi(out[0].duck);
      } else {
        throw SQL_ERRORS.invalidIdentifier(
          name ?? sourceText(this.options.source, e) ?? "?",
          startOf(e),
        );
      }
    }
    const asc = o.options?.asc;
    const nullsFirst = o.options?.nulls_first;
    // Snowflake sorts NULL as the largest value: last ascending, first descending.
    const dir = asc === false ? " DESC" : " ASC";
    const nulls = nullsFirst === true
      ? " NULLS FIRST"
      : nullsFirst === false
      ? " NULLS LAST"
      : asc === false
      ? " NULLS FIRST"
      : " NULLS LAST";
    return sql + dir + nulls;
  }

  /**
   * True when `name` names exactly one column of the query's sources. A name two joined tables
   * share (ambiguous there) goes to the output column of that name, as in Snowflake.
   */
  #isSourceColumn(name: string, scope: Scope): boolean {
    if (scope.merged.has(name)) return true;
    let found = 0;
    for (const r of scope.relations) for (const c of r.columns) if (c.name === name) found++;
    return found === 1;
  }

  /** Translates a query body: SELECT, set operation, VALUES or a nested query. */
  setExpr(body: Node, scope: Scope): SetResult {
    const v = variant(body);
    const p = payload(body);
    switch (v) {
      case "Select":
        return this.select(p, scope);
      case "Query": {
        const sub = this.query(p, scope.parent);
        return { sql: sub.sql, columns: sub.columns, block: sub.block };
      }
      case "SetOperation": {
        const left = this.setExpr(p.left, new Scope(scope.parent, scope.ctes));
        const right = this.setExpr(p.right, new Scope(scope.parent, scope.ctes));
        if (/ByName$/.test(String(p.set_quantifier))) {
          return this.#unionByName(p, left, right);
        }
        if (left.columns.length !== right.columns.length) {
          throw new SqlError(
            "001789",
            "42601",
            `SQL compilation error:\ninvalid number of result columns for set operator input branches, expected ${left.columns.length}, got ${right.columns.length} in branch 2`,
          );
        }
        const op =
          ({ Union: "UNION", Except: "EXCEPT", Intersect: "INTERSECT", Minus: "EXCEPT" } as Record<
            string,
            string
          >)[p.op];
        if (!op) throw SQL_ERRORS.unsupported(`set operator ${p.op}`);
        const q = p.set_quantifier;
        const quant = q === "All"
          ? " ALL"
          : q === "Distinct" || q === "None" || !q
          ? ""
          : undefined;
        if (quant === undefined) throw SQL_ERRORS.unsupported(`${op} ${q}`);
        if (op !== "UNION" && quant === " ALL") throw SQL_ERRORS.unsupported(`${op} ALL`);
        const columns = left.columns.map((c, i) => ({
          ...c,
          type: commonType([c.type, right.columns[i].type]),
        }));
        // Each branch is cast to the common type so that DuckDB does not pick another.
        const l = this.#castColumns(left, columns);
        const r = this.#castColumns(right, columns);
        const block = this.#newBlock("setop");
        if (block) {
          for (const br of [left, right]) if (br.block !== undefined) block.branches.push(br.block);
          if (block.branches.length !== 2) block.blockers.push("a set operation over VALUES");
          block.outputs.push(
            ...columns.map((c) => ({
              duck: c.duck,
              sql: qi(c.duck),
              aggregate: false,
              window: false,
            })),
          );
        }
        return { sql: `(${l}) ${op}${quant} (${r})`, columns, block: block?.id };
      }
      case "Values":
        return this.values(p, scope);
      case "Table":
        throw SQL_ERRORS.unsupported("TABLE t as a query");
    }
    throw SQL_ERRORS.unsupported(v || "this query");
  }

  /**
   * `UNION [ALL] BY NAME`: columns matched by name, not place. The first query's columns come
   * first, then those only the second has; a column one side lacks is NULL there.
   */
  #unionByName(p: Node, left: SetResult, right: SetResult): SetResult {
    if (p.op !== "Union") throw SQL_ERRORS.unsupported(`${String(p.op).toUpperCase()} BY NAME`);
    const names = [...new Set([...left.columns, ...right.columns].map((c) => c.name))];
    const find = (b: SetResult, name: string) => b.columns.find((c) => c.name === name);
    const columns: Column[] = names.map((name, i) => {
      const types = [find(left, name), find(right, name)].filter((c) => c).map((c) => c!.type);
      return { name, type: commonType(types), duck: `c${i}` };
    });
    const branch = (b: SetResult) =>
      `SELECT ${
        columns.map((c) => {
          const own = find(b, c.name);
          const value = own
            ? castTo(qi(own.duck), own.type, c.type)
            : `CAST(NULL AS ${duckType(c.type)})`;
          return `${value} AS ${qi(c.duck)}`;
        }).join(", ")
      } FROM (${b.sql}) AS ${qi(this.fresh("u"))}`;
    const all = p.set_quantifier === "AllByName" ? " ALL" : "";
    // A block the analysis cannot follow: a dynamic table over it refreshes in full.
    this.blocker(undefined, "UNION BY NAME");
    return { sql: `(${branch(left)}) UNION${all} (${branch(right)})`, columns };
  }

  #castColumns(branch: SetResult, columns: readonly Column[]): string {
    const casts = branch.columns.map((c, i) =>
      castTo(qi(c.duck), c.type, columns[i].type) === qi(c.duck)
        ? qi(c.duck)
        : `${castTo(qi(c.duck), c.type, columns[i].type)} AS ${qi(c.duck)}`
    );
    if (casts.every((c, i) => c === qi(branch.columns[i].duck))) return branch.sql;
    const a = this.fresh("u");
    return `SELECT ${casts.map((c) => c.replaceAll(/^/g, "")).join(", ")} FROM (${branch.sql}) AS ${
      qi(a)
    }`;
  }

  /** `VALUES (…), (…)` as a query: columns COLUMN1, COLUMN2, … */
  /**
   * Snowflake's VALUES takes no call that builds a semi-structured value (PARSE_JSON,
   * ARRAY_CONSTRUCT…); `INSERT … SELECT` does. Refused here too, so that a script tested here
   * does not fail there.
   */
  checkValuesItem(e: Node): void {
    if (variant(e) !== "Function") return;
    const name = objectNameParts(payload(e).name).at(-1)?.toUpperCase() ?? "";
    if (!SEMI_STRUCTURED_BUILDERS.has(name)) return;
    throw new SqlError(
      "002014",
      "22000",
      `SQL compilation error:\nInvalid expression [${
        sourceText(this.options.source, e) ?? name
      }] in VALUES clause`,
    );
  }

  values(p: Node, scope: Scope): SetResult {
    const rows: Node[][] = (p.rows ?? []).map((r: Node) => r.content ?? r);
    if (!rows.length) throw SQL_ERRORS.syntax("VALUES needs at least one row.");
    const width = rows[0].length;
    const ctx: ExprContext = { scope, aggregates: false, aliases: false };
    const translated = rows.map((r) => {
      if (r.length !== width) {
        throw SQL_ERRORS.syntax("VALUES rows must all have the same number of values.");
      }
      return r.map((e) => {
        this.checkValuesItem(e);
        return this.expr(e, ctx);
      });
    });
    const types = Array.from(
      { length: width },
      (_, i) => commonType(translated.map((r) => r[i].type)),
    );
    const columns: Column[] = types.map((type, i) => ({
      name: `COLUMN${i + 1}`,
      type,
      duck: `COLUMN${i + 1}`,
    }));
    const body = translated.map((r) =>
      `(${r.map((e, i) => castTo(e.sql, e.type, types[i])).join(", ")})`
    ).join(", ");
    const a = this.fresh("v");
    return {
      sql: `SELECT * FROM (VALUES ${body}) AS ${qi(a)}(${
        columns.map((c) => qi(c.duck)).join(", ")
      })`,
      columns,
    };
  }

  /** Translates one SELECT block. */
  select(s: Node, scope: Scope): SetResult {
    if (s.into) throw SQL_ERRORS.unsupported("SELECT … INTO");
    // TOP of a query's own SELECT is its LIMIT (limitClause); elsewhere (a branch of a UNION) it
    // limits the block itself.
    const top = s.top && !this.#topAsLimit.has(s) ? this.#topCount(s.top) : undefined;
    if (s.lateral_views?.length) throw SQL_ERRORS.unsupported("LATERAL VIEW");
    if (s.connect_by?.length || s.connect_by?.condition) throw SQL_ERRORS.unsupported("CONNECT BY");
    const block = this.#newBlock("select");
    scope.block = block;
    const from: string[] = [];
    for (const twj of s.from ?? []) from.push(this.tableWithJoins(twj, scope));
    if (block) {
      for (const r of scope.relations) {
        block.relations.push({
          duckAlias: r.duckAlias,
          object: r.block === undefined && !r.opaque ? r.object : undefined,
          block: r.block,
          opaque: r.opaque || (r.object === undefined && r.block === undefined),
          nullable: !!r.nullable,
        });
      }
    }

    const ctx: ExprContext = { scope, aggregates: true, aliases: true };
    // Projection first: its aliases are visible to WHERE, GROUP BY, HAVING and QUALIFY.
    const items: { sql: string; column: Column }[] = [];
    const itemExprs = new Map<string, Expr>();
    const used = new Set<string>();
    const addItem = (name: string, e: Expr) => {
      let duck = name;
      for (let k = 2; used.has(duck.toUpperCase()); k++) duck = `${name}_${k}`;
      used.add(duck.toUpperCase());
      itemExprs.set(duck, e);
      items.push({ sql: `${e.sql} AS ${qi(duck)}`, column: { name, type: e.type, duck } });
      if (!scope.aliases.has(name)) scope.aliases.set(name, e);
    };
    for (const item of s.projection ?? []) {
      const v = variant(item);
      const p = payload(item);
      if (v === "UnnamedExpr") {
        const e = this.expr(p, ctx);
        addItem(this.derivedName(p, e), e);
      } else if (v === "ExprWithAlias") {
        const e = this.expr(p.expr, ctx);
        addItem(identName(p.alias), e);
      } else if (v === "Wildcard") {
        for (const [name, e] of this.expandStar(scope.relations, p, scope)) addItem(name, e);
      } else if (v === "QualifiedWildcard") {
        const parts = objectNameParts(p[0]?.ObjectName ?? p[0]);
        const rel = this.findRelation(scope, parts);
        if (!rel) throw SQL_ERRORS.invalidIdentifier(parts.join("."), startOf(p[0]));
        for (const [name, e] of this.expandStar([rel], p[1], scope)) addItem(name, e);
      } else if (v === "ExprWithAliases") {
        throw SQL_ERRORS.unsupported("a select item with several aliases");
      } else throw SQL_ERRORS.unsupported(v || "this select item");
    }

    // `SELECT * FROM TABLE(GENERATOR(…))`: the generator has no columns.
    if (!items.length) throw SQL_ERRORS.syntax("SELECT with no columns");
    const whereCtx: ExprContext = { scope, aggregates: false, aliases: true };
    let sql = `SELECT ${this.distinct(s.distinct, scope)}${items.map((i) => i.sql).join(", ")}`;
    const self = this.#recursion &&
      scope.relations.find((r) => this.#recursion!.aliases.has(r.duckAlias));
    if (self) {
      const n = `${qi(self.duckAlias)}.${RECURSION_COLUMN}`;
      sql += `, CASE WHEN ${n} >= ${MAX_RECURSIONS} THEN error(${
        qs(RECURSION_EXCEEDED)
      }) ELSE ${n} + 1 END AS ${RECURSION_COLUMN}`;
    }
    if (from.length) sql += ` FROM ${from.join(", ")}`;
    if (s.selection) {
      sql += ` WHERE ${this.condition(s.selection, whereCtx)}`;
      this.#recordEqualities(s.selection, whereCtx);
    }
    const groups = this.groupBy(s.group_by, scope, items.map((i) => i.column));
    if (groups) sql += ` GROUP BY ${groups === "ALL" ? "ALL" : groups.join(", ")}`;
    if (block) {
      block.distinct = !!s.distinct && s.distinct !== "None" && s.distinct !== "All";
      for (const i of items) {
        const e = itemExprs.get(i.column.duck)!;
        block.outputs.push({
          duck: i.column.duck,
          sql: e.sql,
          aggregate: !!e.aggregate,
          window: !!e.window,
        });
        if (e.aggregate) block.aggregate = true;
      }
      if (groups) {
        block.groupKeys = groups === "ALL"
          ? block.outputs.filter((o) => !o.aggregate && !o.window).map((o) => o.sql)
          : groups.map((g) => (/^\d+$/.test(g) ? block.outputs[Number(g) - 1].sql : g));
        if (groups !== "ALL" && groups.some((g) => /^(ROLLUP|CUBE|GROUPING SETS) \(/.test(g))) {
          block.blockers.push("GROUP BY ROLLUP, CUBE or GROUPING SETS");
        }
      }
      if (s.having) block.aggregate = true;
    }
    if (s.having) sql += ` HAVING ${this.condition(s.having, ctx)}`;
    if (s.named_window?.length) sql += ` WINDOW ${this.namedWindows(s.named_window, scope)}`;
    if (s.qualify) sql += ` QUALIFY ${this.condition(s.qualify, ctx)}`;
    if (top !== undefined) {
      sql += ` LIMIT ${top}`;
      if (block) block.limit = true;
    }
    return { sql, columns: items.map((i) => i.column), orderScope: scope, block: block?.id };
  }

  distinct(d: Node, scope: Scope): string {
    if (!d || d === "None") return "";
    if (d === "Distinct") return "DISTINCT ";
    if (variant(d) === "On") {
      const exprs = (payload(d) as Node[]).map((e) =>
        this.expr(e, { scope, aggregates: false, aliases: true }).sql
      );
      return `DISTINCT ON (${exprs.join(", ")}) `;
    }
    if (d === "All") return "";
    throw SQL_ERRORS.unsupported(`DISTINCT ${JSON.stringify(d)}`);
  }

  namedWindows(list: Node[], scope: Scope): string {
    return list.map((w: Node) => {
      const name = identName(w[0] ?? w.name);
      const spec = w[1]?.WindowSpec ?? w[1];
      return `${qi(name)} AS (${this.windowSpec(spec, scope)})`;
    }).join(", ");
  }

  /** The GROUP BY clause's items (SQL), `ALL`, or undefined. */
  groupBy(g: Node, scope: Scope, output: readonly Column[]): string[] | "ALL" | undefined {
    if (!g) return undefined;
    const v = variant(g);
    const p = payload(g);
    if (v === "All") return "ALL";
    if (v !== "Expressions") throw SQL_ERRORS.unsupported(`GROUP BY ${v}`);
    const exprs: Node[] = p[0] ?? [];
    const modifiers: Node[] = p[1] ?? [];
    if (modifiers.length) throw SQL_ERRORS.unsupported("GROUP BY … WITH ROLLUP/CUBE/TOTALS");
    if (!exprs.length) return undefined;
    const ctx: ExprContext = { scope, aggregates: false, aliases: true };
    return exprs.map((e) => this.groupItem(e, ctx, output));
  }

  groupItem(e: Node, ctx: ExprContext, output: readonly Column[]): string {
    const v = variant(e);
    if (v === "Value" && e.Value.value?.Number) {
      const n = Number(e.Value.value.Number[0]);
      if (!Number.isInteger(n) || n < 1 || n > output.length) {
        throw SQL_ERRORS.syntax(`GROUP BY position ${n} is not in the select list.`);
      }
      return String(n);
    }
    if (v === "Rollup" || v === "Cube") {
      const sets = (payload(e) as Node[][]).map((set) =>
        set.length === 1
          ? this.groupItem(set[0], ctx, output)
          : `(${set.map((x) => this.groupItem(x, ctx, output)).join(", ")})`
      );
      return `${v.toUpperCase()} (${sets.join(", ")})`;
    }
    if (v === "GroupingSets") {
      const sets = (payload(e) as Node[][]).map((set) =>
        `(${set.map((x) => this.groupItem(x, ctx, output)).join(", ")})`
      );
      return `GROUPING SETS (${sets.join(", ")})`;
    }
    return this.expr(e, ctx).sql;
  }

  /** Snowflake's name for an unaliased select item. */
  derivedName(node: Node, e: Expr): string {
    if (e.column && (variant(node) === "Identifier" || variant(node) === "CompoundIdentifier")) {
      return e.column.column.name;
    }
    const v = variant(node);
    if (v === "Identifier") return identName(node.Identifier);
    if (v === "CompoundIdentifier") return identName(node.CompoundIdentifier.at(-1));
    const text = selectItemText(this.options.source, node) ?? sourceText(this.options.source, node);
    return (text ?? "EXPR").toUpperCase();
  }

  /** Expands `*` (with EXCLUDE, RENAME, REPLACE, ILIKE) over relations. */
  expandStar(relations: readonly Relation[], opts: Node, scope: Scope): [string, Expr][] {
    if (!relations.length) throw SQL_ERRORS.syntax("SELECT * with no FROM clause.");
    const exclude = new Set<string>();
    const ex = opts?.opt_exclude;
    if (ex) {
      const list = variant(ex) === "Multiple" ? payload(ex) : [payload(ex)];
      for (const i of list.flat()) exclude.add(identName(i.Identifier ?? i));
    }
    const rename = new Map<string, string>();
    const rn = opts?.opt_rename;
    if (rn) {
      const list = variant(rn) === "Multiple" ? payload(rn) : [payload(rn)];
      for (const r of list) rename.set(identName(r.ident), identName(r.alias));
    }
    const replace = new Map<string, Node>();
    for (const r of opts?.opt_replace?.items ?? []) replace.set(identName(r.column_name), r.expr);
    let ilike: RegExp | undefined;
    if (opts?.opt_ilike) {
      const pattern = String(opts.opt_ilike.pattern);
      ilike = new RegExp(
        "^" +
          pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replaceAll("%", ".*").replaceAll(
            "_",
            ".",
          ) + "$",
        "is",
      );
    }
    if (opts?.opt_except) throw SQL_ERRORS.unsupported("* EXCEPT");
    const out: [string, Expr][] = [];
    const seenMerged = new Set<string>();
    for (const rel of relations) {
      for (const c of rel.columns) {
        if (exclude.has(c.name)) continue;
        if (ilike && !ilike.test(c.name)) continue;
        const merged = scope.merged.get(c.name);
        if (merged && relations.length > 1) {
          // A USING column appears once, first.
          if (seenMerged.has(c.name)) continue;
          seenMerged.add(c.name);
        }
        const name = rename.get(c.name) ?? c.name;
        if (replace.has(c.name)) {
          out.push([
            name,
            this.expr(replace.get(c.name), { scope, aggregates: true, aliases: false }),
          ]);
          continue;
        }
        const e: Expr = merged && relations.length > 1 ? merged : {
          sql: `${qi(rel.duckAlias)}.${qi(c.duck)}`,
          type: c.type,
          column: { relation: rel, column: c },
        };
        out.push([name, e]);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // FROM

  tableWithJoins(twj: Node, scope: Scope): string {
    let sql = this.tableFactor(twj.relation, scope);
    for (const j of twj.joins ?? []) {
      const before = scope.relations.length;
      const op = j.join_operator;
      const v = variant(op);
      const p = payload(op);
      const right = this.tableFactor(j.relation, scope, v === "CrossApply" || v === "OuterApply");
      const added = scope.relations.slice(before);
      const leftRels = scope.relations.slice(0, before);
      let kind: string;
      switch (v) {
        case "Join":
        case "Inner":
          kind = "JOIN";
          break;
        case "Left":
        case "LeftOuter":
          kind = "LEFT JOIN";
          for (const r of added) r.nullable = true;
          break;
        case "Right":
        case "RightOuter":
          kind = "RIGHT JOIN";
          for (const r of leftRels) r.nullable = true;
          break;
        case "FullOuter":
          kind = "FULL JOIN";
          for (const r of scope.relations) r.nullable = true;
          break;
        case "CrossJoin":
          sql += ` CROSS JOIN ${right}`;
          continue;
        case "AsOf": {
          kind = "ASOF LEFT JOIN";
          // Each left row with the closest right row that meets MATCH_CONDITION (NULLs when none
          // does), the ON equalities first: DuckDB's ASOF LEFT JOIN, which takes the one
          // inequality among its ON conditions.
          for (const r of added) r.nullable = true;
          const ctx: ExprContext = { scope, aggregates: false, aliases: false };
          let match = p.match_condition;
          while (variant(match) === "Nested") match = payload(match);
          const op = variant(match) === "BinaryOp" ? payload(match).op : undefined;
          if (!["Gt", "GtEq", "Lt", "LtEq"].includes(op)) {
            throw new SqlError(
              "001003",
              "42000",
              "SQL compilation error:\nASOF JOIN's MATCH_CONDITION must compare with >=, >, <= or <.",
            );
          }
          const conds = [this.condition(match, ctx)];
          const on = p.constraint;
          if (variant(on) === "On") conds.unshift(this.condition(payload(on), ctx));
          else if (variant(on) === "Using") {
            conds.unshift(
              this.joinConstraint(on, scope, leftRels, added, kind).slice(" ON ".length),
            );
          } else if (on && on !== "None") {
            throw SQL_ERRORS.unsupported(`ASOF JOIN … ${variant(on)}`);
          }
          this.blocker(scope, "an ASOF JOIN");
          sql += ` ASOF LEFT JOIN ${right} ON ${conds.join(" AND ")}`;
          continue;
        }
        default:
          throw SQL_ERRORS.unsupported(`${v} join`);
      }
      const lateral = added.some((r) => r.opaque) &&
        leftRels.some((r) => right.includes(`${qi(r.duckAlias)}.`));
      if (lateral && (kind !== "JOIN" || variant(p) === "On")) {
        // Snowflake refuses this too: a lateral function joins only by comma, JOIN or LATERAL.
        throw SQL_ERRORS.unsupported(
          "lateral table function called with OUTER JOIN syntax or a join predicate (ON clause)",
        );
      }
      sql += ` ${kind} ${right}${this.joinConstraint(p, scope, leftRels, added, kind)}`;
    }
    return sql;
  }

  joinConstraint(c: Node, scope: Scope, left: Relation[], right: Relation[], kind: string): string {
    const v = variant(c);
    const p = payload(c);
    if (v === "On") {
      const ctx: ExprContext = { scope, aggregates: false, aliases: false };
      const sql = ` ON ${this.condition(p, ctx)}`;
      this.#recordEqualities(p, ctx);
      return sql;
    }
    let names: string[];
    if (v === "Using") names = (p as Node[]).map((n) => objectNameParts(n).at(-1)!);
    else if (v === "Natural") {
      const l = new Set(left.flatMap((r) => r.columns.map((c) => c.name)));
      names = [...new Set(right.flatMap((r) => r.columns.map((c) => c.name)))].filter((n) =>
        l.has(n)
      );
      if (!names.length) return " ON TRUE";
    } else if (c === "None" || !c) return " ON TRUE";
    else throw SQL_ERRORS.unsupported(`join constraint ${v}`);
    const conds: string[] = [];
    for (const name of names) {
      const l = this.#columnIn(left, name);
      const r = this.#columnIn(right, name);
      conds.push(`${l.sql} = ${r.sql}`);
      scope.block?.equalities.push([l.sql, r.sql]);
      const merged: Expr = kind === "FULL JOIN"
        ? { sql: `COALESCE(${l.sql}, ${r.sql})`, type: commonType([l.type, r.type]) }
        : kind === "RIGHT JOIN"
        ? r
        : l;
      scope.merged.set(name, merged);
    }
    return ` ON ${conds.join(" AND ")}`;
  }

  #columnIn(relations: Relation[], name: string): Expr {
    const found: Expr[] = [];
    for (const rel of relations) {
      for (const c of rel.columns) {
        if (c.name === name) {
          found.push({
            sql: `${qi(rel.duckAlias)}.${qi(c.duck)}`,
            type: c.type,
            column: { relation: rel, column: c },
          });
        }
      }
    }
    if (!found.length) throw SQL_ERRORS.invalidIdentifier(name);
    if (found.length > 1) throw SQL_ERRORS.ambiguous(name);
    return found[0];
  }

  /** One FROM item: a table, a derived table, a table function. Adds its relation to `scope`. */
  tableFactor(f: Node, scope: Scope, lateral = false): string {
    const v = variant(f);
    const p = payload(f);
    switch (v) {
      case "Table":
        return this.namedTable(p, scope);
      case "Derived": {
        if (p.lateral || lateral) this.blocker(scope, "a LATERAL subquery");
        const sub = this.query(p.subquery, p.lateral || lateral ? scope : scope.parent);
        const derived = this.#addDerived(
          sub,
          p.alias,
          scope,
          `(${sub.sql})`,
          p.subquery,
          sub.block,
        );
        return p.sample ? this.#sampled(derived, p.sample, scope) : derived;
      }
      case "TableFunction":
        return this.tableFunctionCall(p.expr, p.alias, scope);
      case "Function":
        return this.tableFunctionCall(
          { Function: { name: p.name, args: { List: { args: p.args } } } },
          p.alias,
          scope,
          p.lateral,
        );
      case "NestedJoin": {
        const inner = this.tableWithJoins(p.table_with_joins, scope);
        if (p.alias) throw SQL_ERRORS.unsupported("an alias on a parenthesised join");
        return `(${inner})`;
      }
      case "UNNEST":
        throw SQL_ERRORS.unsupported("UNNEST (use FLATTEN)");
      case "Pivot":
      case "Unpivot": {
        const r = v === "Pivot" ? pivot(this, p, scope) : unpivot(this, p, scope);
        return this.#addDerived(r, p.alias, scope, r.sql);
      }
      case "MatchRecognize":
        throw SQL_ERRORS.unsupported("MATCH_RECOGNIZE");
    }
    throw SQL_ERRORS.unsupported(v || "this FROM item");
  }

  #addDerived(
    sub: { readonly columns: readonly Column[] },
    alias: Node,
    scope: Scope,
    sql: string,
    node?: Node,
    block?: number,
  ): string {
    const duckAlias = this.fresh();
    let columns = sub.columns;
    const renames: Ident[] = (alias?.columns ?? []).map((c: Node) => c.name ?? c);
    if (renames.length) {
      if (renames.length > columns.length) {
        throw SQL_ERRORS.syntax(`the alias names ${renames.length} columns for ${columns.length}.`);
      }
      columns = columns.map((c, i) =>
        i < renames.length ? { ...c, name: identName(renames[i]) } : c
      );
    }
    const name = alias?.name ? identName(alias.name) : "";
    scope.relations.push({
      alias: name,
      qualifiers: name ? [[name]] : [],
      duckAlias,
      columns,
      node,
      block,
      opaque: block === undefined,
    });
    return `${sql} AS ${qi(duckAlias)}`;
  }

  /**
   * A named table, view, CTE or table function in FROM, with its `SAMPLE` (Snowflake's row or
   * block sampling, a percentage or a number of rows, with an optional SEED) as DuckDB's
   * `USING SAMPLE` over it. A sample is random, so a dynamic table over one refreshes in full.
   */
  namedTable(p: Node, scope: Scope): string {
    const sql = this.#namedTable(p, scope);
    return p.sample ? this.#sampled(sql, p.sample, scope) : sql;
  }

  /** `<relation> AS "alias"` with a `SAMPLE` clause applied (see {@link namedTable}). */
  #sampled(sql: string, sampleNode: Node, scope: Scope): string {
    const m = /^([\s\S]*) AS ("(?:[^"]|"")*")$/.exec(sql);
    if (!m) throw SQL_ERRORS.unsupported("SAMPLE here");
    const sample = payload(sampleNode);
    const n = Number(this.constantValue(sample.quantity?.value, scope));
    if (!Number.isFinite(n) || n < 0) throw SQL_ERRORS.syntax("SAMPLE needs a number.");
    const rows = String(sample.quantity?.unit ?? "") === "Rows";
    if (!rows && n > 100) throw SQL_ERRORS.invalidArgument("a SAMPLE percentage is 0 to 100.");
    const method = /^(System|Block)$/.test(String(sample.name ?? "")) ? "system" : "bernoulli";
    const seed = sample.seed
      ? Number(this.constantValue(sample.seed.value?.Value ?? { Value: sample.seed.value }, scope))
      : undefined;
    if (seed !== undefined && !Number.isInteger(seed)) {
      throw SQL_ERRORS.syntax("SEED needs an integer.");
    }
    this.blocker(scope, "SAMPLE");
    const using = rows
      ? `USING SAMPLE ${Math.floor(n)} ROWS${seed !== undefined ? ` (reservoir, ${seed})` : ""}`
      : `USING SAMPLE ${n} PERCENT (${method}${seed !== undefined ? `, ${seed}` : ""})`;
    return `(SELECT * FROM ${m[1]} ${using}) AS ${m[2]}`;
  }

  #namedTable(p: Node, scope: Scope): string {
    if (p.args) {
      return this.tableFunctionCall(
        { Function: { name: p.name, args: { List: { args: p.args.args ?? p.args } } } },
        p.alias,
        scope,
      );
    }
    if (p.version) throw SQL_ERRORS.unsupported("AT/BEFORE (Time Travel)");
    const parts = objectNameParts(p.name);
    // A CTE (single name) wins over a table of that name.
    if (parts.length === 1 && scope.ctes.has(parts[0])) {
      const cte = scope.ctes.get(parts[0])!;
      const duckAlias = this.fresh();
      if (this.#recursion?.duckName === cte.duckName) this.#recursion.aliases.add(duckAlias);
      const alias = p.alias?.name ? identName(p.alias.name) : parts[0];
      let columns = cte.columns;
      const renames: Ident[] = (p.alias?.columns ?? []).map((c: Node) => c.name ?? c);
      if (renames.length) {
        columns = columns.map((c, i) =>
          i < renames.length ? { ...c, name: identName(renames[i]) } : c
        );
      }
      scope.relations.push({
        alias,
        qualifiers: [[alias]],
        duckAlias,
        columns,
        node: p,
        block: cte.block,
        opaque: cte.block === undefined,
      });
      if (cte.block !== undefined) {
        this.cteUses.set(cte.block, (this.cteUses.get(cte.block) ?? 0) + 1);
      }
      return `${qi(cte.duckName)} AS ${qi(duckAlias)}`;
    }
    let rel: CatalogRelation | undefined;
    if (
      parts.length >= 2 && parts.at(-2) === "INFORMATION_SCHEMA" && this.resolver.informationSchema
    ) {
      const db = parts.length === 3 ? parts[0] : this.resolver.session.database;
      rel = this.resolver.informationSchema(db, parts.at(-1)!);
    } else {
      rel = this.resolver.relation(parts);
    }
    if (!rel) throw SQL_ERRORS.doesNotExist(parts.join("."));
    this.objects.set(rel.ref.id, rel.ref);
    if (
      rel.ref.kind === "VIEW" && this.options.inlineViews && rel.definition !== undefined &&
      this.resolver.parseQuery
    ) {
      // Read the view as its query, so that the tables under it are the statement's own sources.
      const inner = new Translator(this.resolver, { ...this.options, source: rel.definition });
      inner.#aliasCounter = this.#aliasCounter;
      inner.#shareAnalysis(this);
      const sub = inner.query(this.resolver.parseQuery(rel.definition), undefined);
      this.#aliasCounter = inner.#aliasCounter;
      for (const [id, r] of inner.objects) this.objects.set(id, r);
      const renamed: TranslatedQuery = {
        sql: sub.sql,
        columns: sub.columns.map((c, i) => ({ ...c, name: rel.columns[i]?.name ?? c.name })),
        block: sub.block,
      };
      const alias = p.alias?.name ? p.alias : { name: { value: rel.ref.name, quote_style: '"' } };
      const out = this.#addDerived(renamed, alias, scope, `(${sub.sql})`, p, sub.block);
      const added = scope.relations.at(-1)!;
      if (!p.alias?.name) {
        added.qualifiers = [[rel.ref.name], [rel.ref.schema, rel.ref.name], [
          rel.ref.database,
          rel.ref.schema,
          rel.ref.name,
        ]];
      }
      return out;
    }
    const duckAlias = this.fresh();
    const alias = p.alias?.name ? identName(p.alias.name) : rel.ref.name;
    const qualifiers = p.alias?.name
      ? [[alias]]
      : [[rel.ref.name], [rel.ref.schema, rel.ref.name], [
        rel.ref.database,
        rel.ref.schema,
        rel.ref.name,
      ]];
    let columns: Column[] = rel.columns.map((c) => ({ name: c.name, type: c.type, duck: c.name }));
    const renames: Ident[] = (p.alias?.columns ?? []).map((c: Node) => c.name ?? c);
    if (renames.length) {
      columns = columns.map((c, i) =>
        i < renames.length ? { ...c, name: identName(renames[i]) } : c
      );
    }
    scope.relations.push({ alias, qualifiers, duckAlias, columns, object: rel.ref, node: p });
    if (rel.ref.kind === "STREAM") this.blocker(scope, "a stream as a source");
    const source = this.options.override?.(rel.ref, rel, duckAlias) ?? rel.sql;
    return `${source} AS ${qi(duckAlias)}`;
  }

  /** `TABLE(f(…))` or `f(…)` in FROM: system functions, FLATTEN, GENERATOR, SQL UDTFs. */
  tableFunctionCall(call: Node, alias: Node, scope: Scope, lateral = false): string {
    const fn = call.Function ?? payload(call);
    if (!fn?.name) throw SQL_ERRORS.unsupported("this table expression");
    const parts = objectNameParts(fn.name);
    const name = parts.at(-1)!;
    const argList: Node[] = fn.args?.List?.args ?? [];
    if (name === "FLATTEN") return this.flatten(argList, alias, scope, lateral);
    if (name === "GENERATOR") return this.generator(argList, alias, scope);
    if (name === "SPLIT_TO_TABLE") return this.splitToTable(argList, alias, scope);
    if (name === "STRTOK_SPLIT_TO_TABLE") return this.splitToTable(argList, alias, scope, true);
    const args = this.constantArgs(argList, scope);
    const system = this.resolver.systemTableFunction?.(parts.join("."), args);
    if (system) {
      const columns = system.columns.map((c) => ({ name: c.name, type: c.type, duck: c.name }));
      const duckAlias = this.functionRelation(scope, alias, { columns, object: system.ref });
      this.objects.set(system.ref.id, system.ref);
      this.blocker(scope, `the table function ${name}`);
      return `${system.sql} AS ${qi(duckAlias)}`;
    }
    const udtf = this.resolver.tableFunction(parts);
    if (!udtf) throw SQL_ERRORS.unknownFunction(parts.join("."));
    this.blocker(scope, `the table function ${udtf.ref.name}`);
    this.objects.set(udtf.ref.id, udtf.ref);
    // A SQL table function is its body with the arguments bound as constants.
    const ctx: ExprContext = { scope, aggregates: false, aliases: false };
    const params = new Map<string, Expr>();
    const positional = argList.filter((a) => variant(a) === "Unnamed");
    udtf.params.forEach((prm, i) => {
      const arg = positional[i];
      if (!arg) {
        throw SQL_ERRORS.invalidArgument(
          `function ${udtf.ref.name} needs ${udtf.params.length} arguments.`,
        );
      }
      const e = this.expr(payload(arg).Expr ?? payload(arg), ctx);
      params.set(prm.name, { sql: castTo(e.sql, e.type, prm.type), type: prm.type });
    });
    const body = this.translateFunctionBody(udtf.body, params);
    const cols = udtf.columns.map((c, i) => ({
      name: c.name,
      type: c.type,
      duck: body.columns[i]?.duck ?? c.name,
    }));
    if (body.columns.length !== udtf.columns.length) {
      throw SQL_ERRORS.typeMismatch(
        `function ${udtf.ref.name} returns ${body.columns.length} columns, declared ${udtf.columns.length}.`,
      );
    }
    const sub: TranslatedQuery = {
      sql: `SELECT ${
        body.columns.map((c, i) =>
          `${castTo(qi(c.duck), c.type, cols[i].type)} AS ${qi(cols[i].duck)}`
        ).join(", ")
      } FROM (${body.sql})`,
      columns: cols,
    };
    return this.#addDerived(
      sub,
      alias ?? { name: { value: udtf.ref.name, quote_style: '"' } },
      scope,
      `(${sub.sql})`,
    );
  }

  /**
   * A call of a SQL scalar function: its body translated with the arguments bound to its
   * parameters (each cast to its declared type), as a scalar subquery whose value is cast to the
   * declared return type. A dynamic table over it refreshes in full: the body is opaque to the
   * incremental analysis.
   */
  scalarFunctionCall(udf: CatalogScalarFunction, args: readonly Expr[], scope: Scope): Expr {
    if (args.length !== udf.params.length) {
      throw SQL_ERRORS.invalidArgument(
        `function ${udf.ref.name} takes ${udf.params.length} arguments, ${args.length} given.`,
      );
    }
    const params = new Map<string, Expr>();
    udf.params.forEach((p, i) => {
      params.set(p.name, { sql: castTo(args[i].sql, args[i].type, p.type), type: p.type });
    });
    const query = /^\s*(SELECT|WITH)\b/i.test(udf.body)
      ? `SELECT (${udf.body})`
      : `SELECT ${udf.body}`;
    const out = this.translateFunctionBody(query, params);
    const col = out.columns[0];
    this.objects.set(udf.ref.id, udf.ref);
    this.blocker(scope, `the user-defined function ${udf.ref.name}`);
    return {
      sql: `(SELECT ${castTo(qi(col.duck), col.type, udf.returnType)} FROM (${out.sql}))`,
      type: udf.returnType,
      aggregate: args.some((a) => a.aggregate),
      window: args.some((a) => a.window),
    };
  }

  /** Translates a SQL function's body with its parameters bound. */
  translateFunctionBody(body: string, params: Map<string, Expr>): TranslatedQuery {
    const parsed = this.resolver.parseQuery?.(body);
    if (!parsed) throw SQL_ERRORS.unsupported("SQL table functions here");
    const inner = new Translator(this.resolver, { source: body });
    inner.#aliasCounter = this.#aliasCounter + 1000;
    const scope = new Scope(undefined);
    for (const [k, v] of params) scope.aliases.set(k, v);
    inner.#paramScope = scope;
    const out = inner.query(parsed, undefined);
    this.#aliasCounter = inner.#aliasCounter;
    for (const [id, r] of inner.objects) this.objects.set(id, r);
    return out;
  }

  /** Parameters of an enclosing SQL function body, resolvable by name anywhere inside it. */
  #paramScope: Scope | undefined;

  /** Makes this translator record its blocks into `outer`'s analysis. */
  #shareAnalysis(outer: Translator): void {
    (this as { blocks: BlockInfo[] }).blocks = outer.blocks;
    (this as { cteUses: Map<number, number> }).cteUses = outer.cteUses;
    (this as { blockers: string[] }).blockers = outer.blockers;
  }

  /** Arguments of a system table function, evaluated as constants. */
  constantArgs(list: Node[], scope: Scope): SystemFunctionArgs {
    const positional: (string | number | boolean | null)[] = [];
    const named = new Map<string, string | number | boolean | null>();
    for (const a of list) {
      const v = variant(a);
      const p = payload(a);
      if (v === "Named" || v === "ExprNamed") {
        named.set(identName(p.name), this.constantValue(p.arg.Expr ?? p.arg, scope));
      } else {
        positional.push(this.constantValue(p.Expr ?? p, scope));
      }
    }
    return { positional, named };
  }

  /** A constant's value (literals, binds, LAST_QUERY_ID(), simple arithmetic on them). */
  constantValue(e: Node, scope: Scope): string | number | boolean | null {
    const v = variant(e);
    if (v === "Value") {
      const val = e.Value.value ?? e.Value;
      const vv = variant(val);
      if (vv === "Number") return Number(val.Number[0]);
      if (vv === "SingleQuotedString" || vv === "DollarQuotedString") {
        return String(payload(val)?.value ?? payload(val));
      }
      if (vv === "Boolean") return val.Boolean;
      if (val === "Null") return null;
      if (vv === "Placeholder") {
        const b = this.bind(val.Placeholder);
        return b.value === null
          ? null
          : b.type === "FIXED" || b.type === "REAL"
          ? Number(b.value)
          : b.value;
      }
    }
    if (v === "UnaryOp" && e.UnaryOp.op === "Minus") {
      const x = this.constantValue(e.UnaryOp.expr, scope);
      if (typeof x === "number") return -x;
    }
    if (v === "Function") {
      const name = objectNameParts(e.Function.name).join(".");
      if (name === "LAST_QUERY_ID") {
        const args = e.Function.args?.List?.args ?? [];
        const n = args.length
          ? Number(this.constantValue(payload(args[0]).Expr ?? payload(args[0]), scope))
          : -1;
        return this.resolver.session.lastQueryId(n);
      }
      if (name === "CURRENT_DATABASE") return this.resolver.session.database;
      if (name === "CURRENT_SCHEMA") return this.resolver.session.schema;
    }
    if (v === "Identifier") return identName(e.Identifier);
    if (v === "Nested") return this.constantValue(e.Nested, scope);
    return this.#evaluated(e);
  }

  /**
   * A table function's argument that is an expression of no column (`DATEADD('hour', -1,
   * CURRENT_TIMESTAMP())`): evaluated by the warehouse before the statement is translated again
   * (see {@link ValuesNeeded}); a time comes as ISO text in UTC, a number as a number.
   */
  #evaluated(e: Node): string | number | boolean | null {
    const refuse = () => SQL_ERRORS.invalidArgument("table function arguments must be constants.");
    if (!this.options.lookups) throw refuse();
    let x: Expr;
    try {
      x = this.expr(e, { scope: new Scope(undefined), aggregates: false, aliases: false });
    } catch {
      throw refuse();
    }
    const k = x.type.kind;
    const text = k === "TIMESTAMP_NTZ" || k === "TIMESTAMP_LTZ" || k === "TIMESTAMP_TZ" ||
        k === "DATE"
      ? `strftime(timezone('UTC', CAST(${x.sql} AS TIMESTAMPTZ)), '%Y-%m-%dT%H:%M:%S.%gZ')`
      : `CAST(${x.sql} AS VARCHAR)`;
    const sql = `SELECT ${text}`;
    const found = this.options.lookups.get(sql);
    if (!found) throw new ValuesNeeded(sql);
    const value = found[0];
    if (value === undefined || value === "null") return null;
    return k === "NUMBER" || k === "FLOAT"
      ? Number(value)
      : k === "BOOLEAN"
      ? value === "true"
      : value;
  }

  /** `GENERATOR(ROWCOUNT => n)`: n rows, numbered for SEQ4()/SEQ8(). */
  generator(list: Node[], alias: Node, scope: Scope): string {
    const args = this.constantArgs(list, scope);
    // Neither ROWCOUNT nor TIMELIMIT: Snowflake generates no rows.
    const count = Number(args.named.get("ROWCOUNT") ?? 0);
    if (args.named.has("TIMELIMIT")) throw SQL_ERRORS.unsupported("GENERATOR(TIMELIMIT => …)");
    if (!Number.isInteger(count) || count < 0) {
      throw SQL_ERRORS.invalidArgument("GENERATOR needs ROWCOUNT => a whole number.");
    }
    const duckAlias = this.functionRelation(scope, alias, { columns: [], sequenceColumn: "$SEQ" });
    return `(SELECT range AS "$SEQ" FROM range(${count})) AS ${qi(duckAlias)}`;
  }

  /** `FLATTEN(INPUT => v [, PATH => …, OUTER => …])`: one row per element of an array or object. */
  flatten(list: Node[], alias: Node, scope: Scope, _lateral: boolean): string {
    let input: Node | undefined;
    let path: string | null = null;
    let outer = false;
    let recursive = false;
    let mode = "BOTH";
    for (const a of list) {
      const v = variant(a);
      const p = payload(a);
      if (v === "Named" || v === "ExprNamed") {
        const key = identName(p.name);
        const e = p.arg.Expr ?? p.arg;
        if (key === "INPUT") input = e;
        else if (key === "PATH") path = String(this.constantValue(e, scope));
        else if (key === "OUTER") outer = this.constantValue(e, scope) === true;
        else if (key === "RECURSIVE") recursive = this.constantValue(e, scope) === true;
        else if (key === "MODE") {
          mode = String(this.constantValue(e, scope)).toUpperCase();
          if (!["BOTH", "OBJECT", "ARRAY"].includes(mode)) {
            throw SQL_ERRORS.invalidArgument("FLATTEN's MODE is 'OBJECT', 'ARRAY' or 'BOTH'.");
          }
        }
      } else if (!input) input = p.Expr ?? p;
    }
    if (!input) throw SQL_ERRORS.invalidArgument("FLATTEN needs INPUT =>.");
    const e = this.expr(input, { scope, aggregates: false, aliases: false });
    let json = e.type.kind === "VARCHAR" ? `CAST(${e.sql} AS JSON)` : e.sql;
    if (path) json = `json_extract(${json}, ${qs("$." + path)})`;
    const columns: Column[] = [
      { name: "SEQ", type: T.number(38, 0), duck: "SEQ" },
      { name: "KEY", type: T.varchar(), duck: "KEY" },
      { name: "PATH", type: T.varchar(), duck: "PATH" },
      { name: "INDEX", type: T.number(38, 0), duck: "INDEX" },
      { name: "VALUE", type: T.variant, duck: "VALUE" },
      { name: "THIS", type: T.variant, duck: "THIS" },
    ];
    const duckAlias = this.functionRelation(scope, alias, { columns });
    const j = this.fresh("j");
    const parent = this.fresh("j");
    // Each element of the input (every nested one, RECURSIVE): DuckDB's json_tree gives each its
    // parent, whose type says whether it is an object's key or an array's index, and whose value
    // is THIS. PATH is the element's path from the input, after the PATH argument's.
    const rel = `json_tree(${json}) AS ${qi(j)} JOIN json_tree(${json}) AS ${qi(parent)} ON ${
      qi(parent)
    }.id = ${qi(j)}.parent`;
    const inObject = `${qi(parent)}.type = 'OBJECT'`;
    const relative = `regexp_replace(${qi(j)}.fullkey, '^\\$\\.?', '')`;
    const fullPath = path
      ? `${qs(path)} || CASE WHEN starts_with(${relative}, '[') THEN '' ELSE '.' END || ${relative}`
      : relative;
    const conditions = [
      recursive ? "TRUE" : `${qi(parent)}.parent IS NULL`,
      mode === "OBJECT" ? inObject : mode === "ARRAY" ? `${qi(parent)}.type = 'ARRAY'` : "TRUE",
    ];
    const body = `SELECT 1 AS "SEQ",
        CASE WHEN ${inObject} THEN ${qi(j)}.key END AS "KEY",
        ${fullPath} AS "PATH",
        CASE WHEN ${inObject} THEN NULL ELSE CAST(${qi(j)}.key AS DECIMAL(38,0)) END AS "INDEX",
        CAST(${qi(j)}.value AS JSON) AS "VALUE", CAST(${qi(parent)}.value AS JSON) AS "THIS"
      FROM ${rel} WHERE ${conditions.join(" AND ")}`;
    // OUTER => TRUE: an input with nothing to expand (NULL, empty) still gives one row, with
    // NULL KEY, PATH, INDEX and VALUE, so the row it came from is kept.
    const empty = outer
      ? ` UNION ALL SELECT 1, NULL, NULL, NULL, NULL, ${json}
          WHERE NOT EXISTS (SELECT 1 FROM json_each(${json}))`
      : "";
    return `LATERAL (${body}${empty}) AS ${qi(duckAlias)}`;
  }

  /**
   * Adds a table function's rows to `scope` under its alias (opaque: no lineage for incremental
   * refreshes); returns the DuckDB alias to give them.
   */
  functionRelation(
    scope: Scope,
    alias: Node,
    rel: Pick<Relation, "columns" | "object" | "sequenceColumn">,
  ): string {
    const duckAlias = this.fresh();
    const a = alias?.name ? identName(alias.name) : "";
    scope.relations.push({ alias: a, qualifiers: a ? [[a]] : [], duckAlias, ...rel, opaque: true });
    return duckAlias;
  }

  /**
   * `SPLIT_TO_TABLE(string, delimiter)`: a row per part, SEQ, INDEX (from 1) and VALUE.
   * `STRTOK_SPLIT_TO_TABLE(string [, delimiters])` (`strtok`): each character of `delimiters`
   * (default a space) splits, and empty tokens are left out, as STRTOK counts them.
   */
  splitToTable(list: Node[], alias: Node, scope: Scope, strtok = false): string {
    const name = strtok ? "STRTOK_SPLIT_TO_TABLE" : "SPLIT_TO_TABLE";
    if (strtok ? list.length < 1 || list.length > 2 : list.length !== 2) {
      throw SQL_ERRORS.invalidArgument(
        `${name} takes a string and ${strtok ? "optionally delimiters" : "a delimiter"}.`,
      );
    }
    const [text, delimiter = "' '"] = list.map((a) => {
      const p = payload(a);
      const e = this.expr(p.Expr ?? p, { scope, aggregates: false, aliases: false });
      return e.type.kind === "VARCHAR" ? e.sql : `CAST(${e.sql} AS VARCHAR)`;
    });
    const duckAlias = this.functionRelation(scope, alias, {
      columns: [
        { name: "SEQ", type: T.number(38, 0), duck: "SEQ" },
        { name: "INDEX", type: T.number(38, 0), duck: "INDEX" },
        { name: "VALUE", type: T.varchar(), duck: "VALUE" },
      ],
    });
    const parts = this.fresh("p");
    // An empty delimiter leaves the string whole (DuckDB's string_split would split every
    // character); a NULL string gives no rows.
    const list_ = strtok
      ? `list_filter(CASE WHEN ${delimiter} = '' THEN [${text}] ELSE regexp_split_to_array(${text}, '[' || regexp_escape(${delimiter}) || ']') END, x -> x <> '')`
      : `CASE WHEN ${delimiter} = '' THEN [${text}] ELSE string_split(${text}, ${delimiter}) END`;
    // unnest and generate_subscripts side by side keep the parts in their order.
    return `LATERAL (SELECT 1 AS "SEQ", CAST(generate_subscripts(${
      qi(parts)
    }.l, 1) AS DECIMAL(38,0)) AS "INDEX", unnest(${qi(parts)}.l) AS "VALUE"
      FROM (SELECT ${list_} AS l WHERE ${text} IS NOT NULL) AS ${qi(parts)}) AS ${qi(duckAlias)}`;
  }

  /** Finds the relation a qualifier names. */
  findRelation(scope: Scope, parts: readonly string[]): Relation | undefined {
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      const found = s.relations.filter((r) =>
        r.qualifiers.some((q) => q.length === parts.length && q.every((x, i) => x === parts[i]))
      );
      if (found.length === 1) return found[0];
      if (found.length > 1) throw SQL_ERRORS.ambiguous(parts.join("."));
    }
    return undefined;
  }

  // ---------------------------------------------------------------------------------------------
  // Expressions

  /** A boolean condition (WHERE, ON, HAVING, QUALIFY). */
  condition(node: Node, ctx: ExprContext): string {
    const e = this.expr(node, ctx);
    if (e.type.kind === "BOOLEAN" || e.type.kind === "NULL") return e.sql;
    if (e.type.kind === "VARIANT") return `CAST(${variantAs(e.sql, T.varchar())} AS BOOLEAN)`;
    return `CAST(${e.sql} AS BOOLEAN)`;
  }

  #variable(name: string): SessionVariable {
    const v = this.resolver.session.variables?.get(name);
    if (!v) throw noSuchVariable(name);
    return v;
  }

  /** A bind placeholder's value (a session variable's, for `$name`). */
  bind(placeholder: string): BindValue {
    const variable = variableName(placeholder);
    if (variable !== undefined) {
      const v = this.#variable(variable);
      const kind = v.type.kind;
      return {
        type: kind === "NUMBER"
          ? "FIXED"
          : kind === "FLOAT"
          ? "REAL"
          : kind === "BOOLEAN"
          ? "BOOLEAN"
          : "TEXT",
        value: v.text,
      };
    }
    const binds = this.options.binds ?? [];
    let index: number;
    const m = NUMBERED_PLACEHOLDER.exec(placeholder);
    if (placeholder === "?") index = this.#nextBind++;
    else if (m) index = Number(m[1]) - 1;
    else throw SQL_ERRORS.unsupported(`placeholder ${placeholder}`);
    if (index >= binds.length || index < 0) throw SQL_ERRORS.binds(index + 1, binds.length);
    this.bindsUsed = Math.max(this.bindsUsed, index + 1);
    return binds[index];
  }

  /** A bind (or a session variable) as a DuckDB literal with its Snowflake type. */
  bindExpr(placeholder: string): Expr {
    const variable = variableName(placeholder);
    if (variable !== undefined) return variableExpr(this.#variable(variable));
    const b = this.bind(placeholder);
    if (b.value === null) return { sql: "NULL", type: T.null, constant: true };
    switch (b.type) {
      case "FIXED":
      case "REAL": {
        if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(b.value.trim())) {
          throw SQL_ERRORS.notRecognized(`Numeric value '${b.value}' is not recognized`);
        }
        const lit = numberLiteral(b.value.trim());
        return { ...lit, constant: true };
      }
      case "BOOLEAN": {
        const v = b.value.trim();
        if (!/^(true|false|1|0|yes|no|on|off|t|f|y|n)$/i.test(v)) {
          throw SQL_ERRORS.notRecognized(`Boolean value '${b.value}' is not recognized`);
        }
        return {
          sql: /^(true|1|yes|on|t|y)$/i.test(v) ? "TRUE" : "FALSE",
          type: T.boolean,
          constant: true,
        };
      }
      case "BINARY":
        // Hex, as Snowflake's default BINARY_INPUT_FORMAT reads it.
        if (!/^([0-9a-f]{2})*$/i.test(b.value)) {
          throw SQL_ERRORS.notRecognized(`Binary value '${b.value}' is not recognized`);
        }
        return { sql: `from_hex(${qs(b.value)})`, type: T.binary, constant: true };
      case "TIME":
        // Nanoseconds since midnight, as the SQL API and the drivers send it.
        if (/^\d+$/.test(b.value)) {
          const micros = BigInt(b.value) / 1000n;
          return { sql: `CAST(make_timestamp(${micros}) AS TIME)`, type: T.time, constant: true };
        }
        return { sql: `CAST(${qs(b.value)} AS TIME)`, type: T.time, constant: true };
      case "VARIANT": {
        try {
          const v = JSON.parse(b.value);
          if (v !== null && typeof v === "object") {
            return { sql: `CAST(${qs(b.value)} AS JSON)`, type: T.variant, constant: true };
          }
        } catch {
          // not JSON: a Date's ISO text, bound as a string
        }
        return { sql: qs(b.value), type: T.varchar(), constant: true };
      }
      case "DATE":
        // Milliseconds since the epoch, as the SQL API and the drivers send it; or date text.
        if (/^-?\d+$/.test(b.value)) {
          const micros = BigInt(b.value) * 1000n;
          return { sql: `CAST(make_timestamp(${micros}) AS DATE)`, type: T.date, constant: true };
        }
        return { sql: `CAST(${qs(b.value)} AS DATE)`, type: T.date, constant: true };
      case "TIMESTAMP_NTZ":
      case "TIMESTAMP_LTZ":
      case "TIMESTAMP_TZ": {
        // The driver sends nanoseconds since the epoch for these types (TIMESTAMP_TZ followed
        // by its offset in minutes plus 1440, which an instant does not need).
        const epoch = /^(-?\d+)(?: \d+)?$/.exec(b.value);
        if (epoch) {
          const micros = BigInt(epoch[1]) / 1000n;
          const type = b.type === "TIMESTAMP_NTZ" ? T.ntz : T.ltz;
          const sql = b.type === "TIMESTAMP_NTZ"
            ? `make_timestamp(${micros})`
            : `to_timestamp(${Number(micros) / 1e6})`;
          return { sql, type, constant: true };
        }
        return { sql: qs(b.value), type: T.varchar(), constant: true };
      }
      default:
        // TEXT and anything else: an untyped string literal, which DuckDB casts where compared,
        // as Snowflake does.
        return { sql: qs(b.value), type: T.varchar(b.value.length || 1), constant: true };
    }
  }

  /** Resolves a (possibly qualified) column name. */
  column(parts: string[], ctx: ExprContext, node: Node): Expr {
    const name = parts.at(-1)!;
    const qual = parts.slice(0, -1);
    for (let s: Scope | undefined = ctx.scope; s; s = s.parent) {
      if (qual.length) {
        const rel = s.relations.filter((r) =>
          r.qualifiers.some((q) => q.length === qual.length && q.every((x, i) => x === qual[i]))
        );
        if (rel.length > 1) throw SQL_ERRORS.ambiguous(qual.join("."));
        if (rel.length === 1) {
          const cols = rel[0].columns.filter((c) => c.name === name);
          if (!cols.length) throw SQL_ERRORS.invalidIdentifier(parts.join("."), startOf(node));
          if (cols.length > 1) throw SQL_ERRORS.ambiguous(parts.join("."));
          return {
            sql: `${qi(rel[0].duckAlias)}.${qi(cols[0].duck)}`,
            type: cols[0].type,
            column: { relation: rel[0], column: cols[0] },
          };
        }
        continue;
      }
      const merged = s.merged.get(name);
      if (merged) return merged;
      const hits: Expr[] = [];
      for (const rel of s.relations) {
        for (const c of rel.columns) {
          if (c.name === name) {
            hits.push({
              sql: `${qi(rel.duckAlias)}.${qi(c.duck)}`,
              type: c.type,
              column: { relation: rel, column: c },
            });
          }
        }
      }
      if (hits.length > 1) throw SQL_ERRORS.ambiguous(name);
      if (hits.length === 1) return hits[0];
      if (s === ctx.scope && ctx.aliases && s.aliases.has(name)) return s.aliases.get(name)!;
    }
    if (!qual.length && this.#paramScope?.aliases.has(name)) {
      return this.#paramScope.aliases.get(name)!;
    }
    throw SQL_ERRORS.invalidIdentifier(parts.join("."), startOf(node));
  }

  /** `seq.NEXTVAL`: the sequence's next number (a new one for each row), when `seq` is one. */
  #nextval(idents: readonly Ident[], parts: readonly string[]): Expr | undefined {
    const last = idents.at(-1)!;
    if (parts.length < 2 || last.quote_style || parts.at(-1) !== "NEXTVAL") return undefined;
    const seq = this.resolver.sequence?.(parts.slice(0, -1));
    if (!seq) return undefined;
    // Listed among the objects read: drawing a number writes, which decides where it runs.
    this.objects.set(seq.ref.id, seq.ref);
    return {
      sql: `CAST(${nextvalSql(seq.duck)} AS DECIMAL(38,0))`,
      type: T.number(38, 0),
    };
  }

  /** Translates an expression with its Snowflake type. */
  expr(node: Node, ctx: ExprContext): Expr {
    const v = variant(node);
    const p = payload(node);
    switch (v) {
      case "Identifier":
        return this.column([identName(p)], ctx, node);
      case "CompoundIdentifier": {
        const parts = (p as Ident[]).map(identName);
        return this.#nextval(p as Ident[], parts) ?? this.column(parts, ctx, node);
      }
      case "Value":
        return this.value(p.value ?? p, ctx);
      case "Nested": {
        const e = this.expr(p, ctx);
        return { ...e, sql: `(${e.sql})`, column: e.column };
      }
      case "UnaryOp":
        return this.unary(p.op, this.expr(p.expr, ctx));
      case "BinaryOp":
        return this.binary(p.op, p.left, p.right, ctx);
      case "IsNull":
      case "IsNotNull": {
        const e = this.expr(p, ctx);
        return {
          sql: `(${e.sql} IS ${v === "IsNull" ? "" : "NOT "}NULL)`,
          type: T.boolean,
          aggregate: e.aggregate,
          window: e.window,
        };
      }
      case "IsTrue":
      case "IsFalse":
      case "IsNotTrue":
      case "IsNotFalse": {
        const e = this.expr(p, ctx);
        const word = {
          IsTrue: "IS TRUE",
          IsFalse: "IS FALSE",
          IsNotTrue: "IS NOT TRUE",
          IsNotFalse: "IS NOT FALSE",
        }[v];
        return { sql: `(${e.sql} ${word})`, type: T.boolean, aggregate: e.aggregate };
      }
      case "IsDistinctFrom":
      case "IsNotDistinctFrom": {
        const a = this.expr(p[0], ctx), b = this.expr(p[1], ctx);
        const [x, y] = comparable(a, b);
        return {
          sql: `(${x} IS ${v === "IsDistinctFrom" ? "" : "NOT "}DISTINCT FROM ${y})`,
          type: T.boolean,
        };
      }
      case "InList": {
        if (variant(p.expr) === "Tuple") {
          // (a, b) IN ((1, 2), (3, 4)): each row compared column by column.
          const left = (payload(p.expr) as Node[]).map((x) => this.expr(x, ctx));
          const rows = (p.list as Node[]).map((row) => {
            const items = variant(row) === "Tuple" ? payload(row) as Node[] : [row];
            if (items.length !== left.length) {
              throw SQL_ERRORS.syntax(
                `the IN list's rows must have ${left.length} values, as the row before IN.`,
              );
            }
            return `(${
              items.map((x, i) => {
                const [a, b] = comparable(left[i], this.expr(x, ctx));
                return `${a} = ${b}`;
              }).join(" AND ")
            })`;
          });
          const any = rows.length ? rows.join(" OR ") : "FALSE";
          return { sql: `(${p.negated ? "NOT " : ""}(${any}))`, type: T.boolean };
        }
        const list = (p.list as Node[]).map((x) => this.expr(x, ctx));
        return once(this.expr(p.expr, ctx), (e) => {
          const items = list.map((x) => comparable(e, x)[1]);
          const lhs = list.length ? comparable(e, list[0])[0] : e.sql;
          return {
            sql: `(${lhs} ${p.negated ? "NOT " : ""}IN (${items.join(", ")}))`,
            type: T.boolean,
            aggregate: e.aggregate || list.some((x) => x.aggregate),
          };
        });
      }
      case "InSubquery": {
        this.blocker(ctx.scope, "a subquery in an expression");
        const e = this.expr(p.expr, ctx);
        const sub = this.query(p.subquery, ctx.scope);
        if (sub.columns.length !== 1) {
          throw SQL_ERRORS.syntax("the IN subquery must return one column.");
        }
        return {
          sql: `(${e.sql} ${p.negated ? "NOT " : ""}IN (SELECT ${
            qi(sub.columns[0].duck)
          } FROM (${sub.sql})))`,
          type: T.boolean,
          aggregate: e.aggregate,
        };
      }
      case "Between": {
        const lo = this.expr(p.low, ctx), hi = this.expr(p.high, ctx);
        return once(this.expr(p.expr, ctx), (e) => {
          const [a, l] = comparable(e, lo);
          const [, h] = comparable(e, hi);
          return {
            sql: `(${a} ${p.negated ? "NOT " : ""}BETWEEN ${l} AND ${h})`,
            type: T.boolean,
            aggregate: e.aggregate || lo.aggregate || hi.aggregate,
          };
        });
      }
      case "Like":
      case "ILike": {
        const e = this.expr(p.expr, ctx);
        const esc = p.escape_char === undefined || p.escape_char === null
          ? ""
          : ` ESCAPE ${this.asText(this.expr({ Value: p.escape_char }, ctx))}`;
        const op = v === "Like" ? "LIKE" : "ILIKE";
        const allOf = variant(p.pattern) === "Function" &&
            objectNameParts(payload(p.pattern).name).join(".") === "ALL"
          ? (payload(p.pattern).args?.List?.args ?? []).map((a: Node) =>
            a?.Unnamed?.Expr ?? a?.Unnamed ?? a
          )
          : undefined;
        if (allOf) {
          // LIKE ALL (p1, p2, …): true when every pattern matches.
          if (p.negated) throw SQL_ERRORS.unsupported(`NOT ${op} ALL`);
          const text = this.asText(e);
          return {
            sql: `(${
              (allOf as Node[]).map((x) => `${text} ${op} ${this.asText(this.expr(x, ctx))}${esc}`)
                .join(" AND ")
            })`,
            type: T.boolean,
            aggregate: e.aggregate,
          };
        }
        if (p.any) {
          // LIKE ANY (p1, p2, …): true when any pattern matches.
          if (p.negated) throw SQL_ERRORS.unsupported(`NOT ${op} ANY`);
          const patterns = variant(p.pattern) === "Tuple"
            ? payload(p.pattern) as Node[]
            : [p.pattern];
          const text = this.asText(e);
          return {
            sql: `(${
              patterns.map((x) => `${text} ${op} ${this.asText(this.expr(x, ctx))}${esc}`).join(
                " OR ",
              )
            })`,
            type: T.boolean,
            aggregate: e.aggregate,
          };
        }
        const pat = this.expr(p.pattern, ctx);
        return {
          sql: `(${this.asText(e)} ${p.negated ? "NOT " : ""}${op} ${this.asText(pat)}${esc})`,
          type: T.boolean,
          aggregate: e.aggregate,
        };
      }
      case "RLike":
      case "SimilarTo":
        if (v === "RLike") {
          const e = this.expr(p.expr, ctx), pat = this.expr(p.pattern, ctx);
          return {
            sql: `(${p.negated ? "NOT " : ""}regexp_full_match(${this.asText(e)}, ${
              this.asText(pat)
            }))`,
            type: T.boolean,
          };
        }
        throw SQL_ERRORS.unsupported("SIMILAR TO");
      case "Exists": {
        this.blocker(ctx.scope, "a subquery in an expression");
        const sub = this.query(p.subquery, ctx.scope);
        return { sql: `(${p.negated ? "NOT " : ""}EXISTS (${sub.sql}))`, type: T.boolean };
      }
      case "Subquery": {
        this.blocker(ctx.scope, "a subquery in an expression");
        const sub = this.query(p, ctx.scope);
        if (sub.columns.length !== 1) {
          throw SQL_ERRORS.syntax("a scalar subquery must return one column.");
        }
        return {
          sql: `(SELECT ${qi(sub.columns[0].duck)} FROM (${sub.sql}))`,
          type: sub.columns[0].type,
        };
      }
      case "Case":
        return this.caseExpr(p, ctx);
      case "Cast":
        return castExpr(this, p, ctx);
      case "TypedString": {
        const type = dataTypeOf(p.data_type);
        const text = String(payload(p.value?.value ?? p.value) ?? "");
        return { sql: castTo(qs(text), T.varchar(), type), type, constant: true };
      }
      case "Function":
        return callFunction(this, p, ctx);
      case "Extract": {
        // The parser names a part as a variant (`Year`, `TimezoneHour`, `Week` with an
        // optional weekday) or, for the rest, as written (`Custom`).
        const kind = typeof p.field === "string" ? p.field : variant(p.field);
        const field = String(kind === "Custom" ? payload(p.field)?.value : kind)
          .replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
        return callFunction(this, {
          name: [{ Identifier: { value: "DATE_PART" } }],
          args: {
            List: {
              args: [{ Unnamed: { Expr: { Identifier: { value: field } } } }, {
                Unnamed: { Expr: p.expr },
              }],
            },
          },
        }, ctx);
      }
      case "Substring": {
        const args = [p.expr, p.substring_from, p.substring_for].filter(Boolean);
        return callFunction(this, {
          name: [{ Identifier: { value: "SUBSTR" } }],
          args: { List: { args: args.map((a) => ({ Unnamed: { Expr: a } })) } },
        }, ctx);
      }
      case "Position": {
        return callFunction(this, {
          name: [{ Identifier: { value: "POSITION" } }],
          args: { List: { args: [{ Unnamed: { Expr: p.expr } }, { Unnamed: { Expr: p.in } }] } },
        }, ctx);
      }
      case "Trim": {
        const where = p.trim_where;
        const fn = where === "Leading" ? "LTRIM" : where === "Trailing" ? "RTRIM" : "TRIM";
        const args = [p.expr];
        if (p.trim_what) args.push(p.trim_what);
        if (p.trim_characters?.length) args.push(...p.trim_characters);
        return callFunction(this, {
          name: [{ Identifier: { value: fn } }],
          args: { List: { args: args.map((a) => ({ Unnamed: { Expr: a } })) } },
        }, ctx);
      }
      case "Ceil":
      case "Floor": {
        const args = [p.expr];
        const field = p.field;
        if (field && variant(field) === "Scale") args.push(payload(field));
        return callFunction(this, {
          name: [{ Identifier: { value: v.toUpperCase() } }],
          args: { List: { args: args.map((a) => ({ Unnamed: { Expr: a } })) } },
        }, ctx);
      }
      case "JsonAccess":
        return this.jsonAccess(p, ctx);
      case "CompoundFieldAccess":
        return this.fieldAccess(p, ctx);
      case "Collate":
        throw SQL_ERRORS.unsupported("COLLATE");
      case "Interval": {
        if (p.leading_field || p.last_field || p.fractional_seconds_precision) {
          throw SQL_ERRORS.unsupported("INTERVAL with a field qualifier");
        }
        const text = this.constantValue(p.value, ctx.scope);
        if (typeof text !== "string") {
          throw SQL_ERRORS.invalidArgument("an interval constant is a string: INTERVAL '2 hours'");
        }
        const iv = intervalConstant(text);
        return {
          sql: `(${iv.sql})`,
          type: T.varchar(),
          constant: true,
          interval: { dateOnly: iv.dateOnly },
        };
      }
      case "Array": {
        const elems = (p.elem as Node[]).map((x) => this.expr(x, ctx));
        return {
          sql: `to_json([${elems.map((e) => this.toVariantSql(e)).join(", ")}])`,
          type: T.array,
        };
      }
      case "Tuple":
        throw SQL_ERRORS.unsupported("a row value (a, b) outside IN");
      case "AnyOp":
      case "AllOp": {
        // x <op> ANY | ALL (subquery): DuckDB's own, with the operand compared as `=` would.
        const sym = COMPARISONS[p.compare_op as string];
        if (!sym || variant(p.right) !== "Subquery") {
          throw SQL_ERRORS.unsupported(
            `${v === "AnyOp" ? "ANY" : "ALL"} of anything but a subquery`,
          );
        }
        this.blocker(ctx.scope, "a subquery in an expression");
        const e = this.expr(p.left, ctx);
        const sub = this.query(payload(p.right), ctx.scope);
        if (sub.columns.length !== 1) {
          throw SQL_ERRORS.syntax(
            `the ${v === "AnyOp" ? "ANY" : "ALL"} subquery must return one column.`,
          );
        }
        const col: Expr = { sql: qi(sub.columns[0].duck), type: sub.columns[0].type };
        const [x, y] = comparable(e, col);
        return {
          sql: `(${x} ${sym} ${v === "AnyOp" ? "ANY" : "ALL"} (SELECT ${y} FROM (${sub.sql}) AS ${
            qi(sub.columns[0].duck + "_q")
          }))`,
          type: T.boolean,
          aggregate: e.aggregate,
        };
      }
      case "Named":
        throw SQL_ERRORS.unsupported("a named argument here");
      case "Wildcard":
      case "QualifiedWildcard":
        throw SQL_ERRORS.syntax("'*' is only allowed in a select list or COUNT(*).");
      case "Lambda":
        throw SQL_ERRORS.unsupported("lambda expressions");
    }
    throw SQL_ERRORS.unsupported(v || "this expression");
  }

  /** A VARIANT's JSON text for any expression (to build arrays and objects). */
  toVariantSql(e: Expr): string {
    if (e.type.kind === "VARIANT" || e.type.kind === "OBJECT" || e.type.kind === "ARRAY") {
      return e.sql;
    }
    return variantOf(e, this.resolver.session);
  }

  /** A string operand: VARIANT unwrapped, others cast to VARCHAR. */
  asText(e: Expr): string {
    if (e.type.kind === "VARCHAR" || e.type.kind === "NULL") return e.sql;
    if (e.type.kind === "VARIANT") return variantAs(e.sql, T.varchar());
    if (e.type.kind === "FLOAT") return floatText(e.sql);
    return `CAST(${e.sql} AS VARCHAR)`;
  }

  value(val: Node, ctx: ExprContext): Expr {
    void ctx;
    const v = variant(val);
    const p = payload(val);
    switch (v) {
      case "Number":
        return { ...numberLiteral(String(p[0])), constant: true };
      case "SingleQuotedString":
      case "DoubleQuotedString":
      case "NationalStringLiteral":
      case "EscapedStringLiteral":
        return { sql: qs(p), type: T.varchar(Math.max(1, [...String(p)].length)), constant: true };
      case "DollarQuotedString":
        return {
          sql: qs(p.value),
          type: T.varchar(Math.max(1, [...String(p.value)].length)),
          constant: true,
        };
      case "Boolean":
        return { sql: p ? "TRUE" : "FALSE", type: T.boolean, constant: true };
      case "Placeholder": {
        const ph = String(p);
        if (/^\$\d+$/.test(ph)) return this.positional(Number(ph.slice(1)), ctx);
        return this.bindExpr(ph);
      }
      case "HexStringLiteral":
        return { sql: `from_hex(${qs(p)})`, type: T.binary, constant: true };
    }
    if (val === "Null") return { sql: "NULL", type: T.null, constant: true };
    throw SQL_ERRORS.unsupported(`literal ${v || JSON.stringify(val)}`);
  }

  /** `$n`: the n-th column of the FROM clause. */
  positional(n: number, ctx: ExprContext): Expr {
    const all: { rel: Relation; c: Column }[] = [];
    for (const rel of ctx.scope.relations) for (const c of rel.columns) all.push({ rel, c });
    const hit = all[n - 1];
    if (!hit) throw SQL_ERRORS.invalidIdentifier(`$${n}`);
    return {
      sql: `${qi(hit.rel.duckAlias)}.${qi(hit.c.duck)}`,
      type: hit.c.type,
      column: { relation: hit.rel, column: hit.c },
    };
  }

  unary(op: string, e: Expr): Expr {
    switch (op) {
      case "Minus":
        return { ...e, sql: `(-${e.sql})`, column: undefined };
      case "Plus":
        return { ...e, column: undefined };
      case "Not":
        return { ...e, sql: `(NOT ${this.#bool(e)})`, type: T.boolean, column: undefined };
    }
    throw SQL_ERRORS.unsupported(`unary operator ${op}`);
  }

  #bool(e: Expr): string {
    return e.type.kind === "BOOLEAN" || e.type.kind === "NULL"
      ? e.sql
      : `CAST(${e.sql} AS BOOLEAN)`;
  }

  binary(op: string, l: Node, r: Node, ctx: ExprContext): Expr {
    const a = this.expr(l, ctx);
    const b = this.expr(r, ctx);
    const flags = {
      aggregate: a.aggregate || b.aggregate,
      window: a.window || b.window,
      constant: a.constant && b.constant,
    };
    switch (op) {
      case "And":
      case "Or":
        return {
          sql: `(${this.#bool(a)} ${op.toUpperCase()} ${this.#bool(b)})`,
          type: T.boolean,
          ...flags,
        };
      case "Eq":
      case "NotEq":
      case "Lt":
      case "LtEq":
      case "Gt":
      case "GtEq":
      case "Spaceship": {
        const sym = op === "Spaceship" ? "IS NOT DISTINCT FROM" : COMPARISONS[op];
        const [x, y] = comparable(a, b);
        return { sql: `(${x} ${sym} ${y})`, type: T.boolean, ...flags };
      }
      case "Plus":
      case "Minus":
        return { ...this.#plusMinus(op === "Plus" ? "+" : "-", a, b), ...flags };
      case "Multiply":
        return { ...multiply(this.#num(a), this.#num(b)), ...flags };
      case "Divide":
        return { ...divide(this.#num(a), this.#num(b)), ...flags };
      case "Modulo":
        return { ...modulo(this.#num(a), this.#num(b)), ...flags };
      case "StringConcat":
        return { sql: `(${this.asText(a)} || ${this.asText(b)})`, type: T.varchar(), ...flags };
      case "Xor":
        return { sql: `(${this.#bool(a)} <> ${this.#bool(b)})`, type: T.boolean, ...flags };
    }
    throw SQL_ERRORS.unsupported(`operator ${op}`);
  }

  /** A number operand: strings and VARIANTs are cast to NUMBER as Snowflake does. */
  #num(e: Expr): { sql: string; type: SfType } {
    if (e.type.kind === "VARCHAR") return { sql: `CAST(${e.sql} AS DOUBLE)`, type: T.float };
    if (e.type.kind === "VARIANT") return { sql: variantAs(e.sql, T.float), type: T.float };
    if (e.type.kind === "NULL") return { sql: `CAST(NULL AS DECIMAL(38,0))`, type: T.number() };
    return e;
  }

  #plusMinus(op: "+" | "-", a: Expr, b: Expr): { sql: string; type: SfType } {
    const ta = a.type.kind, tb = b.type.kind;
    const timey = (k: string) => k === "DATE" || k.startsWith("TIMESTAMP");
    if (b.interval && (timey(ta) || ta === "TIME") && !a.interval) {
      // A DATE stays a DATE for whole days, months and years; a time part makes it a timestamp.
      if (ta !== "DATE") return { sql: `(${a.sql} ${op} ${b.sql})`, type: a.type };
      return b.interval.dateOnly
        ? { sql: `CAST(${a.sql} ${op} ${b.sql} AS DATE)`, type: T.date }
        : { sql: `(CAST(${a.sql} AS TIMESTAMP) ${op} ${b.sql})`, type: T.ntz };
    }
    if (a.interval && (timey(tb) || tb === "TIME") && op === "+") {
      return this.#plusMinus("+", b, a);
    }
    if (a.interval || b.interval) {
      throw SQL_ERRORS.typeMismatch(
        "an interval constant only adds to or subtracts from a date or timestamp",
      );
    }
    if (ta === "DATE" && tb === "DATE" && op === "-") {
      return { sql: `CAST((${a.sql} - ${b.sql}) AS DECIMAL(38,0))`, type: T.number(38, 0) };
    }
    if (timey(ta) && (tb === "NUMBER" || tb === "FLOAT")) {
      // DATE ± n days (Snowflake also accepts it for timestamps, in days).
      const days = `CAST(${b.sql} AS INTEGER)`;
      return ta === "DATE"
        ? { sql: `CAST(${a.sql} ${op} ${days} AS DATE)`, type: T.date }
        : { sql: `(${a.sql} ${op} to_days(${days}))`, type: a.type };
    }
    if ((ta === "NUMBER" || ta === "FLOAT") && timey(tb) && op === "+") {
      return this.#plusMinus("+", b, a);
    }
    if (timey(ta) || timey(tb)) {
      throw SQL_ERRORS.typeMismatch(`invalid argument types for operator ${op}: ${ta}, ${tb}`);
    }
    return addSubtract(op, this.#num(a), this.#num(b));
  }

  caseExpr(p: Node, ctx: ExprContext): Expr {
    const conds: Node[] = p.conditions ?? [];
    const results = conds.map((c) => this.expr(c.result, ctx));
    const elseE = p.else_result ? this.expr(p.else_result, ctx) : undefined;
    const type = commonType([...results.map((r) => r.type), ...(elseE ? [elseE.type] : [])]);
    const conditions = conds.map((c) => this.expr(c.condition, ctx));
    const build = (operand: Expr | undefined): Expr => {
      let agg = !!operand?.aggregate;
      let sql = "CASE";
      conditions.forEach((cond, i) => {
        agg ||= !!cond.aggregate || !!results[i].aggregate;
        if (operand) {
          const [x, y] = comparable(operand, cond);
          sql += ` WHEN ${x} = ${y}`;
        } else sql += ` WHEN ${this.#bool(cond)}`;
        sql += ` THEN ${castTo(results[i].sql, results[i].type, type)}`;
      });
      if (elseE) sql += ` ELSE ${castTo(elseE.sql, elseE.type, type)}`;
      sql += " END";
      return { sql, type, aggregate: agg || !!elseE?.aggregate };
    };
    // `CASE x WHEN …` reads x once, however many branches compare it.
    return p.operand ? once(this.expr(p.operand, ctx), build) : build(undefined);
  }

  /** `v:a.b[0]`: a path into a VARIANT. */
  jsonAccess(p: Node, ctx: ExprContext): Expr {
    const base = this.expr(p.value, ctx);
    let json = base.type.kind === "VARCHAR" ? `CAST(${base.sql} AS JSON)` : base.sql;
    for (const el of p.path?.path ?? []) {
      const v = variant(el);
      const e = payload(el);
      if (v === "Dot") json = `json_extract(${json}, ${qs(jsonKeyPath(e.key, e.quoted))})`;
      else if (v === "Bracket") {
        const k = this.expr(e.key, ctx);
        json = k.type.kind === "NUMBER"
          ? `json_extract(${json}, '$[' || CAST(${k.sql} AS BIGINT) || ']')`
          : `json_extract(${json}, '$."' || replace(${this.asText(k)}, '"', '\\"') || '"')`;
      } else if (v === "ColonBracket") {
        const k = this.expr(e.key, ctx);
        json = `json_extract(${json}, '$."' || ${this.asText(k)} || '"')`;
      } else throw SQL_ERRORS.unsupported(`VARIANT path element ${v}`);
    }
    return { sql: json, type: T.variant, aggregate: base.aggregate };
  }

  /** `v['a']`, `v[0]` on a VARIANT. */
  fieldAccess(p: Node, ctx: ExprContext): Expr {
    const base = this.expr(p.root, ctx);
    let json = base.type.kind === "VARCHAR" ? `CAST(${base.sql} AS JSON)` : base.sql;
    for (const a of p.access_chain ?? []) {
      const v = variant(a);
      const e = payload(a);
      if (v === "Subscript") {
        const idx = this.expr(payload(e) ?? e.Index?.index, ctx);
        json = idx.type.kind === "NUMBER"
          ? `json_extract(${json}, '$[' || CAST(${idx.sql} AS BIGINT) || ']')`
          : `json_extract(${json}, '$."' || ${this.asText(idx)} || '"')`;
      } else if (v === "Dot") {
        const key = variant(e) === "Identifier" ? e.Identifier.value : String(payload(e));
        json = `json_extract(${json}, ${qs(jsonKeyPath(key, false))})`;
      } else throw SQL_ERRORS.unsupported(`field access ${v}`);
    }
    return { sql: json, type: T.variant };
  }

  /** A window specification (PARTITION BY, ORDER BY, frame). */
  windowSpec(spec: Node, scope: Scope): string {
    const ctx: ExprContext = { scope, aggregates: true, aliases: true };
    const parts: string[] = [];
    if (spec.window_name) parts.push(qi(identName(spec.window_name)));
    const partitions = ((spec.partition_by ?? []) as Node[]).map((e) => this.expr(e, ctx).sql);
    if (partitions.length) parts.push(`PARTITION BY ${partitions.join(", ")}`);
    scope.block?.windows.push(partitions);
    if (spec.window_name) this.blocker(scope, "a named window");
    if (spec.order_by?.length) {
      parts.push(`ORDER BY ${
        (spec.order_by as Node[]).map((o) => {
          const e = this.expr(o.expr, ctx).sql;
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
        }).join(", ")
      }`);
    }
    if (spec.window_frame) parts.push(this.frame(spec.window_frame, ctx));
    return parts.join(" ");
  }

  frame(f: Node, ctx: ExprContext): string {
    const units = String(f.units).toUpperCase();
    const bound = (b: Node): string => {
      if (b === "CurrentRow") return "CURRENT ROW";
      const v = variant(b);
      const p = payload(b);
      const word = v === "Preceding" ? "PRECEDING" : "FOLLOWING";
      if (p === null || p === undefined) return `UNBOUNDED ${word}`;
      // RANGE over a date or timestamp order takes an interval: RANGE BETWEEN INTERVAL '2 days'
      // PRECEDING AND CURRENT ROW.
      if (units === "RANGE" && variant(p) === "Interval") return `${this.expr(p, ctx).sql} ${word}`;
      return `${this.#constantInt(p, ctx.scope, "a window frame offset")} ${word}`;
    };
    const start = bound(f.start_bound);
    return f.end_bound
      ? `${units} BETWEEN ${start} AND ${bound(f.end_bound)}`
      : `${units} ${start}`;
  }
}

/** The JSON path of a VARIANT key (`$.key`, quoted when it needs to be). */
function jsonKeyPath(key: string, quoted: boolean): string {
  const k = quoted ? key : key;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `$.${k}` : `$."${k.replaceAll('"', '\\"')}"`;
}

/** The body of a query after translation, with its output columns. */
/** Whether the query mentions `name` as a table (a recursive CTE's reference to itself). */
function referencesName(query: Node, name: string): boolean {
  let found = false;
  const visit = (n: unknown): void => {
    if (found || !n || typeof n !== "object") return;
    if (Array.isArray(n)) return n.forEach(visit);
    const t = (n as Node).Table;
    if (
      t?.name && objectNameParts(t.name).at(-1) === name && objectNameParts(t.name).length === 1
    ) {
      found = true;
      return;
    }
    for (const v of Object.values(n)) visit(v);
  };
  visit(query);
  return found;
}

/** A recursive CTE's column type, wide enough for values the recursion grows. */
function widen(t: SfType): SfType {
  if (t.kind === "NUMBER") return T.number(38, t.scale);
  if (t.kind === "VARCHAR") return T.varchar();
  return t;
}

export interface SetResult {
  readonly sql: string;
  readonly columns: readonly Column[];
  /** The FROM scope ORDER BY may still reference (a plain SELECT), or undefined. */
  readonly orderScope?: Scope;
  /** The analysed block of its output (with `analyze`). */
  readonly block?: number;
}

export { isAggregateName, isWindowOnlyName };
