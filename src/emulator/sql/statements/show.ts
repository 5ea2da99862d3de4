/**
 * SHOW and DESCRIBE, with the columns Snowflake documents for each, read from the catalog (and,
 * for dynamic tables, their refresh state).
 *
 * @module
 */
import { keysOf } from "../../warehouse/keys.ts";
import { SQL_ERRORS } from "../errors.ts";
import type { Statement } from "../parser.ts";
import { type CatalogObject, type ObjectKind, tableOf } from "../../warehouse/catalog.ts";
import { formatSfType, type SfType, T, wireType } from "../../warehouse/types.ts";
import { type Outcome, STATEMENT_TYPE, type StatementContext } from "../context.ts";
import { qualify } from "../names.ts";
import { existing } from "./ddl.ts";

const V = T.varchar();
const N = T.number(38, 0);
const TS = T.ltz;

type Col = { name: string; type: SfType };
const cols = (spec: string): Col[] =>
  spec.split(",").map((s) => {
    const [name, t] = s.trim().split(":");
    return { name, type: t === "n" ? N : t === "ts" ? TS : V };
  });

const TABLE_COLUMNS = cols(
  "created_on:ts,name,database_name,schema_name,kind,comment,cluster_by,rows:n,bytes:n,owner,retention_time,automatic_clustering,change_tracking,search_optimization,search_optimization_progress,search_optimization_bytes:n,is_external,enable_schema_evolution,owner_role_type,is_event,budget,is_hybrid,is_iceberg,is_dynamic,is_immutable",
);
const DT_COLUMNS = cols(
  "created_on:ts,name,reserved,database_name,schema_name,cluster_by,rows:n,bytes:n,owner,target_lag,scheduler,refresh_mode,refresh_mode_reason,warehouse,comment,text,automatic_clustering,scheduling_state,last_suspended_on:ts,is_clone,is_replica,is_iceberg,data_timestamp:ts,owner_role_type,initialize,initialize_warehouse,immutable_where,execute_as_user",
);
const VIEW_COLUMNS = cols(
  "created_on:ts,name,reserved,kind,database_name,schema_name,owner,comment,text,is_secure,is_materialized,owner_role_type,change_tracking",
);
const PIPE_COLUMNS = cols(
  "created_on:ts,name,database_name,schema_name,definition,owner,notification_channel,comment,integration,pattern,error_integration,owner_role_type,invalid_reason,kind",
);
const STREAM_COLUMNS = cols(
  "created_on:ts,name,database_name,schema_name,owner,comment,table_name,source_type,base_tables,type,stale,mode,stale_after:ts,invalid_reason,owner_role_type",
);
const KEY_COLUMNS = cols(
  "created_on:ts,database_name,schema_name,table_name,column_name,key_sequence:n,constraint_name,rely,comment",
);
const IMPORTED_KEY_COLUMNS = cols(
  "created_on:ts,pk_database_name,pk_schema_name,pk_table_name,pk_column_name,fk_database_name,fk_schema_name,fk_table_name,fk_column_name,key_sequence:n,update_rule,delete_rule,fk_name,pk_name,deferrability,rely,comment",
);
const GRANT_COLUMNS = cols(
  "created_on:ts,privilege,granted_on,name,granted_to,grantee_name,grant_option,granted_by",
);
const OBJECT_COLUMNS = cols(
  "created_on:ts,name,database_name,schema_name,kind,comment,cluster_by,rows:n,bytes:n,owner,retention_time,owner_role_type,budget,is_hybrid,is_dynamic,is_iceberg",
);
const SEQUENCE_COLUMNS = cols(
  "created_on:ts,name,schema_name,database_name,next_value:n,interval:n,owner,comment,owner_role_type,ordered",
);
const SCHEMA_COLUMNS = cols(
  "created_on:ts,name,is_default,is_current,database_name,owner,comment,options,retention_time,owner_role_type",
);
const DATABASE_COLUMNS = cols(
  "created_on:ts,name,is_default,is_current,origin,owner,comment,options,retention_time,kind,owner_role_type",
);
const COLUMN_COLUMNS = cols(
  "table_name,schema_name,column_name,data_type,null?,default,kind,expression,comment,database_name,autoincrement",
);
const DESCRIBE_COLUMNS = cols(
  "name,type,kind,null?,default,primary key,unique key,check,expression,comment,policy name,privacy domain",
);
/** SHOW PROCEDURES' columns (Snowflake's). */
const PROCEDURE_COLUMNS = cols(
  "created_on:ts,name,schema_name,is_builtin,is_aggregate,is_ansi,min_num_arguments:n,max_num_arguments:n,arguments,description,catalog_name,is_table_function,valid_for_clustering,is_secure,secrets,external_access_integrations",
);

/** Columns of SHOW for the object kinds the emulator has none of (Snowflake's). */
const NONE_OF: Record<string, Col[]> = {
  "STAGES": cols(
    "created_on:ts,name,database_name,schema_name,url,has_credentials,has_encryption_key,owner,comment,region,type,cloud,notification_channel,storage_integration,endpoint,owner_role_type,directory_enabled",
  ),
  "FILE FORMATS": cols(
    "created_on:ts,name,database_name,schema_name,type,owner,comment,format_options,owner_role_type",
  ),
  "TASKS": cols(
    "created_on:ts,name,id,database_name,schema_name,owner,comment,warehouse,schedule,predecessors,state,definition,condition,allow_overlapping_execution,error_integration,last_committed_on:ts,last_suspended_on:ts,owner_role_type,config,budget,task_relations,last_suspended_reason",
  ),
  "INTEGRATIONS": cols("name,type,category,enabled,comment,created_on:ts"),
  "EXTERNAL TABLES": cols(
    "created_on:ts,name,database_name,schema_name,invalid,invalid_reason,owner,comment,stage,location,file_format_name,file_format_type,cloud,region,notification_channel,last_refreshed_on:ts,table_format,last_refresh_details,owner_role_type",
  ),
  "MATERIALIZED VIEWS": cols(
    "created_on:ts,name,reserved,database_name,schema_name,cluster_by,rows:n,bytes:n,source_database_name,source_schema_name,source_table_name,refreshed_on:ts,compacted_on:ts,owner,invalid,invalid_reason,behind_by,comment,text,is_secure,automatic_clustering,owner_role_type,budget",
  ),
  "STREAMLITS": cols(
    "created_on:ts,name,database_name,schema_name,title,owner,comment,query_warehouse,url_id,owner_role_type",
  ),
};

const USER_COLUMNS = cols(
  "name,created_on:ts,login_name,display_name,first_name,last_name,email,mins_to_unlock,days_to_expiry,comment,disabled,must_change_password,snowflake_lock,default_warehouse,default_namespace,default_role,default_secondary_roles,ext_authn_duo,ext_authn_uid,mins_to_bypass_mfa,owner,last_success_login:ts,expires_at_time:ts,locked_until_time:ts,has_password,has_rsa_public_key,type,has_mfa",
);

const ROLE_COLUMNS = cols(
  "created_on:ts,name,is_default,is_current,is_inherited,assigned_to_users:n,granted_to_roles:n,granted_roles:n,owner,comment,owner_role_type",
);

const FUNCTION_COLUMNS = cols(
  "created_on:ts,name,schema_name,is_builtin,is_aggregate,is_ansi,min_num_arguments:n,max_num_arguments:n,arguments,description,catalog_name,is_table_function,valid_for_clustering,is_secure,secrets,external_access_integrations,is_external_function,language,is_memoizable,is_data_metric",
);

function likeMatcher(pattern: string | null): (name: string) => boolean {
  if (pattern === null) return () => true;
  let re = "^";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "\\" && i + 1 < pattern.length) {
      re += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    } else if (ch === "%") re += "[\\s\\S]*";
    else if (ch === "_") re += "[\\s\\S]";
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  const r = new RegExp(re + "$", "i");
  return (name) => r.test(name);
}

/** The objects a SHOW lists: its kinds, filtered by LIKE and IN. */
function listed(
  ctx: StatementContext,
  stmt: Extract<Statement, { kind: "show" }>,
  kinds: readonly ObjectKind[],
): CatalogObject[] {
  const like = likeMatcher(stmt.like);
  let inDb: string | null = null, inSchema: string | null = null;
  const scope = stmt.in;
  if (scope?.kind === "ACCOUNT") {
    // everything
  } else if (scope?.kind === "DATABASE") {
    inDb = scope.name?.[0] ?? ctx.session.database;
  } else if (scope && scope.name) {
    const parts = scope.name;
    if (
      scope.kind === "SCHEMA?" && parts.length === 1 &&
      ctx.warehouse.catalog.hasDatabase(parts[0]) &&
      !ctx.warehouse.catalog.hasSchema(ctx.session.database ?? "", parts[0])
    ) {
      inDb = parts[0];
    } else {
      const n = qualify([...parts, "_"], ctx.session);
      inDb = n.database;
      inSchema = n.schema;
    }
    if (inSchema !== null && !ctx.warehouse.catalog.hasSchema(inDb!, inSchema)) {
      throw SQL_ERRORS.doesNotExist(`${inDb}.${inSchema}`, "Schema");
    }
  } else if (ctx.session.database) {
    inDb = ctx.session.database;
    inSchema = ctx.session.schema;
  }
  // STARTS WITH, FROM and LIMIT apply to the rows (see paged).
  const out = ctx.warehouse.catalog.objects().filter((o) =>
    kinds.includes(o.kind) && like(o.name) &&
    (inDb === null || o.database === inDb) && (inSchema === null || o.schema === inSchema)
  );
  return out.sort((a, b) =>
    a.database.localeCompare(b.database) || a.schema.localeCompare(b.schema) ||
    a.name.localeCompare(b.name)
  );
}

/** SHOW's `kind` of a table: TABLE, TEMPORARY or TRANSIENT. */
function tableKind(o: CatalogObject): string {
  if (o.props.temporary !== undefined) return "TEMPORARY";
  return o.props.transient ? "TRANSIENT" : "TABLE";
}

function rows(columns: Col[], data: unknown[][]): Outcome {
  return { kind: "rows", columns, rows: data, statementType: STATEMENT_TYPE.select };
}

/** Exact row counts of tables and dynamic tables, as SHOW reports them. */
async function rowCounts(
  ctx: StatementContext,
  objects: readonly CatalogObject[],
): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  const tables = objects.filter((o) => o.kind === "TABLE" || o.kind === "DYNAMIC TABLE");
  if (!tables.length) return out;
  const lane = await ctx.warehouse.reader(ctx.session.id);
  // DuckDB's estimated_size counts deleted rows until a checkpoint; count(*) is exact and cheap.
  const r = await lane.all(
    tables.map((o) => `SELECT ${o.id}, count(*) FROM ${tableOf(o)}`).join(" UNION ALL "),
  );
  for (const [id, n] of r.rows) out.set(Number(id), Number(n));
  return out;
}

/** The next number of each sequence that gave one already, by its DuckDB name. */
async function sequenceNextValues(
  ctx: StatementContext,
  objects: readonly CatalogObject[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!objects.length) return out;
  const lane = await ctx.warehouse.reader(ctx.session.id);
  const r = await lane.all(
    `SELECT schema_name || '.' || sequence_name, last_value + increment_by
       FROM duckdb_sequences() WHERE last_value IS NOT NULL`,
  );
  for (const [name, n] of r.rows) out.set(String(name), Number(n));
  return out;
}

/** SHOW TERSE …'s five columns, from rows laid out as SHOW TABLES and SHOW OBJECTS lay them. */
const TERSE_COLUMNS = cols("created_on:ts,name,kind,database_name,schema_name");

function terseRows(data: readonly (readonly unknown[])[]): Outcome {
  return rows(TERSE_COLUMNS, data.map((r) => [r[0], r[1], r[4], r[2], r[3]]));
}

/** SHOW …: the listing, then its `STARTS WITH`, `LIMIT … FROM` and `LIMIT` by the name column. */
export async function show(
  ctx: StatementContext,
  stmt: Extract<Statement, { kind: "show" }>,
): Promise<Outcome> {
  return paged(await listing(ctx, stmt), stmt);
}

/**
 * The rows of a SHOW after `STARTS WITH '<prefix>'` (case-sensitive), `FROM '<name>'` (the rows
 * after the first whose name starts with it, or from the first that sorts after it: a cursor, as
 * dbt pages with it) and `LIMIT`. Rows are already in Snowflake's order.
 */
function paged(out: Outcome, stmt: Extract<Statement, { kind: "show" }>): Outcome {
  if (out.kind !== "rows") return out;
  const at = out.columns.findIndex((c) => c.name === "name");
  let data = out.rows;
  if (at >= 0 && stmt.startsWith !== null) {
    data = data.filter((r) => String(r[at]).startsWith(stmt.startsWith!));
  }
  if (at >= 0 && stmt.from !== null) {
    const from = stmt.from;
    const first = data.findIndex((r) => String(r[at]) >= from);
    if (first < 0) data = [];
    else data = data.slice(String(data[first][at]).startsWith(from) ? first + 1 : first);
  }
  if (stmt.limit !== null) data = data.slice(0, stmt.limit);
  return data === out.rows ? out : { ...out, rows: data };
}

async function listing(
  ctx: StatementContext,
  stmt: Extract<Statement, { kind: "show" }>,
): Promise<Outcome> {
  const role = ctx.session.role ?? "";
  const terse = stmt.terse;
  switch (stmt.what) {
    case "TABLES": {
      const objs = listed(ctx, stmt, ["TABLE", "DYNAMIC TABLE"]);
      const counts = await rowCounts(ctx, objs);
      const data = objs.map((o) => {
        const n = counts.get(o.id) ?? 0;
        return [
          o.createdOn,
          o.name,
          o.database,
          o.schema,
          tableKind(o),
          o.comment ?? "",
          String(o.props.clusterBy ?? ""),
          n,
          n * 64,
          o.owner,
          String(o.props.retentionDays ?? 1),
          "OFF",
          o.props.changeTracking ? "ON" : "OFF",
          "OFF",
          null,
          null,
          "N",
          o.props.schemaEvolution ? "Y" : "N",
          "ROLE",
          "N",
          null,
          "N",
          "N",
          o.kind === "DYNAMIC TABLE" ? "Y" : "N",
          "N",
        ];
      });
      return terse ? terseRows(data) : rows(TABLE_COLUMNS, data);
    }
    case "GRANTS": {
      // Roles and privileges are not modelled (GRANT is accepted and changes nothing): each
      // object is its creator's, as its OWNERSHIP grant says; other grants are none.
      const on = stmt.grantsOn;
      if (!on) return rows(GRANT_COLUMNS, []);
      const c = ctx.warehouse.catalog;
      if (on.kind === "DATABASE" || on.kind === "SCHEMA") {
        const database = on.kind === "DATABASE" || on.name.length > 1
          ? on.name[0]
          : ctx.session.database ?? "";
        const schema = on.kind === "SCHEMA" ? on.name.at(-1)! : null;
        const found = schema === null
          ? c.databases().find((d) => d.name === database)
          : c.schemas(database).find((x) => x.name === schema);
        const full = schema === null ? database : `${database}.${schema}`;
        if (!found) throw SQL_ERRORS.doesNotExist(full, schema === null ? "Database" : "Schema");
        const role = ctx.session.role ?? "";
        return rows(GRANT_COLUMNS, [[
          found.createdOn,
          "OWNERSHIP",
          on.kind,
          full,
          "ROLE",
          role,
          "true",
          role,
        ]]);
      }
      // Account-level objects (warehouses, roles, users) are not modelled: no grants to show.
      if (["WAREHOUSE", "ROLE", "USER", "ACCOUNT", "INTEGRATION"].includes(on.kind)) {
        return rows(GRANT_COLUMNS, []);
      }
      const n = qualify(on.name, ctx.session);
      const ns = on.kind === "PIPE" || on.kind === "SEQUENCE" || on.kind === "FUNCTION"
        ? on.kind
        : "RELATION";
      const o = ctx.warehouse.catalog.find(n.database, n.schema, n.name, ns);
      if (!o) throw SQL_ERRORS.doesNotExist(`${n.database}.${n.schema}.${n.name}`);
      return rows(GRANT_COLUMNS, [[
        o.createdOn,
        "OWNERSHIP",
        o.kind === "DYNAMIC TABLE" ? "TABLE" : o.kind,
        `${o.database}.${o.schema}.${o.name}`,
        "ROLE",
        o.owner,
        "true",
        o.owner,
      ]]);
    }
    case "OBJECTS": {
      // Tables (dynamic ones too, flagged) and views, as one list.
      const objs = listed(ctx, stmt, ["TABLE", "DYNAMIC TABLE", "VIEW"]);
      const counts = await rowCounts(ctx, objs);
      const data = objs.map((o) => {
        const table = o.kind !== "VIEW";
        const n = table ? counts.get(o.id) ?? 0 : 0;
        return [
          o.createdOn,
          o.name,
          o.database,
          o.schema,
          table ? tableKind(o) : "VIEW",
          o.comment ?? "",
          "",
          n,
          n * 64,
          o.owner,
          table ? "1" : "0",
          "ROLE",
          null,
          "N",
          o.kind === "DYNAMIC TABLE" ? "Y" : "N",
          "N",
        ];
      });
      return terse ? terseRows(data) : rows(OBJECT_COLUMNS, data);
    }
    case "DYNAMIC TABLES": {
      const objs = listed(ctx, stmt, ["DYNAMIC TABLE"]);
      const counts = await rowCounts(ctx, objs);
      return rows(
        DT_COLUMNS,
        objs.map((o) => {
          const st = ctx.services.dynamic.describe(o);
          const n = counts.get(o.id) ?? 0;
          return [
            o.createdOn,
            o.name,
            "",
            o.database,
            o.schema,
            "",
            n,
            n * 64,
            o.owner,
            st.targetLag,
            "ENABLE",
            st.refreshMode,
            st.refreshModeReason,
            st.warehouse,
            o.comment ?? "",
            st.text,
            "OFF",
            st.schedulingState,
            st.lastSuspendedOn,
            "false",
            "false",
            "false",
            st.dataTimestamp,
            "ROLE",
            st.initialize,
            st.warehouse,
            null,
            null,
          ];
        }),
      );
    }
    case "VIEWS": {
      const objs = listed(ctx, stmt, ["VIEW"]);
      if (terse) {
        return rows(
          TERSE_COLUMNS,
          objs.map((o) => [o.createdOn, o.name, "VIEW", o.database, o.schema]),
        );
      }
      return rows(
        VIEW_COLUMNS,
        objs.map((o) => [
          o.createdOn,
          o.name,
          "",
          "VIEW",
          o.database,
          o.schema,
          o.owner,
          o.comment ?? "",
          String(o.props.text ?? ""),
          o.props.secure ? "true" : "false",
          "false",
          "ROLE",
          "OFF",
        ]),
      );
    }
    case "PIPES": {
      const objs = listed(ctx, stmt, ["PIPE"]);
      return rows(
        PIPE_COLUMNS,
        objs.map((o) => [
          o.createdOn,
          o.name,
          o.database,
          o.schema,
          o.definition,
          o.owner,
          null,
          o.comment ?? "",
          null,
          null,
          null,
          "ROLE",
          null,
          "STAGE",
        ]),
      );
    }
    case "SEQUENCES": {
      const objs = listed(ctx, stmt, ["SEQUENCE"]);
      const next = await sequenceNextValues(ctx, objs);
      return rows(
        SEQUENCE_COLUMNS,
        objs.map((o) => [
          o.createdOn,
          o.name,
          o.schema,
          o.database,
          next.get(String(o.props.duck)) ?? Number(o.props.start),
          Number(o.props.increment),
          o.owner,
          o.comment ?? "",
          "ROLE",
          o.props.ordered ? "Y" : "N",
        ]),
      );
    }
    case "STREAMS": {
      const objs = listed(ctx, stmt, ["STREAM"]);
      return rows(
        STREAM_COLUMNS,
        objs.map((o) => {
          const source = ctx.warehouse.catalog.byId(Number(o.props.source));
          return [
            o.createdOn,
            o.name,
            o.database,
            o.schema,
            o.owner,
            o.comment ?? "",
            String(o.props.sourceName ?? ""),
            o.props.sourceKind === "DYNAMIC TABLE" ? "Dynamic Table" : "Table",
            String(o.props.sourceName ?? ""),
            "DELTA",
            source ? "false" : "true",
            o.props.appendOnly ? "APPEND_ONLY" : "DEFAULT",
            null,
            source ? null : "Base table dropped or replaced",
            "ROLE",
          ];
        }),
      );
    }
    case "SCHEMAS": {
      const db = stmt.in?.name?.[0] ?? ctx.session.database;
      const like = likeMatcher(stmt.like);
      const list = ctx.warehouse.catalog.schemas(
        stmt.in?.kind === "ACCOUNT" ? undefined : db ?? undefined,
      )
        .filter((s) => like(s.name)).sort((a, b) => a.name.localeCompare(b.name));
      const base = list.map((s) => [
        s.createdOn,
        s.name,
        "N",
        s.database === ctx.session.database && s.name === ctx.session.schema ? "Y" : "N",
        s.database,
        role,
        s.comment ?? "",
        "",
        "1",
        "ROLE",
      ]);
      const withInfo = list.length && db && like("INFORMATION_SCHEMA")
        ? [...base, [
          list[0].createdOn,
          "INFORMATION_SCHEMA",
          "N",
          "N",
          db,
          "",
          "Views describing the contents of schemas in this database",
          "",
          "1",
          "",
        ]]
        : base;
      const sorted = withInfo.sort((a, b) => String(a[1]).localeCompare(String(b[1])));
      if (terse) {
        return rows(TERSE_COLUMNS, sorted.map((r) => [r[0], r[1], null, r[4], null]));
      }
      return rows(SCHEMA_COLUMNS, sorted);
    }
    case "DATABASES": {
      const like = likeMatcher(stmt.like);
      if (terse) {
        return rows(
          TERSE_COLUMNS,
          ctx.warehouse.catalog.databases().filter((d) => like(d.name)).map((d) => [
            d.createdOn,
            d.name,
            "STANDARD",
            null,
            null,
          ]),
        );
      }
      return rows(
        DATABASE_COLUMNS,
        ctx.warehouse.catalog.databases().filter((d) => like(d.name)).map((d) => [
          d.createdOn,
          d.name,
          "N",
          d.name === ctx.session.database ? "Y" : "N",
          "",
          role,
          d.comment ?? "",
          "",
          "1",
          "STANDARD",
          "ROLE",
        ]),
      );
    }
    case "PRIMARY KEYS":
    case "UNIQUE KEYS":
    case "IMPORTED KEYS": {
      // Keys as declared (recorded, not enforced, as in Snowflake); foreign keys are not kept.
      let objs: CatalogObject[];
      if (stmt.in && stmt.in.name && stmt.in.kind === "TABLE") {
        const o = existing(ctx, stmt.in.name, ["TABLE"]);
        if (!o) throw SQL_ERRORS.doesNotExist(stmt.in.name.join("."), "Table");
        objs = [o];
      } else objs = listed(ctx, { ...stmt, like: null }, ["TABLE"]);
      if (stmt.what === "IMPORTED KEYS") return rows(IMPORTED_KEY_COLUMNS, []);
      const kind = stmt.what === "UNIQUE KEYS" ? "UNIQUE" : "PRIMARY KEY";
      const data: unknown[][] = [];
      for (const o of objs) {
        for (const key of keysOf(o).filter((k) => k.kind === kind)) {
          key.columns.forEach((column, i) =>
            data.push([
              o.createdOn,
              o.database,
              o.schema,
              o.name,
              column,
              i + 1,
              key.name,
              "false",
              null,
            ])
          );
        }
      }
      return rows(KEY_COLUMNS, data);
    }
    case "COLUMNS": {
      let objs: CatalogObject[];
      if (stmt.in && stmt.in.name && ["TABLE", "VIEW", "DYNAMIC TABLE"].includes(stmt.in.kind)) {
        const o = existing(ctx, stmt.in.name, ["TABLE", "VIEW", "DYNAMIC TABLE", "STREAM"]);
        if (!o) throw SQL_ERRORS.doesNotExist(stmt.in.name.join("."));
        objs = [o];
      } else objs = listed(ctx, { ...stmt, like: null }, ["TABLE", "VIEW", "DYNAMIC TABLE"]);
      const like = likeMatcher(stmt.like);
      const data: unknown[][] = [];
      for (const o of objs) {
        for (const c of o.columns) {
          if (!like(c.name)) continue;
          data.push([
            o.name,
            o.schema,
            c.name,
            JSON.stringify(columnTypeJson(c.type, c.nullable)),
            c.nullable ? "true" : "false",
            c.identity ? "" : c.defaultSql ?? "",
            "COLUMN",
            "",
            c.comment ?? "",
            o.database,
            c.identity ? c.defaultSql ?? "" : "",
          ]);
        }
      }
      return rows(COLUMN_COLUMNS, data);
    }
    case "USER FUNCTIONS":
    case "FUNCTIONS": {
      const objs = listed(ctx, stmt, ["FUNCTION"]);
      return rows(
        FUNCTION_COLUMNS,
        objs.map((o) => {
          const params = o.props.params as { name: string; type: string }[] ?? [];
          const table = Boolean(o.props.returnsTable);
          const args = `${o.name}(${
            params.map((p) => p.type.replace(/\(.*\)/, "")).join(", ")
          }) RETURN ${
            table
              ? `TABLE (${o.columns.map((c) => `${c.name} ${formatSfType(c.type)}`).join(", ")})`
              : String(o.props.returnType)
          }`;
          return [
            o.createdOn,
            o.name,
            o.schema,
            "N",
            "N",
            "N",
            params.length,
            params.length,
            args,
            "user-defined function",
            o.database,
            table ? "Y" : "N",
            "N",
            "N",
            null,
            null,
            "N",
            "SQL",
            "N",
            "N",
          ];
        }),
      );
    }
    case "STAGES":
    case "FILE FORMATS":
    case "TASKS":
    case "INTEGRATIONS":
    case "EXTERNAL TABLES":
    case "MATERIALIZED VIEWS":
    case "STREAMLITS":
      // Object kinds the emulator has none of (CREATE of each is refused): Snowflake's columns,
      // no rows, so that tools listing an account's objects go on.
      return rows(NONE_OF[stmt.what], []);
    case "USERS": {
      const s = ctx.session;
      return rows(USER_COLUMNS, [[
        s.user,
        ctx.warehouse.catalog.databases()[0]?.createdOn ?? new Date(),
        s.user,
        s.user,
        null,
        null,
        null,
        null,
        null,
        "liftline emulator",
        "false",
        "false",
        "false",
        s.warehouse,
        s.database && s.schema ? `${s.database}.${s.schema}` : null,
        s.role,
        null,
        "false",
        null,
        null,
        s.role,
        null,
        null,
        null,
        "false",
        "true",
        "SERVICE",
        "false",
      ]]);
    }
    case "ROLES": {
      const role = ctx.session.role ?? "PUBLIC";
      const created = ctx.warehouse.catalog.databases()[0]?.createdOn ?? new Date();
      const roleRow = (name: string) => [
        created,
        name,
        name === role ? "Y" : "N",
        name === role ? "Y" : "N",
        name === role ? "N" : "Y",
        name === role ? 1 : 0,
        0,
        name === role ? 1 : 0,
        "",
        "",
        "ROLE",
      ];
      return rows(ROLE_COLUMNS, [...new Set([role, "PUBLIC"])].sort().map(roleRow));
    }
    case "USER PROCEDURES":
    case "PROCEDURES":
      // No statement creates a procedure here (CREATE PROCEDURE is refused), so there are none to
      // list; the shape is Snowflake's, so RESULT_SCAN over it works as it does there.
      return rows(PROCEDURE_COLUMNS, []);
    case "WAREHOUSES":
      return rows(
        cols("name,state,type,size,running:n,queued:n,is_default,is_current,owner,comment"),
        [[
          ctx.session.warehouse ?? "LIFTLINE_WH",
          "STARTED",
          "STANDARD",
          "X-Small",
          0,
          0,
          "Y",
          "Y",
          role,
          "liftline emulator",
        ]],
      );
    case "VARIABLES": {
      // Snowflake's columns; the type as its result metadata names it (fixed, text, date…).
      const like = likeMatcher(stmt.like);
      const data = [...ctx.session.variables].filter(([name]) => like(name)).map(([name, v]) => [
        ctx.session.id,
        v.createdOn,
        v.updatedOn,
        name,
        v.text,
        wireType(v.type),
        "",
      ]);
      return rows(cols("session_id,created_on:ts,updated_on:ts,name,value,type,comment"), data);
    }
    case "PARAMETERS": {
      // Every parameter once: Snowflake's defaults, with what the session set over them.
      const known = new Map<string, (string | null)[]>([
        // The emulated account has TIMEZONE = 'UTC' set at the account level (as many accounts
        // do), over Snowflake's default; a session may set its own.
        ["TIMEZONE", [
          "TIMEZONE",
          "UTC",
          "America/Los_Angeles",
          "ACCOUNT",
          "time zone",
          "STRING",
        ]],
        ["WEEK_START", ["WEEK_START", "0", "0", "", "first day of the week", "NUMBER"]],
        ["WEEK_OF_YEAR_POLICY", [
          "WEEK_OF_YEAR_POLICY",
          "0",
          "0",
          "",
          "how the first week of a year is counted",
          "NUMBER",
        ]],
        ["AUTOCOMMIT", [
          "AUTOCOMMIT",
          "true",
          "true",
          "",
          "each statement outside BEGIN … COMMIT commits on its own",
          "BOOLEAN",
        ]],
        ["ERROR_ON_NONDETERMINISTIC_MERGE", [
          "ERROR_ON_NONDETERMINISTIC_MERGE",
          "true",
          "true",
          "",
          "a MERGE whose target row joins several source rows fails",
          "BOOLEAN",
        ]],
        ["STATEMENT_TIMEOUT_IN_SECONDS", [
          "STATEMENT_TIMEOUT_IN_SECONDS",
          "172800",
          "172800",
          "",
          "how long a statement may run before it is cancelled",
          "NUMBER",
        ]],
        ["MULTI_STATEMENT_COUNT", [
          "MULTI_STATEMENT_COUNT",
          "1",
          "1",
          "",
          "statements one request may hold (0: any number)",
          "NUMBER",
        ]],
      ]);
      for (const [k, v] of ctx.session.parameters) {
        const row = known.get(k);
        const value = row?.[5] === "BOOLEAN" ? v.toLowerCase() : v;
        known.set(
          k,
          row
            ? [k, value, row[2], "SESSION", row[4], row[5]]
            : [k, value, "", "SESSION", "", "STRING"],
        );
      }
      const like = likeMatcher(stmt.like);
      return rows(
        cols("key,value,default,level,description,type"),
        [...known.values()].filter((r) => like(String(r[0]))),
      );
    }
  }
  throw SQL_ERRORS.unsupported(`SHOW ${stmt.what}`);
}

function columnTypeJson(t: SfType, nullable: boolean): Record<string, unknown> {
  if (t.kind === "NUMBER") {
    return { type: "FIXED", precision: t.precision, scale: t.scale, nullable };
  }
  if (t.kind === "VARCHAR") {
    return {
      type: "TEXT",
      length: t.length,
      byteLength: Math.min(16777216, t.length * 4),
      nullable,
      fixed: false,
    };
  }
  if (t.kind === "FLOAT") return { type: "REAL", nullable };
  if ("scale" in t) return { type: t.kind, precision: 0, scale: t.scale, nullable };
  return { type: t.kind, nullable };
}

/** DESCRIBE [TABLE | VIEW | DYNAMIC TABLE | STREAM | PIPE] name */
/**
 * What DESCRIBE describes here. Tasks, stages and procedures do not exist; functions are listed by
 * SHOW FUNCTIONS.
 */
const DESCRIBABLE = ["TABLE", "DYNAMIC TABLE", "VIEW", "PIPE", "STREAM", "SEQUENCE"];

export async function describe(
  ctx: StatementContext,
  stmt: Extract<Statement, { kind: "describe" }>,
): Promise<Outcome> {
  const kind = stmt.objectKind;
  if (!DESCRIBABLE.includes(kind)) throw SQL_ERRORS.unsupported(`DESCRIBE ${kind}`);
  if (kind === "PIPE") {
    const n = qualify(stmt.name, ctx.session);
    const o = ctx.warehouse.catalog.find(n.database, n.schema, n.name, "PIPE");
    if (!o) throw SQL_ERRORS.doesNotExist(`${n.database}.${n.schema}.${n.name}`, "Pipe");
    return rows(PIPE_COLUMNS, [[
      o.createdOn,
      o.name,
      o.database,
      o.schema,
      o.definition,
      o.owner,
      null,
      o.comment ?? "",
      null,
      null,
      null,
      "ROLE",
      null,
      "STAGE",
    ]]);
  }
  if (kind === "SEQUENCE") {
    const n = qualify(stmt.name, ctx.session);
    const o = ctx.warehouse.catalog.find(n.database, n.schema, n.name, "SEQUENCE");
    if (!o) throw SQL_ERRORS.doesNotExist(`${n.database}.${n.schema}.${n.name}`, "Sequence");
    const shown = await show(ctx, {
      kind: "show",
      what: "SEQUENCES",
      terse: false,
      like: null,
      startsWith: null,
      limit: null,
      from: null,
      in: { kind: "SCHEMA", name: [o.database, o.schema] },
    });
    // The one sequence of that name (a LIKE pattern could match others too).
    if (shown.kind !== "rows") return shown;
    return { ...shown, rows: shown.rows.filter((r) => r[1] === o.name) };
  }
  if (kind === "STREAM") {
    const o = existing(ctx, stmt.name, ["STREAM"]);
    if (!o) throw SQL_ERRORS.doesNotExist(stmt.name.join("."), "Stream");
    return await show(ctx, {
      kind: "show",
      what: "STREAMS",
      terse: false,
      like: o.name,
      startsWith: null,
      limit: null,
      from: null,
      in: { kind: "SCHEMA", name: [o.database, o.schema] },
    });
  }
  const kinds: ObjectKind[] = kind === "VIEW"
    ? ["VIEW"]
    : kind === "DYNAMIC TABLE"
    ? ["DYNAMIC TABLE"]
    : ["TABLE", "DYNAMIC TABLE", "VIEW", "STREAM"];
  const o = existing(ctx, stmt.name, kinds);
  if (!o) {
    throw SQL_ERRORS.doesNotExist(
      qualifiedText(ctx, stmt.name),
      kind === "VIEW" ? "View" : "Table",
    );
  }
  return rows(
    DESCRIBE_COLUMNS,
    o.columns.map((c) => [
      c.name,
      formatSfType(c.type),
      "COLUMN",
      c.nullable ? "Y" : "N",
      c.defaultSql,
      c.primaryKey ? "Y" : "N",
      c.unique ? "Y" : "N",
      null,
      null,
      c.comment,
      null,
      null,
    ]),
  );
}

function qualifiedText(ctx: StatementContext, parts: readonly string[]): string {
  const n = qualify(parts, ctx.session);
  return `${n.database}.${n.schema}.${n.name}`;
}

export { V };
