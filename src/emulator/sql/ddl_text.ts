/**
 * GET_DDL: the DDL that recreates a catalog object, in the shape Snowflake returns it (a lower-case
 * `create or replace`, the kind as Snowflake spells it, a table's columns one per tab-indented
 * line, a closing `;`). Views and dynamic tables keep the query text they were created with.
 *
 * @module
 */
import { keysOf, SYSTEM_CONSTRAINT } from "../warehouse/keys.ts";
import type { CatalogColumn, CatalogObject } from "../warehouse/catalog.ts";
import { formatSfType } from "../warehouse/types.ts";
import type { TargetLag } from "./parser.ts";

/**
 * The DDL of a schema and of everything in it, in the order the objects were created (which is
 * an order in which they can be created again: what one reads existed before it).
 */
export function schemaDdl(
  objects: readonly CatalogObject[],
  database: string,
  schema: string,
  qualified = false,
): string {
  const inside = objects
    .filter((o) => o.database === database && o.schema === schema)
    .sort((a, b) => a.id - b.id)
    .map((o) => ddlText(o, qualified));
  const name = qualified ? `${ident(database)}.${ident(schema)}` : ident(schema);
  return [`create or replace schema ${name};`, ...inside].join("\n\n");
}

/** Object types GET_DDL takes, as its first argument names them, to the catalog's kinds. */
export const DDL_KINDS: Readonly<Record<string, readonly CatalogObject["kind"][]>> = {
  TABLE: ["TABLE", "DYNAMIC TABLE"],
  DYNAMIC_TABLE: ["DYNAMIC TABLE"],
  VIEW: ["VIEW"],
  PIPE: ["PIPE"],
  STREAM: ["STREAM"],
  SEQUENCE: ["SEQUENCE"],
};

/** An identifier as Snowflake writes it in DDL: bare when it can be, else double-quoted. */
function ident(name: string): string {
  return /^[A-Z_][A-Z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

/** A string literal. */
function str(text: string): string {
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

function columnLine(c: CatalogColumn): string {
  let line = `\t${ident(c.name)} ${formatSfType(c.type)}`;
  // A primary key's columns are NOT NULL, and shown so.
  if (!c.nullable) line += " NOT NULL";
  if (c.identity) {
    line += ` autoincrement start ${c.identity.start} increment ${c.identity.increment} ${
      c.identity.ordered ? "order" : "noorder"
    }`;
  } else if (c.defaultSql) line += ` DEFAULT ${c.defaultSql}`;
  if (c.comment !== null) line += ` COMMENT ${str(c.comment)}`;
  return line;
}

function tableDdl(o: CatalogObject, name: string): string {
  const lines = o.columns.map(columnLine);
  for (const key of keysOf(o)) {
    // A name of one's own is kept; a system name is Snowflake's to give again.
    const named = key.name.startsWith(SYSTEM_CONSTRAINT) ? "" : `constraint ${ident(key.name)} `;
    const columns = key.columns.map(ident).join(", ");
    lines.push(`\t${named}${key.kind === "PRIMARY KEY" ? "primary key" : "unique"} (${columns})`);
  }
  const comment = o.comment !== null ? ` COMMENT=${str(o.comment)}` : "";
  return `create or replace TABLE ${name} (\n${lines.join(",\n")}\n)${comment};`;
}

function dynamicTableDdl(o: CatalogObject, name: string): string {
  const lag = o.props.targetLag as TargetLag | string | undefined;
  const lagText = typeof lag === "string"
    ? lag
    : lag?.kind === "duration"
    ? `'${lag.text}'`
    : "DOWNSTREAM";
  const columns = o.columns.map((c) =>
    `\t${ident(c.name)}${c.comment !== null ? ` COMMENT ${str(c.comment)}` : ""}`
  ).join(",\n");
  const kind = o.props.transient ? "transient dynamic table" : "dynamic table";
  const comment = o.comment !== null ? `\n COMMENT=${str(o.comment)}` : "";
  return `create or replace ${kind} ${name}(\n${columns}\n) target_lag = ${lagText}` +
    ` refresh_mode = ${String(o.props.requestedMode ?? "AUTO")} initialize = ${
      String(o.props.initialize ?? "ON_CREATE")
    } warehouse = ${String(o.props.warehouse ?? "")}${comment}\n as ${
      String(o.definition ?? "").trim().replace(/;\s*$/, "")
    };`;
}

/**
 * The DDL of `o`; with `qualified` (GET_DDL's third argument), the object's name is written with
 * its database and schema.
 */
export function ddlText(o: CatalogObject, qualified = false): string {
  const name = qualified ? [o.database, o.schema, o.name].map(ident).join(".") : ident(o.name);
  const query = String(o.definition ?? "").trim().replace(/;\s*$/, "");
  switch (o.kind) {
    case "TABLE":
      return tableDdl(o, name);
    case "DYNAMIC TABLE":
      return dynamicTableDdl(o, name);
    case "VIEW":
      return `create or replace ${o.props.secure ? "secure " : ""}view ${name}${
        o.comment !== null ? ` COMMENT=${str(o.comment)}` : ""
      } as ${query};`;
    case "PIPE":
      return `create or replace pipe ${name} as ${query};`;
    case "STREAM":
      return `create or replace stream ${name} on ${
        o.props.sourceKind === "DYNAMIC TABLE" ? "dynamic table" : "table"
      } ${String(o.props.sourceName ?? "")}${o.props.appendOnly ? " append_only = true" : ""};`;
    case "SEQUENCE":
      return `create or replace sequence ${name} start with ${Number(o.props.start)} increment by ${
        Number(o.props.increment)
      } ${o.props.ordered ? "order" : "noorder"};`;
    case "FUNCTION":
      return String(o.props.text ?? o.definition ?? "");
  }
}
