/**
 * Translating a statement's query against the catalog: the resolver for the session, the bind
 * count check, and the streams the query read (whose offsets a DML statement advances).
 *
 * @module
 */
import type { Node } from "../ast.ts";
import { SQL_ERRORS } from "../errors.ts";
import type { LaneSession } from "../../warehouse/duckdb.ts";
import type { StatementContext } from "../context.ts";
import { catalogResolver } from "../resolver.ts";
import type { Column, ObjectRef } from "./context.ts";
import { Scope, Translator } from "./translator.ts";
import { advanceStreams } from "../statements/ddl.ts";

/** A translated statement query. */
export interface StatementQuery {
  readonly sql: string;
  readonly columns: readonly Column[];
  /** Catalog objects read. */
  readonly objects: ReadonlyMap<number, ObjectRef>;
  /** Streams read, with the offsets their rows end at. */
  readonly streamReads: ReadonlyMap<number, { row: number; logSeq: number }>;
  /** Advances the offsets of the streams read (call inside the DML's transaction). */
  commitStreams(s: LaneSession): Promise<void>;
}

/** Options of {@link translateQuery}. */
export interface TranslateQueryOptions {
  /** Which lane will run it (reading a stream on the reader lane never advances it). */
  readonly lane: "reader" | "writer";
  /** A view definition: reading a stream there is not allowed. */
  readonly forView?: boolean;
}

/** A translator for one statement, with the statement's resolver. */
export function statementTranslator(ctx: StatementContext) {
  const resolver = catalogResolver({
    warehouse: ctx.warehouse,
    results: ctx.results,
    session: ctx.sessionContext,
    parseQuery: ctx.parseQuery,
  });
  const t = new Translator(resolver, {
    source: ctx.text,
    binds: ctx.binds,
    lookups: ctx.lookups,
  });
  return { t, resolver };
}

/** Checks that every bind was used (Snowflake refuses extra binds too). */
export function checkBinds(ctx: StatementContext, t: Translator): void {
  if (t.bindsUsed < ctx.binds.length) throw SQL_ERRORS.binds(t.bindsUsed, ctx.binds.length);
}

/** Translates a `Query` node of the statement. */
export function translateQuery(
  ctx: StatementContext,
  query: Node,
  options: TranslateQueryOptions,
): StatementQuery {
  const { t, resolver } = statementTranslator(ctx);
  const q = t.query(query, new Scope(undefined).parent);
  checkBinds(ctx, t);
  if (options.forView && resolver.streamReads.size) {
    throw SQL_ERRORS.unsupported("a view over a stream");
  }
  if (options.forView && [...t.objects.values()].some((o) => o.kind === "SEQUENCE")) {
    throw SQL_ERRORS.unsupported("a sequence (NEXTVAL) in a view");
  }
  return {
    sql: q.sql,
    columns: q.columns,
    objects: t.objects,
    streamReads: resolver.streamReads,
    commitStreams: (s) => advanceStreams(ctx, s, resolver.streamReads),
  };
}
