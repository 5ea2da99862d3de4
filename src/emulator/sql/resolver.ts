/**
 * The translator's view of the catalog: tables, views, dynamic tables and streams by name, SQL
 * table functions, the INFORMATION_SCHEMA views and the system table functions (RESULT_SCAN,
 * DYNAMIC_TABLE_REFRESH_HISTORY).
 *
 * @module
 */
import { keysOf } from "../warehouse/keys.ts";
import { identName, type Node } from "./ast.ts";
import { type CatalogObject, META, namespaceOf, tableOf } from "../warehouse/catalog.ts";
import type { Warehouse } from "../warehouse/warehouse.ts";
import { formatSfType, type SfType, T } from "../warehouse/types.ts";
import type {
  CatalogRelation,
  CatalogScalarFunction,
  CatalogTableFunction,
  ObjectRef,
  Resolver,
  SessionContext,
  SystemFunctionArgs,
} from "./translate/context.ts";
import { fullText, qualify } from "./names.ts";
import { SQL_ERRORS, SqlError } from "./errors.ts";
import type { ResultStore } from "./results.ts";
import { valuesRelation } from "./values.ts";
import { qi, qs } from "./translate/quote.ts";
import { streamChangesSql } from "./streams.ts";
import { DDL_KINDS, ddlText, schemaDdl } from "./ddl_text.ts";
import { parseStoredType } from "../warehouse/catalog.ts";
import { HISTORY_TABLE } from "../dynamic/history.ts";
import { identifiersOf } from "./variables.ts";
import type { TargetLag } from "./parser.ts";

/** A synthetic object id for relations that are not catalog objects. */
const SYSTEM_ID = -1;

/** SCHEDULING_STATE's reason_message for a suspended dynamic table's reason_code. */
function suspendMessage(code: string): string {
  if (code.startsWith("UPSTREAM_")) {
    return "The DT was suspended because an upstream DT was suspended";
  }
  if (code === "SUSPENDED_DUE_TO_ERRORS") {
    return "The DT was suspended due to 5 consecutive refresh errors";
  }
  return "The DT was suspended by a user";
}

/** Where the resolver looks things up. */
export interface ResolverDeps {
  readonly warehouse: Warehouse;
  readonly results: ResultStore;
  readonly session: SessionContext;
  /** Parses a query text (SQL function bodies). */
  readonly parseQuery: (text: string) => Node;
  /**
   * Dynamic tables not yet initialized may be read (a dynamic table's definition: its refresh
   * initializes them first); a query refuses them, as Snowflake does.
   */
  readonly readsUninitialized?: boolean;
}

export function refOf(o: CatalogObject): ObjectRef {
  return { id: o.id, kind: o.kind, database: o.database, schema: o.schema, name: o.name };
}

/** A resolver over the warehouse's catalog for one statement. */
export function catalogResolver(deps: ResolverDeps): Resolver & {
  /** Streams read by the statement, with the offsets their rows end at. */
  readonly streamReads: Map<number, { row: number; logSeq: number }>;
} {
  const { warehouse, session } = deps;
  const catalog = warehouse.catalog;
  const streamReads = new Map<number, { row: number; logSeq: number }>();

  const relation = (parts: readonly string[]): CatalogRelation | undefined => {
    const n = qualify(parts, session);
    const o = catalog.find(n.database, n.schema, n.name, "RELATION");
    if (!o) return undefined;
    const columns = o.columns.map((c) => ({ name: c.name, type: c.type }));
    if (o.kind === "TABLE" || o.kind === "DYNAMIC TABLE") {
      if (
        o.kind === "DYNAMIC TABLE" && o.props.initialized === false && !deps.readsUninitialized
      ) {
        throw new SqlError(
          "002037",
          "55000",
          `Dynamic Table '${o.database}.${o.schema}.${o.name}' is not initialized. Please run a manual refresh or wait for a scheduled refresh before querying.`,
        );
      }
      return { ref: refOf(o), columns, sql: tableOf(o), sequenced: true };
    }
    if (o.kind === "VIEW") {
      return {
        ref: refOf(o),
        columns,
        sql: tableOf(o),
        sequenced: false,
        definition: o.definition ?? undefined,
      };
    }
    if (o.kind === "STREAM") {
      const source = catalog.byId(Number(o.props.source));
      if (
        !source ||
        source.props.replacedAt !== undefined &&
          Number(source.props.replacedAt) > o.createdOn.getTime()
      ) {
        throw SQL_ERRORS.staleStream(`${o.database}.${o.schema}.${o.name}`);
      }
      const end = { row: warehouse.nextRow(source.id), logSeq: warehouse.nextLogSeq(source.id) };
      streamReads.set(o.id, end);
      return { ref: refOf(o), columns, sql: `(${streamChangesSql(o, source)})`, sequenced: false };
    }
    return undefined;
  };

  const tableFunction = (parts: readonly string[]): CatalogTableFunction | undefined => {
    const n = qualify(parts, session);
    const o = catalog.find(n.database, n.schema, n.name, "FUNCTION");
    if (!o) return undefined;
    const params = (o.props.params as { name: string; type: string }[] ?? []).map((p) => ({
      name: p.name,
      type: parseStoredType(p.type),
    }));
    if (!o.props.returnsTable) {
      throw SQL_ERRORS.invalidArgument(`function ${o.name} is not a table function.`);
    }
    return {
      ref: refOf(o),
      params,
      columns: o.columns.map((c) => ({ name: c.name, type: c.type })),
      body: o.definition ?? "",
    };
  };

  const scalarFunction = (parts: readonly string[]): CatalogScalarFunction | undefined => {
    const n = qualify(parts, session);
    const o = catalog.find(n.database, n.schema, n.name, "FUNCTION");
    if (!o || o.props.returnsTable) return undefined;
    return {
      ref: refOf(o),
      params: (o.props.params as { name: string; type: string }[] ?? []).map((p) => ({
        name: p.name,
        type: parseStoredType(p.type),
      })),
      returnType: parseStoredType(String(o.props.returnType)),
      body: o.definition ?? "",
    };
  };

  const systemTableFunction = (
    name: string,
    args: SystemFunctionArgs,
  ): CatalogRelation | undefined => {
    const short = name.split(".").at(-1)!;
    if (short === "RESULT_SCAN") {
      const id = args.positional[0];
      if (typeof id !== "string") throw SQL_ERRORS.invalidArgument("RESULT_SCAN needs a query id.");
      const r = deps.results.get(id);
      if (!r || r.user !== session.user) {
        throw SQL_ERRORS.invalidArgument(`Statement ${id} not found`);
      }
      const names = distinctNames(r.columns.map((c) => c.name));
      return {
        ref: { id: SYSTEM_ID, kind: "RESULT", database: "", schema: "", name: id },
        columns: r.columns.map((c, i) => ({ name: names[i], type: c.type })),
        sql: deps.results.scanSql(r, names),
        sequenced: false,
      };
    }
    if (short === "DYNAMIC_TABLE_REFRESH_HISTORY") return refreshHistory(args);
    if (short === "DYNAMIC_TABLES") return dynamicTables(args);
    if (
      short === "QUERY_HISTORY" || short === "QUERY_HISTORY_BY_SESSION" ||
      short === "QUERY_HISTORY_BY_USER"
    ) {
      return queryHistory(short, args);
    }
    return undefined;
  };

  /**
   * QUERY_HISTORY(), QUERY_HISTORY_BY_SESSION([SESSION_ID]) and QUERY_HISTORY_BY_USER([USER_NAME]):
   * the user's own recent statements, newest first (RESULT_LIMIT, default 100, at most 10,000;
   * END_TIME_RANGE_START / _END bound the end time).
   */
  const queryHistory = (name: string, args: SystemFunctionArgs): CatalogRelation => {
    const limitArg = args.named.get("RESULT_LIMIT");
    const limit = typeof limitArg === "number"
      ? Math.max(1, Math.min(10000, Math.floor(limitArg)))
      : 100;
    const sessionArg = args.named.get("SESSION_ID") ?? args.positional[0];
    const userArg = args.named.get("USER_NAME") ?? args.positional[0];
    const time = (k: string) => {
      const v = args.named.get(k);
      if (v === undefined || v === null) return undefined;
      const t = new Date(String(v)).getTime();
      if (Number.isNaN(t)) throw SQL_ERRORS.invalidArgument(`${k} is not a timestamp`);
      return t;
    };
    const from = time("END_TIME_RANGE_START"), to = time("END_TIME_RANGE_END");
    const records = deps.results.history.newest((r) => {
      // A user reads only their own statements (one user here; the rule stays Snowflake's).
      if (r.user !== session.user) return false;
      if (name === "QUERY_HISTORY_BY_SESSION") {
        const wanted = sessionArg === undefined || sessionArg === null
          ? session.sessionId
          : String(sessionArg);
        if (r.sessionId !== wanted) return false;
      }
      if (name === "QUERY_HISTORY_BY_USER" && userArg !== undefined && userArg !== null) {
        if (r.user !== String(userArg).toUpperCase()) return false;
      }
      const end = r.end.getTime();
      return (from === undefined || end >= from) && (to === undefined || end < to);
    }, limit);
    const rows = records.map((r) => [
      r.queryId,
      r.text,
      r.database,
      r.schema,
      r.queryType,
      r.sessionId,
      r.user,
      r.role,
      r.warehouse,
      r.queryTag,
      r.status,
      r.errorCode,
      r.errorMessage,
      r.start,
      r.end,
      r.end.getTime() - r.start.getTime(),
      r.rowsProduced,
    ]);
    return {
      ref: { id: SYSTEM_ID, kind: "FUNCTION", database: "", schema: "INFORMATION_SCHEMA", name },
      columns: QUERY_HISTORY_COLUMNS,
      sql: valuesRelation(QUERY_HISTORY_COLUMNS, rows),
      sequenced: false,
    };
  };

  /**
   * DYNAMIC_TABLES(): each dynamic table's lag as its refresh history shows it. Between two
   * successful refreshes the lag grows from (end − data timestamp) of the first to the next end's
   * distance from that same data timestamp, and after the last one it grows until now; the mean,
   * the maximum and the time above the target lag are taken over those segments.
   */
  const dynamicTables = (args: SystemFunctionArgs): CatalogRelation => {
    if (args.named.get("INCLUDE_CONNECTED") === true) {
      throw SQL_ERRORS.unsupported("DYNAMIC_TABLES(INCLUDE_CONNECTED => TRUE)");
    }
    const nameArg = args.named.get("NAME");
    const named = typeof nameArg === "string"
      ? qualify(identifiersOf(nameArg).map(identName), session)
      : undefined;
    const prefix = args.named.get("NAME_PREFIX");
    const rows = catalog.objects().filter((o) =>
      o.kind === "DYNAMIC TABLE" &&
      (!named ||
        (o.database === named.database && o.schema === named.schema && o.name === named.name)) &&
      (typeof prefix !== "string" ||
        fullText(o).toUpperCase().startsWith(prefix.toUpperCase()))
    ).map((o) => {
      const lag = o.props.targetLag as TargetLag;
      return [
        o.id,
        o.name,
        o.schema,
        o.database,
        lag.kind === "duration" ? lag.seconds : null,
        lag.kind === "duration" ? "USER_DEFINED" : "DOWNSTREAM",
        JSON.stringify({
          state: o.props.suspended ? "SUSPENDED" : "ACTIVE",
          ...(o.props.suspended && o.props.suspendReason
            ? {
              reason_code: o.props.suspendReason,
              reason_message: suspendMessage(String(o.props.suspendReason)),
            }
            : {}),
          ...(o.props.suspended && o.props.lastSuspendedOn
            ? { suspended_on: o.props.lastSuspendedOn }
            : {}),
        }),
      ];
    });
    const limitArg = args.named.get("RESULT_LIMIT");
    const limit = typeof limitArg === "number"
      ? Math.max(1, Math.min(10000, Math.floor(limitArg)))
      : 100;
    const tables = valuesRelation(DT_LIST_COLUMNS, rows);
    const sql = `(WITH ok AS (
        SELECT id, data_timestamp AS d, refresh_end_time AS e,
          coalesce(lead(refresh_end_time) OVER (PARTITION BY id ORDER BY refresh_end_time, seq),
            current_timestamp) AS until
        FROM ${HISTORY_TABLE} WHERE state = 'SUCCEEDED' AND refresh_end_time IS NOT NULL),
      seg AS (
        SELECT id, epoch(e - d) AS a, epoch(until - d) AS b, epoch(until - e) AS w FROM ok),
      lags AS (
        SELECT seg.id, sum((a + b) / 2 * w) / nullif(sum(w), 0) AS mean_lag, max(b) AS max_lag,
          sum(greatest(0, b - greatest(a, t.lag_sec))) AS above, sum(w) AS span
        FROM seg JOIN ${tables} AS t ON t.id = seg.id GROUP BY seg.id),
      last AS (
        SELECT id, arg_max(state, seq) AS state, arg_max(state_code, seq) AS code,
          arg_max(state_message, seq) AS message
        FROM ${HISTORY_TABLE} WHERE state IN ('SUCCEEDED', 'FAILED', 'UPSTREAM_FAILED', 'CANCELLED')
        GROUP BY id),
      latest AS (
        SELECT id, max(data_timestamp) AS d FROM ${HISTORY_TABLE} WHERE state = 'SUCCEEDED'
        GROUP BY id)
      SELECT t.name AS "NAME", t.schema_name AS "SCHEMA_NAME", t.database_name AS "DATABASE_NAME",
        t.database_name || '.' || t.schema_name || '.' || t.name AS "QUALIFIED_NAME",
        CAST(t.lag_sec AS DECIMAL(38,0)) AS "TARGET_LAG_SEC", t.lag_type AS "TARGET_LAG_TYPE",
        CAST(t.scheduling_state AS JSON) AS "SCHEDULING_STATE",
        CAST(round(l.mean_lag) AS DECIMAL(38,0)) AS "MEAN_LAG_SEC",
        CAST(round(l.max_lag) AS DECIMAL(38,0)) AS "MAXIMUM_LAG_SEC",
        CAST(round(CASE WHEN t.lag_sec IS NOT NULL THEN l.above END) AS DECIMAL(38,0))
          AS "TIME_ABOVE_TARGET_LAG_SEC",
        CAST(CASE WHEN t.lag_sec IS NOT NULL AND l.span > 0 THEN 1 - l.above / l.span END AS DOUBLE)
          AS "TIME_WITHIN_TARGET_LAG_RATIO",
        latest.d AS "LATEST_DATA_TIMESTAMP", last.state AS "LAST_COMPLETED_REFRESH_STATE",
        last.code AS "LAST_COMPLETED_REFRESH_STATE_CODE",
        last.message AS "LAST_COMPLETED_REFRESH_STATE_MESSAGE",
        CAST(NULL AS VARCHAR) AS "EXECUTING_REFRESH_QUERY_ID"
      FROM ${tables} AS t LEFT JOIN lags AS l ON l.id = t.id LEFT JOIN last ON last.id = t.id
        LEFT JOIN latest ON latest.id = t.id
      ORDER BY "QUALIFIED_NAME" LIMIT ${limit})`;
    return {
      ref: {
        id: SYSTEM_ID,
        kind: "FUNCTION",
        database: "",
        schema: "INFORMATION_SCHEMA",
        name: "DYNAMIC_TABLES",
      },
      columns: DYNAMIC_TABLES_COLUMNS,
      sql,
      sequenced: false,
    };
  };

  const refreshHistory = (args: SystemFunctionArgs): CatalogRelation => {
    const conds: string[] = [];
    const nameArg = args.named.get("NAME");
    if (typeof nameArg === "string") {
      const parts = nameArg.split(".").map((p) =>
        p.startsWith('"') ? p.slice(1, -1) : p.toUpperCase()
      );
      const n = qualify(parts, session);
      conds.push(
        `database = ${qs(n.database)} AND schema = ${qs(n.schema)} AND name = ${qs(n.name)}`,
      );
    }
    const prefix = args.named.get("NAME_PREFIX");
    if (typeof prefix === "string") {
      conds.push(
        `starts_with(database || '.' || schema || '.' || name, ${qs(prefix.toUpperCase())})`,
      );
    }
    if (args.named.get("ERROR_ONLY") === true) {
      conds.push(`state IN ('FAILED', 'UPSTREAM_FAILED', 'CANCELLED')`);
    }
    const start = args.named.get("DATA_TIMESTAMP_START");
    if (typeof start === "string") {
      conds.push(`data_timestamp >= CAST(${qs(start)} AS TIMESTAMPTZ)`);
    }
    const limitArg = args.named.get("RESULT_LIMIT");
    const limit = typeof limitArg === "number"
      ? Math.max(1, Math.min(10000, Math.floor(limitArg)))
      : 100;
    const sql = `(SELECT name AS "NAME", schema AS "SCHEMA_NAME", database AS "DATABASE_NAME",
        database || '.' || schema || '.' || name AS "QUALIFIED_NAME", state AS "STATE",
        state_code AS "STATE_CODE", state_message AS "STATE_MESSAGE", query_id AS "QUERY_ID",
        data_timestamp AS "DATA_TIMESTAMP", refresh_start_time AS "REFRESH_START_TIME",
        refresh_end_time AS "REFRESH_END_TIME", completion_target AS "COMPLETION_TARGET",
        CAST(statistics AS JSON) AS "STATISTICS", refresh_action AS "REFRESH_ACTION",
        refresh_trigger AS "REFRESH_TRIGGER", CAST(target_lag_sec AS DECIMAL(38,0)) AS "TARGET_LAG_SEC",
        graph_history_valid_from AS "GRAPH_HISTORY_VALID_FROM",
        CAST(NULL AS JSON) AS "LAST_COMPLETED_DEPENDENCY", CAST(NULL AS JSON) AS "INPUTS_WITH_CHANGED_DATA",
        CAST(NULL AS VARCHAR) AS "WAREHOUSE",
        CASE WHEN refresh_action = 'REINITIALIZE' AND refresh_trigger = 'CREATION' THEN 'The dynamic table was created.'
          WHEN refresh_action = 'REINITIALIZE' THEN 'An input of the dynamic table was replaced or altered.' END AS "REINIT_REASON"
      FROM ${HISTORY_TABLE} ${conds.length ? `WHERE ${conds.join(" AND ")}` : ""}
      ORDER BY refresh_start_time DESC, seq DESC LIMIT ${limit})`;
    return {
      ref: {
        id: SYSTEM_ID,
        kind: "FUNCTION",
        database: "",
        schema: "INFORMATION_SCHEMA",
        name: "DYNAMIC_TABLE_REFRESH_HISTORY",
      },
      columns: HISTORY_COLUMNS,
      sql,
      sequenced: false,
    };
  };

  const informationSchema = (database: string, name: string): CatalogRelation | undefined => {
    if (!catalog.hasDatabase(database)) {
      throw SQL_ERRORS.doesNotExist(`${database}.INFORMATION_SCHEMA.${name}`);
    }
    const objects = catalog.objects().filter((o) => o.database === database);
    const ref = { id: SYSTEM_ID, kind: "VIEW", database, schema: "INFORMATION_SCHEMA", name };
    const rel = (
      columns: { name: string; type: SfType }[],
      rows: unknown[][],
    ): CatalogRelation => ({
      ref,
      columns,
      sql: valuesRelation(columns, rows),
      sequenced: false,
    });
    switch (name) {
      case "TABLES": {
        const rows: unknown[][] = objects.filter((o) =>
          o.kind === "TABLE" || o.kind === "VIEW" || o.kind === "DYNAMIC TABLE"
        )
          .map((o) => [
            o.database,
            o.schema,
            o.name,
            o.owner,
            o.kind === "VIEW"
              ? "VIEW"
              : o.props.temporary !== undefined
              ? "TEMPORARY TABLE"
              : "BASE TABLE",
            o.props.transient ? "YES" : "NO",
            null,
            o.kind === "VIEW" ? null : -1,
            o.kind === "VIEW" ? null : -1,
            1,
            o.createdOn,
            // DML and streamed rows alter a table too (what metadata-based freshness reads).
            warehouse.lastAltered(o.id) ?? o.createdOn,
            o.createdOn,
            o.owner,
            "NO",
            o.comment,
            "NO",
            "NO",
            o.kind === "DYNAMIC TABLE" ? "YES" : "NO",
            "NO",
            "NO",
          ]);
        // Snowflake lists the INFORMATION_SCHEMA views themselves as views of every database.
        for (const view of INFORMATION_SCHEMA_VIEWS) {
          rows.push([
            database,
            "INFORMATION_SCHEMA",
            view,
            null,
            "VIEW",
            "NO",
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            "NO",
            null,
            "NO",
            "NO",
            "NO",
            "NO",
            "NO",
          ]);
        }
        // Row counts are counted live, as SHOW TABLES counts them: DuckDB's estimated_size
        // keeps deleted rows until a checkpoint. Sizes are an estimate from the count.
        const counted = objects.filter((o) => o.kind === "TABLE" || o.kind === "DYNAMIC TABLE");
        const counts = counted.length
          ? counted.map((o) =>
            `SELECT ${qs(o.schema)} AS s, ${qs(o.name)} AS n, count(*) AS k FROM ${tableOf(o)}`
          ).join(" UNION ALL ")
          : "SELECT NULL AS s, NULL AS n, 0 AS k WHERE FALSE";
        return {
          ...rel(TABLES_COLUMNS, rows),
          sql: `(SELECT t.* REPLACE (
              CASE WHEN t."TABLE_TYPE" = 'VIEW' THEN NULL ELSE CAST(coalesce(d.k, 0) AS DECIMAL(38,0)) END AS "ROW_COUNT",
              CASE WHEN t."TABLE_TYPE" = 'VIEW' THEN NULL ELSE CAST(coalesce(d.k, 0) * 64 AS DECIMAL(38,0)) END AS "BYTES")
            FROM ${valuesRelation(TABLES_COLUMNS, rows)} AS t
            LEFT JOIN (${counts}) AS d ON d.s = t."TABLE_SCHEMA" AND d.n = t."TABLE_NAME")`,
        };
      }
      case "COLUMNS": {
        const rows: unknown[][] = [];
        for (const o of objects) {
          if (o.kind !== "TABLE" && o.kind !== "VIEW" && o.kind !== "DYNAMIC TABLE") continue;
          o.columns.forEach((c, i) => {
            const t = c.type;
            rows.push([
              o.database,
              o.schema,
              o.name,
              c.name,
              i + 1,
              c.identity ? null : c.defaultSql,
              c.nullable ? "YES" : "NO",
              infoDataType(t),
              t.kind === "VARCHAR" ? t.length : null,
              t.kind === "VARCHAR" ? Math.min(16777216, t.length * 4) : null,
              t.kind === "NUMBER" ? t.precision : t.kind === "FLOAT" ? 53 : null,
              t.kind === "NUMBER" ? 10 : t.kind === "FLOAT" ? 2 : null,
              t.kind === "NUMBER" ? t.scale : null,
              "scale" in t && t.kind !== "NUMBER" ? t.scale : null,
              ...Array.from({ length: 19 }, () => null),
              "NO",
              c.identity ? "YES" : "NO",
              null,
              c.identity ? String(c.identity.start) : null,
              c.identity ? String(c.identity.increment) : null,
              null,
              null,
              c.identity ? "NO" : null,
              c.identity ? (c.identity.ordered ? "YES" : "NO") : null,
              null,
              c.comment,
            ]);
          });
        }
        return rel(COLUMNS_COLUMNS, rows);
      }
      case "VIEWS": {
        const rows = objects.filter((o) => o.kind === "VIEW").map((o) => [
          o.database,
          o.schema,
          o.name,
          o.owner,
          String(o.props.text ?? o.definition ?? ""),
          "NONE",
          "NO",
          "NO",
          "NO",
          o.createdOn,
          o.createdOn,
          o.createdOn,
          o.owner,
          o.comment,
        ]);
        return rel(VIEWS_COLUMNS, rows);
      }
      case "SCHEMATA": {
        const rows = catalog.schemas(database).map((s) => [
          s.database,
          s.name,
          "",
          "NO",
          null,
          "",
          "",
          "",
          s.createdOn,
          s.createdOn,
          s.comment,
        ]);
        return rel(SCHEMATA_COLUMNS, rows);
      }
      case "DATABASES": {
        const rows = catalog.databases().map((
          d,
        ) => [d.name, "", "NO", d.createdOn, d.createdOn, d.comment]);
        return rel(DATABASES_COLUMNS, rows);
      }
      case "PIPES": {
        const rows = objects.filter((o) => o.kind === "PIPE").map((o) => [
          o.database,
          o.schema,
          o.name,
          o.owner,
          o.definition,
          "NO",
          null,
          o.createdOn,
          o.createdOn,
          o.comment,
          null,
          "STREAMING",
        ]);
        return rel(PIPES_COLUMNS, rows);
      }
      case "SEQUENCES": {
        const rows = objects.filter((o) => o.kind === "SEQUENCE").map((o) => [
          o.database,
          o.schema,
          o.name,
          o.owner,
          "NUMBER",
          38,
          10,
          0,
          String(o.props.start),
          String(-(2n ** 63n)),
          String(2n ** 63n - 1n),
          String(o.props.start),
          String(o.props.increment),
          "NO",
          o.createdOn,
          o.createdOn,
          o.props.ordered ? "YES" : "NO",
          o.comment,
          String(o.props.duck),
        ]);
        // NEXT_VALUE is read live from DuckDB: the start until a number is drawn.
        return {
          ...rel(SEQUENCES_COLUMNS, rows),
          sql: `(SELECT t.* EXCLUDE ("_DUCK") REPLACE (
              coalesce(CAST(d.last_value + d.increment_by AS VARCHAR), t."NEXT_VALUE") AS "NEXT_VALUE")
            FROM ${valuesRelation([...SEQUENCES_COLUMNS, { name: "_DUCK", type: V }], rows)} AS t
            LEFT JOIN duckdb_sequences() AS d
              ON d.schema_name || '.' || d.sequence_name = t."_DUCK")`,
        };
      }
      case "TABLE_CONSTRAINTS": {
        // Named as SHOW PRIMARY | UNIQUE KEYS names them; recorded, not enforced, as in Snowflake.
        const rows: unknown[][] = [];
        for (const o of objects.filter((o) => o.kind === "TABLE")) {
          const row = (constraint: string, type: string) => [
            o.database,
            o.schema,
            constraint,
            o.database,
            o.schema,
            o.name,
            type,
            "NO",
            "NO",
            "NO",
            null,
            o.createdOn,
            o.createdOn,
            "NO",
          ];
          for (const key of keysOf(o)) rows.push(row(key.name, key.kind));
        }
        return rel(TABLE_CONSTRAINTS_COLUMNS, rows);
      }
    }
    // Views of what the emulator has none of: Snowflake's columns, no rows.
    const none = NONE_OF[name];
    if (none) {
      return rel(
        none.map((c) => ({ name: c, type: /^CREATED$|^LAST_ALTERED$/.test(c) ? T.ltz : V })),
        [],
      );
    }
    throw SQL_ERRORS.doesNotExist(`${database}.INFORMATION_SCHEMA.${name}`);
  };

  /** SYSTEM$STREAM_HAS_DATA: whether the stream has changes now (reading it moves nothing). */
  const streamHasData = (parts: readonly string[]): string => {
    const n = qualify(parts, session);
    const o = catalog.find(n.database, n.schema, n.name, "RELATION");
    if (!o || o.kind !== "STREAM") throw SQL_ERRORS.doesNotExist(fullText(n), "Stream");
    const had = streamReads.has(o.id);
    const r = relation(parts)!;
    if (!had) streamReads.delete(o.id);
    return `EXISTS (SELECT 1 FROM ${r.sql})`;
  };

  const sequence = (parts: readonly string[]) => {
    const n = qualify(parts, session);
    const o = catalog.find(n.database, n.schema, n.name, "SEQUENCE");
    return o ? { ref: refOf(o), duck: String(o.props.duck) } : undefined;
  };

  const ddl = (kind: string, parts: readonly string[], qualified: boolean): string => {
    if (kind === "DATABASE" || kind === "SCHEMA") {
      const database = kind === "DATABASE"
        ? parts.at(-1)!
        : parts.length > 1
        ? parts.at(-2)!
        : session.database;
      const schema = kind === "SCHEMA" ? parts.at(-1)! : undefined;
      if (!database || !catalog.hasDatabase(database)) {
        throw SQL_ERRORS.doesNotExist(database ?? parts.join("."), "Database");
      }
      if (schema !== undefined) {
        if (!catalog.hasSchema(database, schema)) {
          throw SQL_ERRORS.doesNotExist(`${database}.${schema}`, "Schema");
        }
        return schemaDdl(catalog.objects(), database, schema, qualified);
      }
      const schemas = catalog.schemas(database).filter((sc) => sc.name !== "INFORMATION_SCHEMA");
      return [
        `create or replace database ${database};`,
        ...schemas.map((sc) => schemaDdl(catalog.objects(), database, sc.name, qualified)),
      ].join("\n\n");
    }
    const kinds = DDL_KINDS[kind];
    if (!kinds) throw SQL_ERRORS.unsupported(`GET_DDL of a ${kind || "nameless"} object`);
    const n = qualify(parts, session);
    const o = catalog.find(n.database, n.schema, n.name, namespaceOf(kinds[0]));
    if (!o || !kinds.includes(o.kind)) {
      throw SQL_ERRORS.doesNotExist(fullText(n), kind === "TABLE" ? "Table" : "Object");
    }
    return ddlText(o, qualified);
  };

  return {
    session,
    relation,
    sequence,
    ddl,
    streamHasData,
    tableFunction,
    scalarFunction,
    systemTableFunction,
    informationSchema,
    parseQuery: deps.parseQuery,
    streamReads,
  };
}

/** Result column names made distinct as RESULT_SCAN does: a repeated ID becomes ID_1, ID_2, … */
function distinctNames(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    let out = name;
    for (let n = 1; used.has(out); n++) out = `${name}_${n}`;
    used.add(out);
    return out;
  });
}

function infoDataType(t: SfType): string {
  if (t.kind === "VARCHAR") return "TEXT";
  return t.kind;
}

/** The INFORMATION_SCHEMA views the emulator answers. */
const INFORMATION_SCHEMA_VIEWS = ["COLUMNS", "DATABASES", "PIPES", "SCHEMATA", "TABLES", "VIEWS"];

const V = T.varchar();
const N = T.number(38, 0);

const TABLES_COLUMNS = [
  { name: "TABLE_CATALOG", type: V },
  { name: "TABLE_SCHEMA", type: V },
  { name: "TABLE_NAME", type: V },
  { name: "TABLE_OWNER", type: V },
  { name: "TABLE_TYPE", type: V },
  { name: "IS_TRANSIENT", type: V },
  { name: "CLUSTERING_KEY", type: V },
  { name: "ROW_COUNT", type: N },
  { name: "BYTES", type: N },
  { name: "RETENTION_TIME", type: N },
  { name: "CREATED", type: T.ltz },
  { name: "LAST_ALTERED", type: T.ltz },
  { name: "LAST_DDL", type: T.ltz },
  { name: "LAST_DDL_BY", type: V },
  { name: "AUTO_CLUSTERING_ON", type: V },
  { name: "COMMENT", type: V },
  { name: "IS_TEMPORARY", type: V },
  { name: "IS_ICEBERG", type: V },
  { name: "IS_DYNAMIC", type: V },
  { name: "IS_IMMUTABLE", type: V },
  { name: "IS_HYBRID", type: V },
];

const COLUMNS_COLUMNS = [
  { name: "TABLE_CATALOG", type: V },
  { name: "TABLE_SCHEMA", type: V },
  { name: "TABLE_NAME", type: V },
  { name: "COLUMN_NAME", type: V },
  { name: "ORDINAL_POSITION", type: N },
  { name: "COLUMN_DEFAULT", type: V },
  { name: "IS_NULLABLE", type: V },
  { name: "DATA_TYPE", type: V },
  { name: "CHARACTER_MAXIMUM_LENGTH", type: N },
  { name: "CHARACTER_OCTET_LENGTH", type: N },
  { name: "NUMERIC_PRECISION", type: N },
  { name: "NUMERIC_PRECISION_RADIX", type: N },
  { name: "NUMERIC_SCALE", type: N },
  { name: "DATETIME_PRECISION", type: N },
  // The standard's columns Snowflake keeps, mostly empty there too.
  ...[
    "INTERVAL_TYPE",
    "INTERVAL_PRECISION",
    "CHARACTER_SET_CATALOG",
    "CHARACTER_SET_SCHEMA",
    "CHARACTER_SET_NAME",
    "COLLATION_CATALOG",
    "COLLATION_SCHEMA",
    "COLLATION_NAME",
    "DOMAIN_CATALOG",
    "DOMAIN_SCHEMA",
    "DOMAIN_NAME",
    "UDT_CATALOG",
    "UDT_SCHEMA",
    "UDT_NAME",
    "SCOPE_CATALOG",
    "SCOPE_SCHEMA",
    "SCOPE_NAME",
    "MAXIMUM_CARDINALITY",
    "DTD_IDENTIFIER",
    "IS_SELF_REFERENCING",
  ].map((name) => ({ name, type: /PRECISION|CARDINALITY/.test(name) ? N : V })),
  { name: "IS_IDENTITY", type: V },
  { name: "IDENTITY_GENERATION", type: V },
  { name: "IDENTITY_START", type: V },
  { name: "IDENTITY_INCREMENT", type: V },
  { name: "IDENTITY_MAXIMUM", type: V },
  { name: "IDENTITY_MINIMUM", type: V },
  { name: "IDENTITY_CYCLE", type: V },
  { name: "IDENTITY_ORDERED", type: V },
  { name: "SCHEMA_EVOLUTION_RECORD", type: V },
  { name: "COMMENT", type: V },
];

const VIEWS_COLUMNS = [
  { name: "TABLE_CATALOG", type: V },
  { name: "TABLE_SCHEMA", type: V },
  { name: "TABLE_NAME", type: V },
  { name: "TABLE_OWNER", type: V },
  { name: "VIEW_DEFINITION", type: V },
  { name: "CHECK_OPTION", type: V },
  { name: "IS_UPDATABLE", type: V },
  { name: "INSERTABLE_INTO", type: V },
  { name: "IS_SECURE", type: V },
  { name: "CREATED", type: T.ltz },
  { name: "LAST_ALTERED", type: T.ltz },
  { name: "LAST_DDL", type: T.ltz },
  { name: "LAST_DDL_BY", type: V },
  { name: "COMMENT", type: V },
];

const SCHEMATA_COLUMNS = [
  { name: "CATALOG_NAME", type: V },
  { name: "SCHEMA_NAME", type: V },
  { name: "SCHEMA_OWNER", type: V },
  { name: "IS_TRANSIENT", type: V },
  { name: "RETENTION_TIME", type: N },
  { name: "DEFAULT_CHARACTER_SET_CATALOG", type: V },
  { name: "DEFAULT_CHARACTER_SET_SCHEMA", type: V },
  { name: "DEFAULT_CHARACTER_SET_NAME", type: V },
  { name: "CREATED", type: T.ltz },
  { name: "LAST_ALTERED", type: T.ltz },
  { name: "COMMENT", type: V },
];

const DATABASES_COLUMNS = [
  { name: "DATABASE_NAME", type: V },
  { name: "DATABASE_OWNER", type: V },
  { name: "IS_TRANSIENT", type: V },
  { name: "CREATED", type: T.ltz },
  { name: "LAST_ALTERED", type: T.ltz },
  { name: "COMMENT", type: V },
];

/** Columns of INFORMATION_SCHEMA.TABLE_CONSTRAINTS, as Snowflake documents them. */
const TABLE_CONSTRAINTS_COLUMNS = [
  "CONSTRAINT_CATALOG",
  "CONSTRAINT_SCHEMA",
  "CONSTRAINT_NAME",
  "TABLE_CATALOG",
  "TABLE_SCHEMA",
  "TABLE_NAME",
  "CONSTRAINT_TYPE",
  "IS_DEFERRABLE",
  "INITIALLY_DEFERRED",
  "ENFORCED",
  "COMMENT",
  "CREATED",
  "LAST_ALTERED",
  "RELY",
].map((name) => ({ name, type: name === "CREATED" || name === "LAST_ALTERED" ? T.ltz : V }));

/**
 * INFORMATION_SCHEMA views of objects the emulator has none of (no statement creates them):
 * Snowflake's columns, so that tools reading an account's metadata get an empty answer.
 */
const NONE_OF: Record<string, string[]> = {
  REFERENTIAL_CONSTRAINTS: [
    "CONSTRAINT_CATALOG",
    "CONSTRAINT_SCHEMA",
    "CONSTRAINT_NAME",
    "UNIQUE_CONSTRAINT_CATALOG",
    "UNIQUE_CONSTRAINT_SCHEMA",
    "UNIQUE_CONSTRAINT_NAME",
    "MATCH_OPTION",
    "UPDATE_RULE",
    "DELETE_RULE",
    "COMMENT",
    "CREATED",
    "LAST_ALTERED",
  ],
  OBJECT_PRIVILEGES: [
    "GRANTOR",
    "GRANTEE",
    "OBJECT_CATALOG",
    "OBJECT_SCHEMA",
    "OBJECT_NAME",
    "OBJECT_TYPE",
    "PRIVILEGE_TYPE",
    "IS_GRANTABLE",
    "CREATED",
  ],
  TABLE_PRIVILEGES: [
    "GRANTOR",
    "GRANTEE",
    "TABLE_CATALOG",
    "TABLE_SCHEMA",
    "TABLE_NAME",
    "PRIVILEGE_TYPE",
    "IS_GRANTABLE",
    "WITH_HIERARCHY",
    "CREATED",
  ],
  STAGES: [
    "STAGE_CATALOG",
    "STAGE_SCHEMA",
    "STAGE_NAME",
    "STAGE_URL",
    "STAGE_REGION",
    "STAGE_TYPE",
    "STAGE_OWNER",
    "COMMENT",
    "CREATED",
    "LAST_ALTERED",
  ],
  FILE_FORMATS: [
    "FILE_FORMAT_CATALOG",
    "FILE_FORMAT_SCHEMA",
    "FILE_FORMAT_NAME",
    "FILE_FORMAT_OWNER",
    "FILE_FORMAT_TYPE",
    "RECORD_DELIMITER",
    "FIELD_DELIMITER",
    "SKIP_HEADER",
    "DATE_FORMAT",
    "TIME_FORMAT",
    "TIMESTAMP_FORMAT",
    "BINARY_FORMAT",
    "ESCAPE",
    "ESCAPE_UNENCLOSED_FIELD",
    "TRIM_SPACE",
    "FIELD_OPTIONALLY_ENCLOSED_BY",
    "NULL_IF",
    "COMPRESSION",
    "ERROR_ON_COLUMN_COUNT_MISMATCH",
    "CREATED",
    "LAST_ALTERED",
    "COMMENT",
  ],
  PROCEDURES: [
    "PROCEDURE_CATALOG",
    "PROCEDURE_SCHEMA",
    "PROCEDURE_NAME",
    "PROCEDURE_OWNER",
    "ARGUMENT_SIGNATURE",
    "DATA_TYPE",
    "CHARACTER_MAXIMUM_LENGTH",
    "CHARACTER_OCTET_LENGTH",
    "NUMERIC_PRECISION",
    "NUMERIC_PRECISION_RADIX",
    "NUMERIC_SCALE",
    "PROCEDURE_LANGUAGE",
    "PROCEDURE_DEFINITION",
    "CREATED",
    "LAST_ALTERED",
    "COMMENT",
  ],
};

/** Columns of INFORMATION_SCHEMA.SEQUENCES, as Snowflake documents them. */
const SEQUENCES_COLUMNS = [
  { name: "SEQUENCE_CATALOG", type: V },
  { name: "SEQUENCE_SCHEMA", type: V },
  { name: "SEQUENCE_NAME", type: V },
  { name: "SEQUENCE_OWNER", type: V },
  { name: "DATA_TYPE", type: V },
  { name: "NUMERIC_PRECISION", type: N },
  { name: "NUMERIC_PRECISION_RADIX", type: N },
  { name: "NUMERIC_SCALE", type: N },
  { name: "START_VALUE", type: V },
  { name: "MINIMUM_VALUE", type: V },
  { name: "MAXIMUM_VALUE", type: V },
  { name: "NEXT_VALUE", type: V },
  { name: "INCREMENT", type: V },
  { name: "CYCLE_OPTION", type: V },
  { name: "CREATED", type: T.ltz },
  { name: "LAST_ALTERED", type: T.ltz },
  { name: "ORDERED", type: V },
  { name: "COMMENT", type: V },
];

const PIPES_COLUMNS = [
  { name: "PIPE_CATALOG", type: V },
  { name: "PIPE_SCHEMA", type: V },
  { name: "PIPE_NAME", type: V },
  { name: "PIPE_OWNER", type: V },
  { name: "DEFINITION", type: V },
  { name: "IS_AUTOINGEST_ENABLED", type: V },
  { name: "NOTIFICATION_CHANNEL_NAME", type: V },
  { name: "CREATED", type: T.ltz },
  { name: "LAST_ALTERED", type: T.ltz },
  { name: "COMMENT", type: V },
  { name: "PATTERN", type: V },
  { name: "KIND", type: V },
];

/** Columns of QUERY_HISTORY…(), those of Snowflake's that the emulator knows. */
const QUERY_HISTORY_COLUMNS: { name: string; type: SfType }[] = [
  { name: "QUERY_ID", type: V },
  { name: "QUERY_TEXT", type: V },
  { name: "DATABASE_NAME", type: V },
  { name: "SCHEMA_NAME", type: V },
  { name: "QUERY_TYPE", type: V },
  { name: "SESSION_ID", type: V },
  { name: "USER_NAME", type: V },
  { name: "ROLE_NAME", type: V },
  { name: "WAREHOUSE_NAME", type: V },
  { name: "QUERY_TAG", type: V },
  { name: "EXECUTION_STATUS", type: V },
  { name: "ERROR_CODE", type: V },
  { name: "ERROR_MESSAGE", type: V },
  { name: "START_TIME", type: T.ltz },
  { name: "END_TIME", type: T.ltz },
  { name: "TOTAL_ELAPSED_TIME", type: N },
  { name: "ROWS_PRODUCED", type: N },
];

/** The dynamic tables DYNAMIC_TABLES() reports on, as a constant relation. */
const DT_LIST_COLUMNS: { name: string; type: SfType }[] = [
  { name: "id", type: N },
  { name: "name", type: V },
  { name: "schema_name", type: V },
  { name: "database_name", type: V },
  { name: "lag_sec", type: N },
  { name: "lag_type", type: V },
  { name: "scheduling_state", type: V },
];

/** Columns of DYNAMIC_TABLES(), as Snowflake documents them. */
export const DYNAMIC_TABLES_COLUMNS: { name: string; type: SfType }[] = [
  { name: "NAME", type: V },
  { name: "SCHEMA_NAME", type: V },
  { name: "DATABASE_NAME", type: V },
  { name: "QUALIFIED_NAME", type: V },
  { name: "TARGET_LAG_SEC", type: N },
  { name: "TARGET_LAG_TYPE", type: V },
  { name: "SCHEDULING_STATE", type: T.object },
  { name: "MEAN_LAG_SEC", type: N },
  { name: "MAXIMUM_LAG_SEC", type: N },
  { name: "TIME_ABOVE_TARGET_LAG_SEC", type: N },
  { name: "TIME_WITHIN_TARGET_LAG_RATIO", type: T.float },
  { name: "LATEST_DATA_TIMESTAMP", type: T.ltz },
  { name: "LAST_COMPLETED_REFRESH_STATE", type: V },
  { name: "LAST_COMPLETED_REFRESH_STATE_CODE", type: V },
  { name: "LAST_COMPLETED_REFRESH_STATE_MESSAGE", type: V },
  { name: "EXECUTING_REFRESH_QUERY_ID", type: V },
];

/** Columns of DYNAMIC_TABLE_REFRESH_HISTORY, as Snowflake documents them. */
export const HISTORY_COLUMNS: { name: string; type: SfType }[] = [
  { name: "NAME", type: V },
  { name: "SCHEMA_NAME", type: V },
  { name: "DATABASE_NAME", type: V },
  { name: "QUALIFIED_NAME", type: V },
  { name: "STATE", type: V },
  { name: "STATE_CODE", type: V },
  { name: "STATE_MESSAGE", type: V },
  { name: "QUERY_ID", type: V },
  { name: "DATA_TIMESTAMP", type: T.ltz },
  { name: "REFRESH_START_TIME", type: T.ltz },
  { name: "REFRESH_END_TIME", type: T.ltz },
  { name: "COMPLETION_TARGET", type: T.ltz },
  { name: "STATISTICS", type: T.object },
  { name: "REFRESH_ACTION", type: V },
  { name: "REFRESH_TRIGGER", type: V },
  { name: "TARGET_LAG_SEC", type: N },
  { name: "GRAPH_HISTORY_VALID_FROM", type: T.ltz },
  { name: "LAST_COMPLETED_DEPENDENCY", type: T.object },
  { name: "INPUTS_WITH_CHANGED_DATA", type: T.object },
  { name: "WAREHOUSE", type: V },
  { name: "REINIT_REASON", type: V },
];

export { formatSfType, META, qi };
