/**
 * DDL: databases, schemas, tables (with CREATE … AS, LIKE and CLONE), views, pipes, streams, SQL
 * functions, ALTER TABLE and DROP. Each runs in one writer-lane transaction that changes the data
 * and the catalog together.
 *
 * @module
 */
import {
  keysAfterColumnChange,
  keysOf,
  systemConstraintName,
  type TableKey,
  withKeyFlags,
} from "../../warehouse/keys.ts";
import { identName, type Node, objectNameParts, payload, sourceText, variant } from "../ast.ts";
import { SQL_ERRORS, SqlError } from "../errors.ts";
import { type FullName, fullText, qualify } from "../names.ts";
import type { SqlMeta, Statement } from "../parser.ts";
import type { LaneSession } from "../../warehouse/duckdb.ts";
import type { Warehouse } from "../../warehouse/warehouse.ts";
import { inSessionZone } from "../transactions.ts";
import {
  type CatalogColumn,
  type CatalogObject,
  changeLogOf,
  type ColumnIdentity,
  META,
  namespaceOf,
  type ObjectKind,
  ROW_COLUMN,
  tableOf,
} from "../../warehouse/catalog.ts";
import { duckType, formatSfType, type SfType, sfType } from "../../warehouse/types.ts";
import { dataTypeOf } from "../translate/types.ts";
import { duckSchema, nextvalSql, qi } from "../translate/quote.ts";
import { type Outcome, type StatementContext, status } from "../context.ts";
import { translateQuery } from "../translate/run.ts";
import { Scope, Translator } from "../translate/translator.ts";
import { catalogResolver } from "../resolver.ts";
import { streamOffset } from "../streams.ts";
import { insertNumbered } from "../../warehouse/numbering.ts";
import { compileTransform } from "../../pipe_transform.ts";

/** The name of a new object, checked against the catalog's databases and schemas. */
export function newName(ctx: StatementContext, parts: readonly string[]): FullName {
  const n = qualify(parts, ctx.session);
  if (!ctx.warehouse.catalog.hasDatabase(n.database)) {
    throw SQL_ERRORS.doesNotExist(n.database, "Database");
  }
  if (!ctx.warehouse.catalog.hasSchema(n.database, n.schema)) {
    throw SQL_ERRORS.doesNotExist(`${n.database}.${n.schema}`, "Schema");
  }
  return n;
}

/** An existing relation of one of `kinds`, or a Snowflake error. */
export function existing(
  ctx: StatementContext,
  parts: readonly string[],
  kinds: readonly ObjectKind[],
  ns = "RELATION",
): CatalogObject | undefined {
  const n = qualify(parts, ctx.session);
  const o = ctx.warehouse.catalog.find(n.database, n.schema, n.name, ns);
  if (o && !kinds.includes(o.kind)) {
    throw new SqlError(
      "002201",
      "42809",
      `SQL compilation error:\nObject found is of type '${o.kind}', not specified type '${
        kinds[0]
      }'.`,
    );
  }
  return o;
}

/**
 * Drops every object of a database (or of one of its schemas) as {@link dropObject} does, the
 * sequences last: a table dropped with them may use one in a DEFAULT.
 */
async function dropObjectsIn(
  ctx: StatementContext,
  s: LaneSession,
  database: string,
  schema?: string,
): Promise<void> {
  const inside = ctx.warehouse.catalog.objects().filter((o) =>
    o.database === database && (schema === undefined || o.schema === schema)
  );
  const last = (o: CatalogObject) => (o.kind === "SEQUENCE" ? 1 : 0);
  for (const o of inside.sort((a, b) => last(a) - last(b))) await dropObject(ctx, s, o);
}

/**
 * CREATE's rule for a name `old` already holds: IF NOT EXISTS ends the statement (its status is
 * returned), OR REPLACE drops `old` first (of `kind`, when given), else Snowflake's error.
 */
async function clearName(
  ctx: StatementContext,
  s: LaneSession,
  old: CatalogObject | undefined,
  stmt: { readonly ifNotExists: boolean; readonly orReplace: boolean },
  name: string,
  label: string,
  kind?: ObjectKind,
): Promise<Outcome | undefined> {
  if (!old) return undefined;
  if (stmt.ifNotExists) return status(`${name} already exists, statement succeeded.`);
  if (!stmt.orReplace) throw SQL_ERRORS.alreadyExists(name, label);
  if (kind && old.kind !== kind) throw SQL_ERRORS.alreadyExists(name);
  await dropObject(ctx, s, old);
  return undefined;
}

/** Drops an object's data and catalog entry (inside the caller's transaction). */
export async function dropObject(
  ctx: StatementContext,
  s: LaneSession,
  o: CatalogObject,
): Promise<void> {
  const w = ctx.warehouse;
  switch (o.kind) {
    case "TABLE":
    case "DYNAMIC TABLE":
      await s.run(`DROP TABLE IF EXISTS ${tableOf(o)}`);
      if (o.props.changeLog) await s.run(`DROP TABLE IF EXISTS ${changeLogOf(o)}`);
      w.forget(o.id);
      await dropIdentitySequences(s, o.columns);
      break;
    case "VIEW":
      await s.run(`DROP VIEW IF EXISTS ${tableOf(o)}`);
      break;
    case "PIPE":
      await w.dropChannelsOf(s, o.name);
      break;
    case "SEQUENCE": {
      // Snowflake lets the default fail at the next insert; DuckDB keeps the dependency.
      const duck = String(o.props.duck);
      const draw = nextvalSql(duck);
      for (const t of w.catalog.objects()) {
        const c = t.kind === "TABLE" && t.columns.find((c) => c.defaultDuck?.includes(draw));
        if (c) {
          throw SQL_ERRORS.unsupported(
            `dropping sequence ${o.name} while the DEFAULT of ${t.name}.${c.name} uses it`,
          );
        }
      }
      await s.run(`DROP SEQUENCE IF EXISTS ${duck}`);
      break;
    }
  }
  if (o.kind === "DYNAMIC TABLE") await ctx.services.dynamic.forget(s, o);
  await w.catalog.remove(s, o);
}

function columnDefs(
  ctx: StatementContext,
  cols: Node[],
  keys: readonly TableKey[] = [],
): CatalogColumn[] {
  const out: CatalogColumn[] = [];
  const seen = new Set<string>();
  // The table's keys flag their columns (recorded, as Snowflake records them; NOT NULL is
  // enforced).
  const inKey = (name: string, kind: TableKey["kind"]) =>
    keys.some((k) => k.kind === kind && k.columns.includes(name));
  for (const c of cols) {
    const name = identName(c.name);
    if (seen.has(name)) throw SQL_ERRORS.syntax(`duplicate column name '${name}'`);
    seen.add(name);
    const type = dataTypeOf(c.data_type);
    let nullable = true;
    let defaultSql: string | null = null;
    let defaultDuck: string | null = null;
    let comment: string | null = null;
    let identity: ColumnIdentity | undefined;
    let primaryKey = inKey(name, "PRIMARY KEY");
    let unique = inKey(name, "UNIQUE");
    for (const o of c.options ?? []) {
      const opt = o.option ?? o;
      const v = variant(opt);
      const p = payload(opt);
      if (opt === "NotNull") nullable = false;
      else if (opt === "Null") nullable = true;
      else if (v === "Default") {
        defaultSql = sourceText(ctx.source ?? ctx.text, p) ?? "";
        defaultDuck = defaultExpression(ctx, p, type);
      } else if (v === "Comment") comment = String(p);
      else if (v === "Identity") identity = identityOf(ctx, name, p, type);
      else if (v === "PrimaryKey" || opt === "PrimaryKey") primaryKey = true;
      else if (v === "Unique") {
        if (p?.is_primary) primaryKey = true;
        else unique = true;
      } else if (v === "ForeignKey") {
        // recorded by Snowflake, enforced by nobody
      } else if (v === "Collation") throw SQL_ERRORS.unsupported("COLLATE");
      else if (v === "Tags" || v === "Policy") {
        // accepted
      } else throw SQL_ERRORS.unsupported(`column option ${v || JSON.stringify(opt)}`);
    }
    // A primary key is NOT NULL, as in Snowflake.
    if (primaryKey) nullable = false;
    if (identity) {
      if (defaultSql !== null) {
        throw SQL_ERRORS.syntax(`column ${name} cannot have both a DEFAULT and AUTOINCREMENT.`);
      }
      // Shown where Snowflake shows it (DESCRIBE's default); the DuckDB default comes with the
      // table's own sequence (createTableObject).
      defaultSql = `IDENTITY START ${identity.start} INCREMENT ${identity.increment} ${
        identity.ordered ? "ORDER" : "NOORDER"
      }`;
    }
    out.push({
      name,
      type,
      nullable,
      defaultSql,
      defaultDuck,
      comment,
      primaryKey,
      unique,
      ...(identity ? { identity } : {}),
    });
  }
  return out;
}

/**
 * `AUTOINCREMENT | IDENTITY [ (start, step) | START s INCREMENT i ] [ ORDER | NOORDER ]`. NOORDER
 * is Snowflake's default since its 2024 behaviour change; DuckDB's sequence gives ordered numbers
 * either way, which both promise allows.
 */
function identityOf(ctx: StatementContext, column: string, p: Node, type: SfType): ColumnIdentity {
  if (type.kind !== "NUMBER" && type.kind !== "FLOAT") {
    throw new SqlError(
      "002023",
      "22000",
      `SQL compilation error:\nAutoincrement column ${column} must be of a numeric type, not ${
        formatSfType(type)
      }.`,
    );
  }
  const spec = payload(p) ?? {};
  const params = spec.parameters ? payload(spec.parameters) : undefined;
  // A signed whole-number literal (the parser gives `-1` as a minus over the number 1).
  const literal = (node: Node): number | undefined => {
    if (variant(node) === "UnaryOp") {
      const u = payload(node);
      const n = literal(u.expr);
      return n === undefined ? undefined : u.op === "Minus" ? -n : u.op === "Plus" ? n : undefined;
    }
    const text = payload(node)?.value?.Number?.[0];
    return typeof text === "string" && /^\d+$/.test(text) ? Number(text) : undefined;
  };
  const int = (node: Node | undefined, fallback: number) => {
    if (!node) return fallback;
    const n = literal(node);
    if (n === undefined || !Number.isSafeInteger(n)) {
      throw SQL_ERRORS.syntax(
        `AUTOINCREMENT needs whole numbers, not '${
          sourceText(ctx.source ?? ctx.text, node) ?? "?"
        }'.`,
      );
    }
    return n;
  };
  const start = int(params?.seed, 1);
  const increment = int(params?.increment, 1);
  if (increment === 0) throw SQL_ERRORS.syntax("AUTOINCREMENT cannot increment by 0.");
  return { start, increment, ordered: spec.order === "Order" };
}

let duckSequences = 0;

/**
 * Creates a DuckDB sequence; returns its qualified name. Every sequence lives in the catalog's own
 * schema under a generated name of plain letters and digits: DuckDB's `nextval('…')` reads the
 * name from a string and drops doubled quotes (a user's `"a""b"` would not survive), and a
 * schema's `DROP … CASCADE` would take along another schema's table whose DEFAULT uses it.
 */
async function createDuckSequence(
  s: LaneSession,
  start: number,
  increment: number,
): Promise<string> {
  const sequence = `${META}.seq_${Date.now().toString(36)}_${++duckSequences}`;
  await s.run(
    `CREATE SEQUENCE ${sequence} START ${start} INCREMENT ${increment} MINVALUE ${-(2n ** 63n)} ` +
      `MAXVALUE ${2n ** 63n - 1n}`,
  );
  return sequence;
}

/**
 * Creates the DuckDB sequences of a new table's identity columns (each table its own, also when
 * its columns were copied by LIKE or CLONE) and points the columns' defaults at them; `next` gives
 * a column's first number when it is not its declared start (a clone goes on from its source).
 */
async function withIdentitySequences(
  s: LaneSession,
  columns: readonly CatalogColumn[],
  next: ReadonlyMap<string, number> = new Map(),
): Promise<CatalogColumn[]> {
  const out: CatalogColumn[] = [];
  for (const c of columns) {
    if (!c.identity) {
      out.push(c);
      continue;
    }
    const sequence = await createDuckSequence(
      s,
      next.get(c.name) ?? c.identity.start,
      c.identity.increment,
    );
    // No cast to the column's type: a wider type later (ALTER COLUMN … SET DATA TYPE) still fits.
    out.push({ ...c, identity: { ...c.identity, sequence }, defaultDuck: nextvalSql(sequence) });
  }
  return out;
}

/** Drops the sequences of identity columns whose table (or the columns themselves) went. */
async function dropIdentitySequences(
  s: LaneSession,
  columns: readonly CatalogColumn[],
): Promise<void> {
  for (const c of columns) {
    if (c.identity?.sequence) await s.run(`DROP SEQUENCE IF EXISTS ${c.identity.sequence}`);
  }
}

/** A DEFAULT expression in DuckDB SQL: translated now (no columns), cast to the column's type. */
function defaultExpression(ctx: StatementContext, node: Node, type: SfType): string {
  const t = new Translator(
    catalogResolver({
      warehouse: ctx.warehouse,
      results: ctx.results,
      session: ctx.sessionContext,
      parseQuery: ctx.parseQuery,
    }),
    { source: ctx.text },
  );
  const e = t.expr(node, { scope: new Scope(undefined), aggregates: false, aliases: false });
  return `CAST(${e.sql} AS ${duckType(type)})`;
}

/** DuckDB column definitions (the hidden `$ROW` last). */
function duckColumns(cols: readonly CatalogColumn[], sequenced = true): string {
  const defs = cols.map((c) => {
    let d = `${qi(c.name)} ${duckType(c.type)}`;
    if (c.defaultDuck) d += ` DEFAULT ${c.defaultDuck}`;
    if (!c.nullable) d += " NOT NULL";
    return d;
  });
  if (sequenced) defs.push(`${qi(ROW_COLUMN)} BIGINT`);
  return defs.join(", ");
}

/** Creates a table's DuckDB storage and catalog entry. */
export async function createTableObject(
  ctx: StatementContext,
  s: LaneSession,
  n: FullName,
  columns: CatalogColumn[],
  opts: {
    kind?: ObjectKind;
    comment?: string | null;
    definition?: string | null;
    props?: Record<string, unknown>;
    /** First numbers of identity columns that do not start at their declared start. */
    identityNext?: ReadonlyMap<string, number>;
  } = {},
): Promise<CatalogObject> {
  const w = ctx.warehouse;
  columns = await withIdentitySequences(s, columns, opts.identityNext);
  await s.run(`CREATE TABLE ${tableOf(n)} (${duckColumns(columns)})`);
  const o = await w.catalog.add(s, {
    database: n.database,
    schema: n.schema,
    name: n.name,
    kind: opts.kind ?? "TABLE",
    owner: ctx.session.role ?? "",
    comment: opts.comment ?? null,
    definition: opts.definition ?? null,
    props: opts.props ?? {},
    columns,
  });
  w.startSequence(o.id);
  return o;
}

/**
 * What a table's or view's kind says of its life: a TEMPORARY (TEMP, LOCAL or GLOBAL TEMPORARY,
 * VOLATILE) one belongs to the session that made it and is dropped when that session ends; a
 * TRANSIENT one is listed as such (there is no Fail-safe to leave out here).
 */
export function lifetimeProps(ctx: StatementContext, p: Node): Record<string, unknown> {
  if (p.temporary || p.volatile) return { temporary: ctx.session.id };
  if (p.transient) return { transient: true };
  return {};
}

/** Records `keys` as the table's keys, and its columns' key flags with them. */
function setKeys(
  o: { props: Record<string, unknown>; columns: CatalogColumn[] },
  keys: TableKey[],
) {
  o.props = { ...o.props, keys };
  o.columns = withKeyFlags(o.columns, keys);
}

/** Handles CREATE [OR REPLACE] TABLE … */
export async function createTable(
  ctx: StatementContext,
  ast: Node,
  meta?: SqlMeta,
): Promise<Outcome> {
  const p = ast.CreateTable;
  if (p.external) throw SQL_ERRORS.unsupported("CREATE EXTERNAL TABLE");
  if (p.iceberg) throw SQL_ERRORS.unsupported("CREATE ICEBERG TABLE");
  const n = newName(ctx, objectNameParts(p.name));
  const comment = tableComment(p);
  const props = lifetimeProps(ctx, p);
  return await ctx.warehouse.writer.transaction(async (s) => {
    const old = existing(ctx, [n.database, n.schema, n.name], [
      "TABLE",
      "VIEW",
      "DYNAMIC TABLE",
      "STREAM",
    ]);
    if (old) {
      if (p.if_not_exists) return status(`${n.name} already exists, statement succeeded.`);
      if (!p.or_replace) throw SQL_ERRORS.alreadyExists(n.name);
      if (old.kind !== "TABLE") {
        throw new SqlError(
          "002201",
          "42809",
          `SQL compilation error:\nObject found is of type '${old.kind}', not specified type 'TABLE'.`,
        );
      }
      await dropObject(ctx, s, old);
    }
    if (p.query) {
      const q = translateQuery(ctx, p.query, { lane: "writer" });
      let columns: CatalogColumn[] = q.columns.map((c) => ({
        name: c.name,
        type: c.type,
        nullable: true,
        defaultSql: null,
        comment: null,
      }));
      const renames = meta?.ctasColumns;
      if (renames) {
        if (renames.length !== columns.length) {
          throw SQL_ERRORS.syntax(
            `${renames.length} column names were given for a query of ${columns.length} columns.`,
          );
        }
        columns = columns.map((c, i) => ({ ...c, name: renames[i] }));
      }
      if (p.columns?.length) {
        const declared = columnDefs(ctx, p.columns);
        if (declared.length !== columns.length) {
          throw SQL_ERRORS.syntax("the column list does not match the query.");
        }
        columns = declared.map((d, i) => ({ ...d, type: d.type ?? columns[i].type }));
      }
      checkUnique(columns.map((c) => c.name));
      const o = await createTableObject(ctx, s, n, columns, { comment, props });
      await insertNumbered(
        ctx.warehouse,
        s,
        o,
        columns.map((c) => c.name),
        `SELECT ${
          q.columns.map((c, i) => `CAST(${qi(c.duck)} AS ${duckType(columns[i].type)})`).join(", ")
        } FROM (${q.sql})`,
      );
      await q.commitStreams(s);
      return status(`Table ${n.name} successfully created.`);
    }
    if (p.like) {
      const likeName = objectNameParts(payload(p.like)?.name ?? p.like);
      const src = existing(ctx, likeName, ["TABLE", "DYNAMIC TABLE", "VIEW"]);
      if (!src) throw SQL_ERRORS.doesNotExist(likeName.join("."));
      await createTableObject(ctx, s, n, src.columns.map((c) => ({ ...c })), {
        comment,
        props: { ...props, keys: keysOf(src) },
      });
      return status(`Table ${n.name} successfully created.`);
    }
    if (p.clone) {
      const src = existing(ctx, objectNameParts(p.clone), ["TABLE", "DYNAMIC TABLE"]);
      if (!src) throw SQL_ERRORS.doesNotExist(objectNameParts(p.clone).join("."));
      // The clone's identity columns go on from the source's numbers.
      const identityNext = new Map<string, number>();
      for (const c of src.columns) {
        if (!c.identity) continue;
        const r = await s.all(
          `SELECT ${c.identity.increment > 0 ? "max" : "min"}(${qi(c.name)}) FROM ${tableOf(src)}`,
        );
        const last = r.rows[0]?.[0];
        if (last !== null && last !== undefined) {
          identityNext.set(c.name, Number(last) + c.identity.increment);
        }
      }
      const o = await createTableObject(ctx, s, n, src.columns.map((c) => ({ ...c })), {
        comment,
        identityNext,
        props: { ...props, keys: keysOf(src) },
      });
      const inserted = await s.changes(
        `INSERT INTO ${tableOf(o)} SELECT ${src.columns.map((c) => qi(c.name)).join(", ")}, ${
          qi(ROW_COLUMN)
        } FROM ${tableOf(src)}`,
      );
      ctx.warehouse.startSequence(o.id, ctx.warehouse.nextRow(src.id));
      void inserted;
      return status(`Table ${n.name} successfully created.`);
    }
    const keys = declaredKeys(p.columns ?? [], p.constraints ?? []);
    const columns = columnDefs(ctx, p.columns ?? [], keys);
    if (!columns.length) throw SQL_ERRORS.syntax("a table needs at least one column.");
    for (const k of keys) {
      for (const c of k.columns) {
        if (!columns.some((x) => x.name === c)) throw SQL_ERRORS.invalidIdentifier(c);
      }
    }
    await createTableObject(ctx, s, n, columns, {
      comment,
      props: keys.length ? { ...props, keys } : props,
    });
    return status(`Table ${n.name} successfully created.`);
  });
}

function checkUnique(names: readonly string[]): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw SQL_ERRORS.syntax(`duplicate column name '${n}'`);
    seen.add(n);
  }
}

function tableComment(p: Node): string | null {
  const opts = p.table_options;
  const list: Node[] = opts && typeof opts === "object" ? payload(opts) ?? [] : [];
  for (const o of Array.isArray(list) ? list : []) {
    if (variant(o) === "Comment") {
      const c = payload(o);
      return String(payload(c) ?? c);
    }
  }
  if (typeof p.comment === "string") return p.comment;
  if (p.comment) return String(payload(p.comment) ?? p.comment);
  return null;
}

/** CREATE [OR REPLACE] VIEW … AS query */
export async function createView(
  ctx: StatementContext,
  ast: Node,
  meta?: SqlMeta,
): Promise<Outcome> {
  const p = ast.CreateView;
  if (p.materialized) throw SQL_ERRORS.unsupported("CREATE MATERIALIZED VIEW");
  const n = newName(ctx, objectNameParts(p.name));
  return await ctx.warehouse.writer.transaction(async (s) => {
    const old = existing(ctx, [n.database, n.schema, n.name], [
      "VIEW",
      "TABLE",
      "DYNAMIC TABLE",
      "STREAM",
    ]);
    if (old) {
      if (p.if_not_exists) return status(`${n.name} already exists, statement succeeded.`);
      if (!p.or_replace) throw SQL_ERRORS.alreadyExists(n.name);
      if (old.kind !== "VIEW") {
        throw new SqlError(
          "002201",
          "42809",
          `SQL compilation error:\nObject found is of type '${old.kind}', not specified type 'VIEW'.`,
        );
      }
      await dropObject(ctx, s, old);
    }
    const q = translateQuery(ctx, p.query, { lane: "writer", forView: true });
    let names = q.columns.map((c) => c.name);
    const declared: Node[] = p.columns ?? [];
    if (declared.length) {
      if (declared.length !== names.length) {
        throw SQL_ERRORS.syntax(
          `the view declares ${declared.length} columns, its query returns ${names.length}.`,
        );
      }
      names = declared.map((c) => identName(c.name ?? c));
    }
    checkUnique(names);
    await s.run(
      `CREATE VIEW ${tableOf(n)} AS SELECT ${
        q.columns.map((c, i) => `${qi(c.duck)} AS ${qi(names[i])}`).join(", ")
      } FROM (${q.sql})`,
    );
    const text = ctx.text.replace(/^[\s\S]*?\bAS\b\s*/i, (m) => (/\bVIEW\b/i.test(m) ? "" : m));
    await ctx.warehouse.catalog.add(s, {
      database: n.database,
      schema: n.schema,
      name: n.name,
      kind: "VIEW",
      owner: ctx.session.role ?? "",
      comment: typeof p.comment === "string" ? p.comment : null,
      definition: meta?.viewQuery ?? viewQueryText(ctx.text),
      props: { text: ctx.text.trim(), secure: !!p.secure, ...lifetimeProps(ctx, p) },
      columns: q.columns.map((c, i) => ({
        name: names[i],
        type: c.type,
        nullable: true,
        defaultSql: null,
        comment: null,
      })),
    });
    void text;
    return status(`View ${n.name} successfully created.`);
  });
}

/** The query of a CREATE VIEW statement's text (after its top-level AS). */
export function viewQueryText(text: string): string {
  const m = /\bAS\s*(\(?\s*(?:WITH|SELECT|VALUES)\b[\s\S]*)$/i.exec(text);
  return (m ? m[1] : text).trim();
}

/** CREATE DATABASE / CREATE SCHEMA */
export async function createDatabaseOrSchema(ctx: StatementContext, ast: Node): Promise<Outcome> {
  const w = ctx.warehouse;
  return await w.writer.transaction(async (s) => {
    if (ast.CreateDatabase) {
      const p = ast.CreateDatabase;
      const [name] = objectNameParts(p.db_name);
      if (w.catalog.hasDatabase(name)) {
        if (p.if_not_exists) return status(`${name} already exists, statement succeeded.`);
        if (!p.or_replace) throw SQL_ERRORS.alreadyExists(name, "Database");
        await dropObjectsIn(ctx, s, name);
        await w.catalog.dropDatabase(s, name);
      }
      await w.catalog.createDatabase(s, name);
      ctx.session.database = name;
      ctx.session.schema = "PUBLIC";
      return status(`Database ${name} successfully created.`);
    }
    const p = ast.CreateSchema;
    const parts = objectNameParts(payload(p.schema_name) ?? p.schema_name);
    const database = parts.length > 1 ? parts[0] : ctx.session.database;
    const name = parts.at(-1)!;
    if (!database || !w.catalog.hasDatabase(database)) {
      throw SQL_ERRORS.doesNotExist(database ?? "(none)", "Database");
    }
    if (w.catalog.hasSchema(database, name)) {
      if (p.if_not_exists) return status(`${name} already exists, statement succeeded.`);
      if (!p.or_replace) throw SQL_ERRORS.alreadyExists(name, "Schema");
      await dropObjectsIn(ctx, s, database, name);
      await w.catalog.dropSchema(s, database, name);
    }
    await w.catalog.createSchema(s, database, name);
    ctx.session.database = database;
    ctx.session.schema = name;
    return status(`Schema ${name} successfully created.`);
  });
}

/**
 * ALTER TABLE … SET | UNSET table properties: recorded, and shown by SHOW TABLES (nothing here
 * keeps history or evolves a schema; every table's changes are tracked anyway).
 */
export async function setTableProperties(
  ctx: StatementContext,
  stmt: Extract<Statement, { kind: "tableProperties" }>,
): Promise<Outcome> {
  const o = existing(ctx, stmt.name, ["TABLE"]);
  if (!o) {
    if (stmt.ifExists) return status("Statement executed successfully.");
    throw SQL_ERRORS.doesNotExist(qualifiedText(ctx, stmt.name), "Table");
  }
  const props: Record<string, unknown> = { ...o.props };
  let comment = o.comment;
  const bool = (name: string, text: string) => {
    if (!/^(TRUE|FALSE)$/i.test(text)) throw SQL_ERRORS.invalidProperty(name, text);
    return /^TRUE$/i.test(text);
  };
  const days = (name: string, text: string) => {
    if (!/^\d+$/.test(text) || Number(text) > 90) throw SQL_ERRORS.invalidProperty(name, text);
    return Number(text);
  };
  const keys: Record<string, string> = {
    CHANGE_TRACKING: "changeTracking",
    DATA_RETENTION_TIME_IN_DAYS: "retentionDays",
    MAX_DATA_EXTENSION_TIME_IN_DAYS: "maxDataExtensionDays",
    ENABLE_SCHEMA_EVOLUTION: "schemaEvolution",
    DEFAULT_DDL_COLLATION: "defaultDdlCollation",
  };
  for (const [name, text] of stmt.properties) {
    if (name === "COMMENT") {
      comment = text;
      continue;
    }
    const key = keys[name];
    if (text === null) delete props[key];
    else if (name === "CHANGE_TRACKING" || name === "ENABLE_SCHEMA_EVOLUTION") {
      props[key] = bool(name, text);
    } else if (name === "DEFAULT_DDL_COLLATION") {
      if (text !== "") throw SQL_ERRORS.unsupported("COLLATE");
      props[key] = text;
    } else props[key] = days(name, text);
  }
  await ctx.warehouse.writer.transaction(async (s) => {
    o.props = props;
    o.comment = comment;
    await ctx.warehouse.catalog.update(s, o);
  });
  return status("Statement executed successfully.");
}

/** The columns table constraints make keys: PRIMARY KEY, or UNIQUE (a primary key wins). */
/** The columns a key constraint names, in the declared order. */
function keyColumns(c: Node): string[] {
  return (payload(c).columns ?? []).map((col: Node) => {
    const e = col.column?.expr ?? col.expr ?? col;
    return variant(e) === "Identifier" ? identName(e.Identifier) : identName(e);
  });
}

/** The name a constraint was given (`CONSTRAINT name …`), or a system name. */
function constraintName(name: Node | null | undefined): string {
  return name ? identName(name) : systemConstraintName();
}

/**
 * The primary and unique keys a CREATE TABLE declares: on columns (`ID INT PRIMARY KEY`), then
 * as table constraints (`CONSTRAINT PK PRIMARY KEY (A, B)`), each with its name and its columns in
 * the declared order.
 */
function declaredKeys(cols: readonly Node[], constraints: readonly Node[]): TableKey[] {
  const keys: TableKey[] = [];
  for (const c of cols) {
    for (const o of c.options ?? []) {
      const opt = o.option ?? o;
      const v = variant(opt);
      const primary = v === "PrimaryKey" || opt === "PrimaryKey" ||
        (v === "Unique" && payload(opt)?.is_primary);
      if (!primary && v !== "Unique") continue;
      keys.push({
        name: constraintName(o.name),
        kind: primary ? "PRIMARY KEY" : "UNIQUE",
        columns: [identName(c.name)],
      });
    }
  }
  return [...keys, ...constraintKeys(constraints)];
}

/** Key constraints (PRIMARY KEY, UNIQUE) among table constraints; others are left out. */
function constraintKeys(constraints: readonly Node[]): TableKey[] {
  const keys: TableKey[] = [];
  for (const c of constraints) {
    const v = variant(c);
    if (v !== "PrimaryKey" && v !== "Unique") continue;
    keys.push({
      name: constraintName(payload(c).name),
      kind: v === "PrimaryKey" ? "PRIMARY KEY" : "UNIQUE",
      columns: keyColumns(c),
    });
  }
  return keys;
}

/**
 * ALTER TABLE: ADD | DROP | RENAME COLUMN, RENAME TO, SWAP WITH, ALTER | MODIFY COLUMN, SET
 * COMMENT, constraints, clustering keys and table properties (recorded: nothing here clusters or
 * keeps history).
 */
export async function alterTable(
  ctx: StatementContext,
  ast: Node,
  meta?: SqlMeta,
): Promise<Outcome> {
  const p = ast.AlterTable;
  const parts = objectNameParts(p.name);
  return await inSessionZoneTransaction(ctx, async (s) => {
    let o = existing(ctx, parts, ["TABLE"]);
    if (!o) {
      if (p.if_exists) return status("Statement executed successfully.");
      throw SQL_ERRORS.doesNotExist(parts.join("."), "Table");
    }
    for (const op of p.operations ?? []) {
      const v = variant(op);
      const a = payload(op);
      if (v === "AddColumn") {
        let [col] = columnDefs(ctx, [a.column_def]);
        if (o.columns.some((c) => c.name === col.name)) {
          if (a.if_not_exists || meta?.addIfNotExists) continue;
          throw SQL_ERRORS.alreadyExists(col.name, "Column");
        }
        if (col.identity) {
          // As in Snowflake: the existing rows would have no number to take.
          const r = await s.all(`SELECT count(*) FROM ${tableOf(o)}`);
          if (Number(r.rows[0][0]) > 0) {
            throw SQL_ERRORS.unsupported("adding an AUTOINCREMENT column to a table with rows");
          }
          [col] = await withIdentitySequences(s, [col]);
        }
        let def = `${qi(col.name)} ${duckType(col.type)}`;
        if (col.defaultDuck) def += ` DEFAULT ${col.defaultDuck}`;
        await s.run(`ALTER TABLE ${tableOf(o)} ADD COLUMN ${def}`);
        if (!col.nullable) {
          await s.run(`ALTER TABLE ${tableOf(o)} ALTER COLUMN ${qi(col.name)} SET NOT NULL`);
        }
        if (o.props.changeLog) {
          await s.run(
            `ALTER TABLE ${changeLogOf(o)} ADD COLUMN ${qi(col.name)} ${duckType(col.type)}`,
          );
        }
        o.columns = [...o.columns, col];
      } else if (v === "DropColumn") {
        const names: string[] = (a.column_names ?? [a.column_name]).map((x: Node) => identName(x));
        for (const name of names) {
          if (!o.columns.some((c) => c.name === name)) {
            if (a.if_exists) continue;
            throw SQL_ERRORS.invalidIdentifier(name);
          }
          await s.run(`ALTER TABLE ${tableOf(o)} DROP COLUMN ${qi(name)}`);
          if (o.props.changeLog) {
            await s.run(`ALTER TABLE ${changeLogOf(o)} DROP COLUMN ${qi(name)}`);
          }
          await dropIdentitySequences(s, o.columns.filter((c) => c.name === name));
          const keys = keysAfterColumnChange(keysOf(o), name);
          o.columns = o.columns.filter((c) => c.name !== name);
          setKeys(o, keys);
        }
      } else if (v === "RenameColumn") {
        const from = identName(a.old_column_name), to = identName(a.new_column_name);
        if (!o.columns.some((c) => c.name === from)) throw SQL_ERRORS.invalidIdentifier(from);
        await s.run(`ALTER TABLE ${tableOf(o)} RENAME COLUMN ${qi(from)} TO ${qi(to)}`);
        if (o.props.changeLog) {
          await s.run(`ALTER TABLE ${changeLogOf(o)} RENAME COLUMN ${qi(from)} TO ${qi(to)}`);
        }
        const keys = keysAfterColumnChange(keysOf(o), from, to);
        o.columns = o.columns.map((c) => (c.name === from ? { ...c, name: to } : c));
        setKeys(o, keys);
      } else if (v === "RenameTable") {
        const target = objectNameParts(payload(a.table_name) ?? a.table_name);
        const n = qualify(target, ctx.session);
        if (ctx.warehouse.catalog.find(n.database, n.schema, n.name, "RELATION")) {
          throw SQL_ERRORS.alreadyExists(n.name);
        }
        if (n.database !== o.database || n.schema !== o.schema) {
          throw SQL_ERRORS.unsupported("ALTER TABLE … RENAME TO another schema");
        }
        // Same object, same rows, channels of its named pipes and streams on it: only the name
        // changes. What names it in text (views, dynamic tables, the default pipe's name) now
        // finds nothing, as in Snowflake.
        await s.run(`ALTER TABLE ${tableOf(o)} RENAME TO ${qi(n.name)}`);
        o = await ctx.warehouse.catalog.rename(s, o, n.name);
      } else if (v === "SwapWith") {
        // The two tables trade names (rows, columns, streams and named pipes stay with each).
        const otherParts = objectNameParts(payload(a.table_name) ?? a.table_name);
        const other = existing(ctx, otherParts, ["TABLE"]);
        if (!other) throw SQL_ERRORS.doesNotExist(otherParts.join("."), "Table");
        if (other.database !== o.database || other.schema !== o.schema) {
          throw SQL_ERRORS.unsupported("ALTER TABLE … SWAP WITH a table of another schema");
        }
        if (other.id === o.id) continue;
        const mine = o.name, theirs = other.name;
        const parked = `$SWAP$${o.id}`;
        await s.run(`ALTER TABLE ${tableOf(o)} RENAME TO ${qi(parked)}`);
        await s.run(`ALTER TABLE ${tableOf(other)} RENAME TO ${qi(mine)}`);
        await s.run(
          `ALTER TABLE ${qi(duckSchema(o.database, o.schema))}.${qi(parked)} RENAME TO ${
            qi(theirs)
          }`,
        );
        const catalog = ctx.warehouse.catalog;
        const parkedObject = await catalog.rename(s, o, parked);
        await catalog.rename(s, other, mine);
        o = await catalog.rename(s, parkedObject, theirs);
      } else if (v === "ModifyColumn" && !(a.options ?? []).length) {
        // MODIFY [COLUMN] c <type>: Snowflake's ALTER COLUMN c SET DATA TYPE <type>.
        const name = identName(a.col_name);
        const col = o.columns.find((c) => c.name === name);
        if (!col) throw SQL_ERRORS.invalidIdentifier(name);
        const to = dataTypeOf(a.data_type);
        await changeColumnType(s, o, col, to);
        o.columns = o.columns.map((c) => c.name === name ? { ...c, type: to } : c);
      } else if (v === "AlterColumn") {
        const name = identName(a.column_name);
        const col = o.columns.find((c) => c.name === name);
        if (!col) throw SQL_ERRORS.invalidIdentifier(name);
        const alter = variant(a.op) || String(a.op);
        if (alter === "SetNotNull" || alter === "DropNotNull") {
          const nullable = alter === "DropNotNull";
          await s.run(
            `ALTER TABLE ${tableOf(o)} ALTER COLUMN ${qi(name)} ${
              nullable ? "DROP" : "SET"
            } NOT NULL`,
          ).catch((e) => {
            // Rows that already hold NULL: Snowflake's error for a NULL in a NOT NULL column.
            if (!nullable && /NOT NULL|null values/i.test(String((e as Error)?.message))) {
              throw new SqlError("100072", "22000", "NULL result in a non-nullable column");
            }
            throw e;
          });
          o.columns = o.columns.map((c) => c.name === name ? { ...c, nullable } : c);
        } else if (alter === "SetDataType") {
          const to = dataTypeOf(payload(a.op).data_type);
          await changeColumnType(s, o, col, to);
          o.columns = o.columns.map((c) => c.name === name ? { ...c, type: to } : c);
        } else throw SQL_ERRORS.unsupported(`ALTER TABLE … ALTER COLUMN … ${alter}`);
      } else if (v === "AddConstraint") {
        const added = constraintKeys([a.constraint ?? a]);
        for (const k of added) {
          for (const name of k.columns) {
            if (!o.columns.some((c) => c.name === name)) throw SQL_ERRORS.invalidIdentifier(name);
          }
        }
        setKeys(o, [...keysOf(o), ...added]);
      } else if (v === "DropPrimaryKey") {
        setKeys(o, keysOf(o).filter((k) => k.kind !== "PRIMARY KEY"));
      } else if (v === "ClusterBy") {
        const keys = (Array.isArray(a) ? a : a.exprs ?? []).map((e: Node) =>
          sourceText(ctx.source ?? ctx.text, e) ?? ""
        );
        o.props = { ...o.props, clusterBy: `LINEAR(${keys.join(", ")})` };
      } else if (v === "DropClusteringKey" || op === "DropClusteringKey") {
        const { clusterBy: _dropped, ...rest } = o.props;
        o.props = rest;
      } else if (
        op === "SuspendRecluster" || op === "ResumeRecluster" || v === "SuspendRecluster" ||
        v === "ResumeRecluster"
      ) {
        // Nothing reclusters here.
      } else if (v === "SetTblProperties" || v === "SetOptionsParens") {
        throw SQL_ERRORS.unsupported(`ALTER TABLE … ${v}`);
      } else throw SQL_ERRORS.unsupported(`ALTER TABLE … ${v || op}`);
    }
    await ctx.warehouse.catalog.update(s, o);
    return status("Statement executed successfully.");
  });
}

/**
 * `ALTER COLUMN … SET DATA TYPE`, as far as Snowflake allows it: a longer VARCHAR, or a NUMBER of
 * more digits and the same scale. Anything else is refused with its error.
 */
async function changeColumnType(
  s: LaneSession,
  o: CatalogObject,
  col: CatalogColumn,
  to: SfType,
): Promise<void> {
  const from = col.type;
  const refuse = (why: string) =>
    new SqlError(
      "002108",
      "0A000",
      `SQL compilation error: cannot change column ${col.name} from type ${formatSfType(from)} to ${
        formatSfType(to)
      }${why}`,
    );
  if (from.kind === "VARCHAR" && to.kind === "VARCHAR") {
    if (to.length < from.length) {
      throw refuse(" because reducing the byte-length of a varchar is not supported.");
    }
    // DuckDB keeps VARCHAR unbounded; the declared length lives in the catalog, which checks it.
    return;
  }
  if (from.kind === "NUMBER" && to.kind === "NUMBER") {
    if (to.scale !== from.scale) {
      throw refuse(" because changing the scale of a number is not supported.");
    }
    if (to.precision < from.precision) {
      throw refuse(" because decreasing the precision of a number is not supported.");
    }
    await s.run(`ALTER TABLE ${tableOf(o)} ALTER COLUMN ${qi(col.name)} TYPE ${duckType(to)}`);
    // A DEFAULT is cast to the column's type (defaultExpression): to the new type from now on.
    const cast = ` AS ${duckType(from)})`;
    if (col.defaultDuck?.startsWith("CAST(") && col.defaultDuck.endsWith(cast)) {
      const widened = `${col.defaultDuck.slice(0, -cast.length)} AS ${duckType(to)})`;
      await s.run(`ALTER TABLE ${tableOf(o)} ALTER COLUMN ${qi(col.name)} SET DEFAULT ${widened}`);
      o.columns = o.columns.map((c) => (c.name === col.name ? { ...c, defaultDuck: widened } : c));
    }
    if (o.props.changeLog) {
      await s.run(
        `ALTER TABLE ${changeLogOf(o)} ALTER COLUMN ${qi(col.name)} TYPE ${duckType(to)}`,
      );
    }
    return;
  }
  if (duckType(from) === duckType(to) && from.kind === to.kind) return;
  throw refuse(" because the types are incompatible.");
}

/** `COMMENT ON …` and `ALTER … SET | UNSET COMMENT`: the comment SHOW and INFORMATION_SCHEMA show. */
export async function commentOn(
  ctx: StatementContext,
  stmt: Extract<Statement, { kind: "comment" }>,
): Promise<Outcome> {
  const kinds: Record<string, { kinds: ObjectKind[]; ns?: string; label: string }> = {
    "TABLE": { kinds: ["TABLE", "DYNAMIC TABLE"], label: "Table" },
    "VIEW": { kinds: ["VIEW"], label: "View" },
    "DYNAMIC TABLE": { kinds: ["DYNAMIC TABLE"], label: "Dynamic table" },
    "STREAM": { kinds: ["STREAM"], label: "Stream" },
    "PIPE": { kinds: ["PIPE"], ns: "PIPE", label: "Pipe" },
  };
  const k = kinds[stmt.objectKind];
  return await ctx.warehouse.writer.transaction(async (s) => {
    const o = existing(ctx, stmt.name, k.kinds, k.ns);
    if (!o) {
      if (stmt.ifExists) return status("Statement executed successfully.");
      throw SQL_ERRORS.doesNotExist(stmt.name.join("."), k.label);
    }
    if (stmt.column !== null) {
      if (!o.columns.some((c) => c.name === stmt.column)) {
        throw SQL_ERRORS.invalidIdentifier(stmt.column);
      }
      o.columns = o.columns.map((c) => c.name === stmt.column ? { ...c, comment: stmt.text } : c);
    } else o.comment = stmt.text;
    await ctx.warehouse.catalog.update(s, o);
    return status("Statement executed successfully.");
  });
}

/** DROP of any kind, from the SQL parser (TABLE, VIEW, SCHEMA, DATABASE) or the statement parser. */
export async function drop(
  ctx: StatementContext,
  kind: string,
  names: readonly (readonly string[])[],
  ifExists: boolean,
): Promise<Outcome> {
  const w = ctx.warehouse;
  return await w.writer.transaction(async (s) => {
    let last = "";
    for (const parts of names) {
      if (kind === "DATABASE") {
        const [name] = parts;
        if (!w.catalog.hasDatabase(name)) {
          if (ifExists) {
            return status(`Drop statement executed successfully (${name} already dropped).`);
          }
          throw SQL_ERRORS.doesNotExist(name, "Database");
        }
        await dropObjectsIn(ctx, s, name);
        await w.catalog.dropDatabase(s, name);
        if (ctx.session.database === name) {
          ctx.session.database = null;
          ctx.session.schema = null;
        }
        last = `${name} successfully dropped.`;
        continue;
      }
      if (kind === "SCHEMA") {
        const database = parts.length > 1 ? parts[0] : ctx.session.database;
        const name = parts.at(-1)!;
        if (!database || !w.catalog.hasSchema(database, name)) {
          if (ifExists) {
            return status(`Drop statement executed successfully (${name} already dropped).`);
          }
          throw SQL_ERRORS.doesNotExist(`${database}.${name}`, "Schema");
        }
        await dropObjectsIn(ctx, s, database, name);
        await w.catalog.dropSchema(s, database, name);
        if (ctx.session.database === database && ctx.session.schema === name) {
          ctx.session.schema = null;
        }
        last = `${name} successfully dropped.`;
        continue;
      }
      const objectKind = kind as ObjectKind;
      const ns = namespaceOf(objectKind);
      const n = qualify(parts, ctx.session);
      const o = w.catalog.find(n.database, n.schema, n.name, ns);
      if (!o) {
        if (ifExists) {
          last = `Drop statement executed successfully (${n.name} already dropped).`;
          continue;
        }
        throw SQL_ERRORS.doesNotExist(fullText(n), kindLabel(objectKind));
      }
      if (o.kind !== objectKind) {
        throw new SqlError(
          "002201",
          "42809",
          `SQL compilation error:\nObject found is of type '${o.kind}', not specified type '${objectKind}'.`,
        );
      }
      await dropObject(ctx, s, o);
      last = `${n.name} successfully dropped.`;
    }
    if (kind === "PIPE") ctx.services.pipesChanged?.();
    return status(last);
  });
}

function kindLabel(kind: string): string {
  return kind === "TABLE"
    ? "Table"
    : kind === "VIEW"
    ? "View"
    : kind === "DYNAMIC TABLE"
    ? "Dynamic table"
    : kind === "PIPE"
    ? "Pipe"
    : kind === "STREAM"
    ? "Stream"
    : kind === "SEQUENCE"
    ? "Sequence"
    : "Object";
}

/** CREATE [OR REPLACE] PIPE … AS COPY INTO t FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING')) */
export async function createPipe(
  ctx: StatementContext,
  stmt: Extract<Statement, { kind: "createPipe" }>,
): Promise<Outcome> {
  const n = newName(ctx, stmt.name);
  const w = ctx.warehouse;
  const out = await w.writer.transaction(async (s) => {
    const old = w.catalog.find(n.database, n.schema, n.name, "PIPE");
    const taken = await clearName(ctx, s, old, stmt, n.name, "Pipe");
    if (taken) return taken;
    const table = existing(ctx, stmt.table, ["TABLE"]);
    if (!table) throw SQL_ERRORS.doesNotExist(qualifiedText(ctx, stmt.table), "Table");
    const owner = ctx.session.role ?? "";
    if (stmt.transform !== null) {
      // Checked now, so that a transformation that cannot load the table fails its CREATE.
      compileTransform(
        w,
        { database: n.database, schema: n.schema, owner, table },
        stmt.transform,
        stmt.columns,
      );
    } else if (stmt.columns) {
      throw SQL_ERRORS.unsupported(
        "a pipe's column list without a transformation (COPY INTO t (…) FROM (SELECT …))",
      );
    }
    await w.catalog.add(s, {
      database: n.database,
      schema: n.schema,
      name: n.name,
      kind: "PIPE",
      owner,
      comment: stmt.comment,
      definition: stmt.definition,
      props: {
        table: table.id,
        tableName: fullText(table),
        match: stmt.matchByColumnName,
        ...(stmt.transform !== null ? { transform: stmt.transform, columns: stmt.columns } : {}),
      },
      columns: [],
    });
    return status(`Pipe ${n.name} successfully created.`);
  });
  ctx.services.pipesChanged?.();
  return out;
}

function qualifiedText(ctx: StatementContext, parts: readonly string[]): string {
  return fullText(qualify(parts, ctx.session));
}

/** CREATE [OR REPLACE] STREAM s ON TABLE t … */
export async function createStream(
  ctx: StatementContext,
  stmt: Extract<Statement, { kind: "createStream" }>,
): Promise<Outcome> {
  if (stmt.on === "VIEW") throw SQL_ERRORS.unsupported("streams on views");
  const n = newName(ctx, stmt.name);
  const w = ctx.warehouse;
  return await w.writer.transaction(async (s) => {
    const old = existing(ctx, [n.database, n.schema, n.name], [
      "STREAM",
      "TABLE",
      "VIEW",
      "DYNAMIC TABLE",
    ]);
    const taken = await clearName(ctx, s, old, stmt, n.name, "Stream", "STREAM");
    if (taken) return taken;
    const source = existing(ctx, stmt.table, ["TABLE", "DYNAMIC TABLE"]);
    if (!source) throw SQL_ERRORS.doesNotExist(qualifiedText(ctx, stmt.table), "Table");
    // Streams need the old versions of updated and deleted rows from now on: a standard stream
    // to show them, an append-only one to show a row as inserted even if it changed since.
    await w.ensureChangeLog(s, source);
    const columns: CatalogColumn[] = [
      ...source.columns.map((c) => ({ ...c })),
      {
        name: "METADATA$ACTION",
        type: sfType("VARCHAR"),
        nullable: false,
        defaultSql: null,
        comment: null,
      },
      {
        name: "METADATA$ISUPDATE",
        type: sfType("BOOLEAN"),
        nullable: false,
        defaultSql: null,
        comment: null,
      },
      {
        name: "METADATA$ROW_ID",
        type: sfType("VARCHAR"),
        nullable: false,
        defaultSql: null,
        comment: null,
      },
    ];
    await w.catalog.add(s, {
      database: n.database,
      schema: n.schema,
      name: n.name,
      kind: "STREAM",
      owner: ctx.session.role ?? "",
      comment: stmt.comment,
      definition: null,
      props: {
        source: source.id,
        sourceName: fullText(source),
        sourceKind: source.kind,
        appendOnly: stmt.appendOnly,
        showInitialRows: stmt.showInitialRows,
        initialPending: stmt.showInitialRows,
        offsetRow: w.nextRow(source.id),
        offsetLogSeq: w.nextLogSeq(source.id),
      },
      columns,
    });
    return status(`Stream ${n.name} successfully created.`);
  });
}

/** CREATE [OR REPLACE] SEQUENCE [IF NOT EXISTS] s [START …] [INCREMENT …] [ORDER | NOORDER] */
export async function createSequence(
  ctx: StatementContext,
  stmt: Extract<Statement, { kind: "createSequence" }>,
): Promise<Outcome> {
  const n = newName(ctx, stmt.name);
  const w = ctx.warehouse;
  return await w.writer.transaction(async (s) => {
    const old = w.catalog.find(n.database, n.schema, n.name, "SEQUENCE");
    const taken = await clearName(ctx, s, old, stmt, n.name, "Sequence");
    if (taken) return taken;
    const duck = await createDuckSequence(s, stmt.start, stmt.increment);
    await w.catalog.add(s, {
      database: n.database,
      schema: n.schema,
      name: n.name,
      kind: "SEQUENCE",
      owner: ctx.session.role ?? "",
      comment: stmt.comment,
      definition: null,
      props: { duck, start: stmt.start, increment: stmt.increment, ordered: stmt.ordered },
      columns: [],
    });
    return status(`Sequence ${n.name} successfully created.`);
  });
}

/** Advances the offsets of the streams a DML statement read (in its transaction). */
export async function advanceStreams(
  ctx: StatementContext,
  s: LaneSession,
  reads: ReadonlyMap<number, { row: number; logSeq: number }>,
): Promise<void> {
  // In a session's transaction they move at COMMIT, so that each statement reads the same rows.
  if (ctx.writer.deferStreams) return ctx.writer.deferStreams(reads);
  await applyStreamReads(ctx.warehouse, s, reads, (f) => ctx.writer.onRollback(f));
}

/**
 * Runs `fn` in a transaction of its own on the writer lane, reading text timestamps in the
 * session's time zone, as DML does (`ALTER TABLE … ADD COLUMN` fills existing rows with a text
 * default).
 */
function inSessionZoneTransaction<T>(
  ctx: StatementContext,
  fn: (s: LaneSession) => Promise<T>,
): Promise<T> {
  return ctx.warehouse.writer.exclusive((s) =>
    inSessionZone(s, ctx.session.timezone, () => s.transaction(fn))
  );
}

/**
 * Moves the offsets of streams to the positions a statement read them up to, in the catalog and
 * (in the lane's transaction) in DuckDB. `onRollback` is told how to undo the in-memory part.
 */
export async function applyStreamReads(
  w: Warehouse,
  s: LaneSession,
  reads: ReadonlyMap<number, { row: number; logSeq: number }>,
  onRollback?: (undo: () => void) => void,
): Promise<void> {
  for (const [id, end] of reads) {
    const stream = w.catalog.byId(id);
    if (!stream) continue;
    void streamOffset(stream);
    const before = stream.props;
    onRollback?.(() => stream.props = before);
    stream.props = {
      ...stream.props,
      offsetRow: end.row,
      offsetLogSeq: end.logSeq,
      initialPending: false,
    };
    await w.catalog.update(s, stream);
  }
}

/**
 * CREATE [OR REPLACE] FUNCTION: a SQL table function (`RETURNS TABLE (…) AS $$ query $$`) or a SQL
 * scalar function (`RETURNS <type> AS '<expression or query>'`). Its body is checked now, each
 * parameter bound to a NULL of its type, and inlined into every call.
 */
export async function createFunction(
  ctx: StatementContext,
  stmt: Extract<Statement, { kind: "createFunction" }>,
): Promise<Outcome> {
  const n = newName(ctx, stmt.name);
  const params = stmt.params.map((p) => ({ name: p.name, type: parseTypeText(p.type) }));
  const nulls = params.map((p) => ({ sql: `CAST(NULL AS ${duckType(p.type)})`, type: p.type }));
  const t = new Translator(
    catalogResolver({
      warehouse: ctx.warehouse,
      results: ctx.results,
      session: ctx.sessionContext,
      parseQuery: ctx.parseQuery,
    }),
    { source: stmt.body },
  );
  let columns: CatalogColumn[] = [];
  let kindProps: Record<string, unknown>;
  if (stmt.returnsTable) {
    columns = stmt.returnsTable.map((c) => ({
      name: c.name,
      type: parseTypeText(c.type),
      nullable: true,
      defaultSql: null,
      comment: null,
    }));
    // One query returning the declared number of columns.
    const out = t.translateFunctionBody(
      stmt.body,
      new Map(params.map((p, i) => [p.name, nulls[i]])),
    );
    if (out.columns.length !== columns.length) {
      throw SQL_ERRORS.typeMismatch(
        `the function returns ${out.columns.length} columns, its RETURNS TABLE declares ${columns.length}.`,
      );
    }
    kindProps = { returnsTable: true };
  } else {
    if (!stmt.returnType) throw SQL_ERRORS.syntax("a function needs RETURNS <type>.");
    const returnType = parseTypeText(stmt.returnType);
    const ref = { id: -1, kind: "FUNCTION", database: n.database, schema: n.schema, name: n.name };
    t.scalarFunctionCall({ ref, params, returnType, body: stmt.body }, nulls, new Scope(undefined));
    kindProps = { returnsTable: false, returnType: formatSfType(returnType) };
  }
  const w = ctx.warehouse;
  return await w.writer.transaction(async (s) => {
    const old = w.catalog.find(n.database, n.schema, n.name, "FUNCTION");
    const taken = await clearName(ctx, s, old, stmt, n.name, "Function");
    if (taken) return taken;
    await w.catalog.add(s, {
      database: n.database,
      schema: n.schema,
      name: n.name,
      kind: "FUNCTION",
      owner: ctx.session.role ?? "",
      comment: null,
      definition: stmt.body,
      props: {
        params: params.map((p) => ({ name: p.name, type: formatSfType(p.type) })),
        ...kindProps,
      },
      columns,
    });
    return status(`Function ${n.name} successfully created.`);
  });
}

/** A type written in a function signature (`VARCHAR`, `NUMBER(10, 1)`). */
export function parseTypeText(text: string): SfType {
  const m = /^([A-Za-z_][A-Za-z0-9_ ]*?)\s*(?:\(\s*([0-9,\s]*)\))?$/.exec(text.trim());
  if (!m) throw SQL_ERRORS.syntax(`invalid data type '${text}'`);
  const args = m[2] ? m[2].split(",").map((a) => Number(a.trim())) : [];
  try {
    return sfType(m[1], args);
  } catch (e) {
    throw SQL_ERRORS.syntax((e as Error).message);
  }
}

/** The DuckDB schema of a catalog schema (for statements that need it by name). */
export function schemaOf(n: { database: string; schema: string }): string {
  return qi(duckSchema(n.database, n.schema));
}
