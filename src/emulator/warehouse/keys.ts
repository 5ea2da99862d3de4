/**
 * A table's declared primary and unique keys, as Snowflake records them (and enforces none but
 * NOT NULL): each with its name (the one given in `CONSTRAINT name`, else a system name) and its
 * columns in the declared order. Kept in the table's catalog properties; SHOW PRIMARY | UNIQUE
 * KEYS, INFORMATION_SCHEMA.TABLE_CONSTRAINTS and GET_DDL read them.
 *
 * @module
 */
import type { CatalogColumn, CatalogObject } from "./catalog.ts";

/** One declared key. */
export interface TableKey {
  /** The constraint's name. */
  readonly name: string;
  readonly kind: "PRIMARY KEY" | "UNIQUE";
  /** Its columns, in the declared order. */
  readonly columns: readonly string[];
}

/** The prefix of the names Snowflake gives constraints declared without one. */
export const SYSTEM_CONSTRAINT = "SYS_CONSTRAINT_";

/** A system name for a constraint declared without one. */
export function systemConstraintName(): string {
  return `${SYSTEM_CONSTRAINT}${crypto.randomUUID()}`;
}

/**
 * The keys of `o`: as recorded, or, for a table recorded before keys were, read from its
 * columns' flags (one primary key in the table's column order, a unique key per column).
 */
export function keysOf(o: CatalogObject): TableKey[] {
  const recorded = o.props.keys;
  if (Array.isArray(recorded)) return recorded as TableKey[];
  const keys: TableKey[] = [];
  const primary = o.columns.filter((c) => c.primaryKey).map((c) => c.name);
  if (primary.length) {
    keys.push({ name: `${SYSTEM_CONSTRAINT}${o.id}`, kind: "PRIMARY KEY", columns: primary });
  }
  for (const c of o.columns.filter((c) => c.unique)) {
    keys.push({
      name: `${SYSTEM_CONSTRAINT}UNIQUE_${c.name}_${o.id}`,
      kind: "UNIQUE",
      columns: [c.name],
    });
  }
  return keys;
}

/** `columns` with their key flags (DESCRIBE's `primary key` and `unique key`) set from `keys`. */
export function withKeyFlags(
  columns: readonly CatalogColumn[],
  keys: readonly TableKey[],
): CatalogColumn[] {
  const inKey = (name: string, kind: TableKey["kind"]) =>
    keys.some((k) => k.kind === kind && k.columns.includes(name));
  return columns.map((c) => ({
    ...c,
    primaryKey: inKey(c.name, "PRIMARY KEY"),
    unique: inKey(c.name, "UNIQUE"),
  }));
}

/** `keys` after column `from` was renamed `to` (or dropped, when `to` is undefined). */
export function keysAfterColumnChange(
  keys: readonly TableKey[],
  from: string,
  to?: string,
): TableKey[] {
  return keys
    .map((k) => ({
      ...k,
      columns: to === undefined
        ? k.columns.filter((c) => c !== from)
        : k.columns.map((c) => (c === from ? to : c)),
    }))
    .filter((k) => k.columns.length > 0);
}
