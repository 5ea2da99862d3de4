/**
 * The emulator's catalog: databases, schemas and schema objects (tables, views, dynamic tables,
 * pipes, streams, SQL functions) with their declared columns, kept in DuckDB tables of the
 * `_liftline` schema (written in the same transaction as the DDL that changes them) and mirrored
 * in memory for name resolution.
 *
 * Data lives in DuckDB schemas named `"<DATABASE>.<SCHEMA>"`; a Snowflake table is a DuckDB table
 * of the same name there, with one hidden column, `$ROW`: the row's insertion sequence, which
 * streams and dynamic tables read changes by.
 *
 * @module
 */
import type { LaneSession } from "./duckdb.ts";
import { formatSfType, type SfType, sfType } from "./types.ts";
import { duckSchema, duckTable, qi, qs } from "../sql/translate/quote.ts";

/** The schema holding the catalog, channel state, change logs and refresh history. */
export const META = "_liftline";

/** The hidden insertion-sequence column of every table and dynamic table. */
export const ROW_COLUMN = "$ROW";

/** Kinds of schema objects. */
export type ObjectKind =
  | "TABLE"
  | "VIEW"
  | "DYNAMIC TABLE"
  | "PIPE"
  | "STREAM"
  | "FUNCTION"
  | "SEQUENCE";

/** One column as declared. */
export interface CatalogColumn {
  readonly name: string;
  readonly type: SfType;
  readonly nullable: boolean;
  /** The DEFAULT expression as written (Snowflake SQL), or null. */
  readonly defaultSql: string | null;
  /** The DEFAULT expression as DuckDB SQL, or null. */
  readonly defaultDuck?: string | null;
  readonly comment: string | null;
  /** Declared PRIMARY KEY (recorded, not enforced, as in Snowflake). */
  readonly primaryKey?: boolean;
  /** Declared UNIQUE (recorded, not enforced). */
  readonly unique?: boolean;
  /** AUTOINCREMENT / IDENTITY: how the column is numbered when an INSERT leaves it out. */
  readonly identity?: ColumnIdentity;
}

/** An AUTOINCREMENT / IDENTITY column's numbering. */
export interface ColumnIdentity {
  readonly start: number;
  readonly increment: number;
  /** ORDER (the default) or NOORDER: recorded (the numbers are ordered either way). */
  readonly ordered: boolean;
  /** The DuckDB sequence behind it (qualified and quoted), once its table is created. */
  readonly sequence?: string;
}

/** One schema object. */
export interface CatalogObject {
  readonly id: number;
  readonly database: string;
  readonly schema: string;
  readonly name: string;
  readonly kind: ObjectKind;
  readonly createdOn: Date;
  readonly owner: string;
  comment: string | null;
  /** The defining text: a view's or dynamic table's query, a pipe's COPY, a function's body. */
  readonly definition: string | null;
  /** Kind-specific properties (target lag, pipe table, stream offsets…). */
  props: Record<string, unknown>;
  columns: CatalogColumn[];
}

/** A schema. */
export interface CatalogSchema {
  readonly database: string;
  readonly name: string;
  readonly createdOn: Date;
  readonly comment: string | null;
}

/** Relations share one namespace per schema (tables, views, dynamic tables, streams). */
export function namespaceOf(kind: ObjectKind): string {
  if (kind === "PIPE") return "PIPE";
  if (kind === "FUNCTION") return "FUNCTION";
  if (kind === "SEQUENCE") return "SEQUENCE";
  return "RELATION";
}

const key = (database: string, schema: string, name: string, ns: string) =>
  `${ns}\u0000${database}\u0000${schema}\u0000${name}`;

/** DDL of the catalog's own tables. */
const CATALOG_DDL = [
  `CREATE SCHEMA IF NOT EXISTS ${META}`,
  `CREATE TABLE IF NOT EXISTS ${META}.databases (name VARCHAR, created_on TIMESTAMPTZ, comment VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS ${META}.schemas (database VARCHAR, name VARCHAR, created_on TIMESTAMPTZ, comment VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS ${META}.objects (id BIGINT, database VARCHAR, schema VARCHAR, name VARCHAR,
     kind VARCHAR, created_on TIMESTAMPTZ, owner VARCHAR, comment VARCHAR, definition VARCHAR, props VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS ${META}.columns (object_id BIGINT, ordinal INTEGER, name VARCHAR, type VARCHAR,
     nullable BOOLEAN, default_sql VARCHAR, comment VARCHAR, default_duck VARCHAR, primary_key BOOLEAN,
     unique_key BOOLEAN)`,
  // Added after the first release: a data folder written before it gains the column.
  `ALTER TABLE ${META}.columns ADD COLUMN IF NOT EXISTS identity VARCHAR`,
];

/** Catalog column rows written per INSERT statement. */
const COLUMNS_PER_INSERT = 500;

/** The in-memory catalog, loaded from and written through to DuckDB. */
export class Catalog {
  readonly #objects = new Map<number, CatalogObject>();
  readonly #byName = new Map<string, CatalogObject>();
  readonly #databases = new Map<string, { createdOn: Date; comment: string | null }>();
  readonly #schemas = new Map<string, CatalogSchema>();
  #nextId = 1;

  /** Creates the catalog tables if needed and loads everything. */
  static async open(s: LaneSession): Promise<Catalog> {
    for (const ddl of CATALOG_DDL) await s.run(ddl);
    const c = new Catalog();
    for (const r of (await s.all(`SELECT name, created_on, comment FROM ${META}.databases`)).rows) {
      c.#databases.set(String(r[0]), {
        createdOn: new Date(r[1] as Date),
        comment: r[2] as string | null,
      });
    }
    for (
      const r of (await s.all(`SELECT database, name, created_on, comment FROM ${META}.schemas`))
        .rows
    ) {
      const sc: CatalogSchema = {
        database: String(r[0]),
        name: String(r[1]),
        createdOn: new Date(r[2] as Date),
        comment: r[3] as string | null,
      };
      c.#schemas.set(`${sc.database}\u0000${sc.name}`, sc);
    }
    const columns = new Map<number, CatalogColumn[]>();
    for (
      const r of (await s.all(
        `SELECT object_id, name, type, nullable, default_sql, comment, default_duck, primary_key, unique_key,
           identity FROM ${META}.columns ORDER BY object_id, ordinal`,
      )).rows
    ) {
      const id = Number(r[0]);
      const list = columns.get(id) ?? [];
      list.push({
        name: String(r[1]),
        type: parseStoredType(String(r[2])),
        nullable: r[3] !== false,
        defaultSql: r[4] as string | null,
        comment: r[5] as string | null,
        defaultDuck: r[6] as string | null,
        primaryKey: r[7] === true,
        unique: r[8] === true,
        ...(r[9] ? { identity: JSON.parse(String(r[9])) as ColumnIdentity } : {}),
      });
      columns.set(id, list);
    }
    for (
      const r of (await s.all(
        `SELECT id, database, schema, name, kind, created_on, owner, comment, definition, props FROM ${META}.objects`,
      )).rows
    ) {
      const o: CatalogObject = {
        id: Number(r[0]),
        database: String(r[1]),
        schema: String(r[2]),
        name: String(r[3]),
        kind: String(r[4]) as ObjectKind,
        createdOn: new Date(r[5] as Date),
        owner: String(r[6] ?? ""),
        comment: r[7] as string | null,
        definition: r[8] as string | null,
        props: r[9] ? JSON.parse(String(r[9])) : {},
        columns: columns.get(Number(r[0])) ?? [],
      };
      c.#add(o);
      c.#nextId = Math.max(c.#nextId, o.id + 1);
    }
    return c;
  }

  #add(o: CatalogObject): void {
    this.#objects.set(o.id, o);
    this.#byName.set(key(o.database, o.schema, o.name, namespaceOf(o.kind)), o);
  }

  #remove(o: CatalogObject): void {
    this.#objects.delete(o.id);
    const k = key(o.database, o.schema, o.name, namespaceOf(o.kind));
    if (this.#byName.get(k) === o) this.#byName.delete(k);
  }

  /** Every object, in creation order. */
  objects(): CatalogObject[] {
    return [...this.#objects.values()].sort((a, b) => a.id - b.id);
  }

  byId(id: number): CatalogObject | undefined {
    return this.#objects.get(id);
  }

  /** An object by its full name in a namespace. */
  find(database: string, schema: string, name: string, ns: string): CatalogObject | undefined {
    return this.#byName.get(key(database, schema, name, ns));
  }

  hasDatabase(name: string): boolean {
    return this.#databases.has(name);
  }

  hasSchema(database: string, name: string): boolean {
    return this.#schemas.has(`${database}\u0000${name}`);
  }

  databases(): { name: string; createdOn: Date; comment: string | null }[] {
    return [...this.#databases].map(([name, d]) => ({ name, ...d }));
  }

  schemas(database?: string): CatalogSchema[] {
    return [...this.#schemas.values()].filter((s) =>
      database === undefined || s.database === database
    );
  }

  /** Creates a database (and its PUBLIC schema) unless it exists. */
  async createDatabase(
    s: LaneSession,
    name: string,
    comment: string | null = null,
  ): Promise<boolean> {
    if (this.#databases.has(name)) return false;
    const now = new Date();
    await s.run(`INSERT INTO ${META}.databases VALUES (?, ?, ?)`, [
      name,
      now.toISOString(),
      comment,
    ]);
    this.#databases.set(name, { createdOn: now, comment });
    await this.createSchema(s, name, "PUBLIC");
    return true;
  }

  /** Creates a schema (a DuckDB schema `"DB.SCHEMA"`) unless it exists. */
  async createSchema(
    s: LaneSession,
    database: string,
    name: string,
    comment: string | null = null,
  ): Promise<boolean> {
    if (this.hasSchema(database, name)) return false;
    const now = new Date();
    await s.run(`CREATE SCHEMA IF NOT EXISTS ${qi(duckSchema(database, name))}`);
    await s.run(`INSERT INTO ${META}.schemas VALUES (?, ?, ?, ?)`, [
      database,
      name,
      now.toISOString(),
      comment,
    ]);
    this.#schemas.set(`${database}\u0000${name}`, { database, name, createdOn: now, comment });
    return true;
  }

  /** Drops a schema and everything in it (the caller dropped the objects' data). */
  async dropSchema(s: LaneSession, database: string, name: string): Promise<void> {
    for (const o of this.objects().filter((o) => o.database === database && o.schema === name)) {
      await this.remove(s, o);
    }
    await s.run(`DROP SCHEMA IF EXISTS ${qi(duckSchema(database, name))} CASCADE`);
    await s.run(`DELETE FROM ${META}.schemas WHERE database = ? AND name = ?`, [database, name]);
    this.#schemas.delete(`${database}\u0000${name}`);
  }

  async dropDatabase(s: LaneSession, name: string): Promise<void> {
    for (const sc of this.schemas(name)) await this.dropSchema(s, name, sc.name);
    await s.run(`DELETE FROM ${META}.databases WHERE name = ?`, [name]);
    this.#databases.delete(name);
  }

  /** Records a new object (its data, if any, is the caller's to create in the same transaction). */
  async add(
    s: LaneSession,
    o: Omit<CatalogObject, "id" | "createdOn"> & { createdOn?: Date },
  ): Promise<CatalogObject> {
    const obj: CatalogObject = { ...o, id: this.#nextId++, createdOn: o.createdOn ?? new Date() };
    await s.run(
      `INSERT INTO ${META}.objects VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        obj.id,
        obj.database,
        obj.schema,
        obj.name,
        obj.kind,
        obj.createdOn.toISOString(),
        obj.owner,
        obj.comment,
        obj.definition,
        JSON.stringify(obj.props),
      ],
    );
    await this.#writeColumns(s, obj);
    this.#add(obj);
    return obj;
  }

  async #writeColumns(s: LaneSession, o: CatalogObject): Promise<void> {
    await s.run(`DELETE FROM ${META}.columns WHERE object_id = ?`, [o.id]);
    // Many rows per statement: a statement costs DuckDB milliseconds, and the catalog rewrites an
    // object's columns on every change of its properties.
    for (let from = 0; from < o.columns.length; from += COLUMNS_PER_INSERT) {
      const part = o.columns.slice(from, from + COLUMNS_PER_INSERT);
      await s.run(
        `INSERT INTO ${META}.columns VALUES ${
          part.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")
        }`,
        part.flatMap((c, k) => [
          o.id,
          from + k,
          c.name,
          formatSfType(c.type),
          c.nullable,
          c.defaultSql,
          c.comment,
          c.defaultDuck ?? null,
          c.primaryKey ?? false,
          c.unique ?? false,
          c.identity ? JSON.stringify(c.identity) : null,
        ]),
      );
    }
  }

  /** Writes an object's changed properties, comment or columns. */
  async update(s: LaneSession, o: CatalogObject): Promise<void> {
    await s.run(`UPDATE ${META}.objects SET comment = ?, props = ? WHERE id = ?`, [
      o.comment,
      JSON.stringify(o.props),
      o.id,
    ]);
    await this.#writeColumns(s, o);
  }

  /** Renames an object in its schema (same id, so its data and history stay); returns it. */
  async rename(s: LaneSession, o: CatalogObject, name: string): Promise<CatalogObject> {
    await s.run(`UPDATE ${META}.objects SET name = ? WHERE id = ?`, [name, o.id]);
    this.#remove(o);
    const renamed: CatalogObject = { ...o, name };
    this.#add(renamed);
    return renamed;
  }

  /** Removes an object from the catalog (its data is the caller's to drop). */
  async remove(s: LaneSession, o: CatalogObject): Promise<void> {
    await s.run(`DELETE FROM ${META}.objects WHERE id = ?`, [o.id]);
    await s.run(`DELETE FROM ${META}.columns WHERE object_id = ?`, [o.id]);
    this.#remove(o);
  }

  /** Undoes in-memory changes after a failed transaction: reloads from DuckDB. */
  async reload(s: LaneSession): Promise<void> {
    const fresh = await Catalog.open(s);
    this.#objects.clear();
    this.#byName.clear();
    this.#databases.clear();
    this.#schemas.clear();
    for (const [k, v] of fresh.#databases) this.#databases.set(k, v);
    for (const [k, v] of fresh.#schemas) this.#schemas.set(k, v);
    for (const o of fresh.#objects.values()) this.#add(o);
    this.#nextId = Math.max(this.#nextId, fresh.#nextId);
  }
}

/** Parses a type as the catalog stores it (`NUMBER(38,0)`, `VARCHAR(255)`, `TIMESTAMP_NTZ(9)`). */
export function parseStoredType(text: string): SfType {
  const m = /^([A-Z_ ]+?)(?:\((\d+)(?:,(\d+))?\))?$/.exec(text.trim());
  if (!m) return sfType("VARCHAR");
  const args = [m[2], m[3]].filter((x) => x !== undefined).map(Number);
  return sfType(m[1], args);
}

/** The DuckDB table of a catalog object. */
export function tableOf(o: { database: string; schema: string; name: string }): string {
  return duckTable(o.database, o.schema, o.name);
}

/** The change log table of an object: old versions of updated and deleted rows. */
export function changeLogOf(o: { id: number }): string {
  return `${META}.${qi(`log_${o.id}`)}`;
}

export { qs };
