/**
 * Reads the raw tables' column lists and types out of the Snowflake DDL in `sql/tables.sql` (the
 * one source of the schema), so that the emulator's warehouse and its pipes' column matching can
 * never drift from what `liftline setup` creates in a real account.
 *
 * @module
 */

/** A Snowflake column type as far as the emulator's COPY coercion cares. */
export type ColumnType =
  | { readonly kind: "varchar"; readonly length: number }
  | { readonly kind: "number"; readonly precision: number; readonly scale: number }
  | { readonly kind: "float" }
  | { readonly kind: "boolean" }
  | { readonly kind: "timestamp" }
  | { readonly kind: "date" }
  | { readonly kind: "variant" };

/** One column: its stored (upper-case for unquoted) name, type and the DDL's spelling of it. */
export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
  /** The type as written in the DDL, normalised (e.g. `DECIMAL(7,2)`), for error messages. */
  readonly typeText: string;
}

/** One table of the DDL. */
export interface TableDef {
  readonly name: string;
  readonly columns: readonly ColumnDef[];
}

/** Snowflake's maximum VARCHAR length, the length of a VARCHAR without one. */
export const MAX_VARCHAR_LENGTH = 16_777_216;

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;
const CREATE_TABLE = new RegExp(
  String
    .raw`CREATE\s+(?:OR\s+REPLACE\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?((?:${IDENT}\.){0,2}${IDENT})\s*\(`,
  "gi",
);

/** Unquoted identifiers are stored upper-case; quoted ones keep their spelling. */
function identifierName(raw: string): string {
  const last = raw.match(new RegExp(`${IDENT}$`))![0];
  return last.startsWith('"') ? last.slice(1, -1).replaceAll('""', '"') : last.toUpperCase();
}

function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, "").replace(/\/\*[\s\S]*?\*\//g, "");
}

/** The text between the "(" at `open` and its matching ")". */
function parenthesised(sql: string, open: number): { body: string; end: number } {
  let depth = 0;
  for (let i = open; i < sql.length; i++) {
    const ch = sql[i];
    if (ch === "(") depth++;
    else if (ch === ")" && --depth === 0) return { body: sql.slice(open + 1, i), end: i };
  }
  throw new Error("unbalanced parentheses in table DDL");
}

function splitTopLevel(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const ch = list[i];
    if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (ch === "," && depth === 0) {
      parts.push(list.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(list.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

/** Parses one type name with its optional arguments, e.g. `DECIMAL(7,2)`. */
export function parseColumnType(text: string): { type: ColumnType; typeText: string } {
  const m = text.trim().match(/^([A-Za-z_][A-Za-z0-9_ ]*?)\s*(?:\(\s*([0-9,\s]*)\))?$/);
  if (!m) throw new Error(`unsupported column type: ${text}`);
  const name = m[1].toUpperCase().replace(/\s+/g, " ");
  const args = m[2] === undefined ? [] : m[2].split(",").map((a) => Number(a.trim()));
  if (args.some((a) => !Number.isInteger(a))) throw new Error(`bad type arguments: ${text}`);
  const typeText = args.length ? `${name}(${args.join(",")})` : name;
  switch (name) {
    case "VARCHAR":
    case "STRING":
    case "TEXT":
    case "CHAR":
    case "CHARACTER": {
      const length = args[0] ?? (name === "CHAR" || name === "CHARACTER" ? 1 : MAX_VARCHAR_LENGTH);
      return { type: { kind: "varchar", length }, typeText };
    }
    case "NUMBER":
    case "DECIMAL":
    case "NUMERIC": {
      const precision = args[0] ?? 38;
      const scale = args[1] ?? 0;
      if (precision < 1 || precision > 38 || scale < 0 || scale > precision) {
        throw new Error(`bad precision or scale: ${text}`);
      }
      return { type: { kind: "number", precision, scale }, typeText };
    }
    case "INT":
    case "INTEGER":
    case "BIGINT":
    case "SMALLINT":
    case "TINYINT":
    case "BYTEINT":
      return { type: { kind: "number", precision: 38, scale: 0 }, typeText };
    case "FLOAT":
    case "FLOAT4":
    case "FLOAT8":
    case "DOUBLE":
    case "DOUBLE PRECISION":
    case "REAL":
      return { type: { kind: "float" }, typeText };
    case "BOOLEAN":
      return { type: { kind: "boolean" }, typeText };
    case "DATETIME":
    case "TIMESTAMP":
    case "TIMESTAMP_NTZ":
      return { type: { kind: "timestamp" }, typeText };
    case "DATE":
      return { type: { kind: "date" }, typeText };
    case "VARIANT":
    case "OBJECT":
    case "ARRAY":
      return { type: { kind: "variant" }, typeText };
    default:
      throw new Error(`unsupported column type: ${text}`);
  }
}

/**
 * Parses every `CREATE TABLE` statement of `sql` into its columns and types. Constraints after the
 * type (`NOT NULL`, `DEFAULT …`) are ignored: the emulator only needs names and types.
 */
export function parseTableDefinitions(sql: string): TableDef[] {
  const text = stripComments(sql);
  const tables: TableDef[] = [];
  for (const m of text.matchAll(CREATE_TABLE)) {
    const open = m.index! + m[0].length - 1;
    const { body } = parenthesised(text, open);
    const columns: ColumnDef[] = [];
    for (const part of splitTopLevel(body)) {
      const cm = part.match(new RegExp(`^(${IDENT})\\s+(.+)$`, "s"));
      if (!cm) throw new Error(`cannot parse column definition: ${part}`);
      if (/^(CONSTRAINT|PRIMARY|UNIQUE|FOREIGN)$/i.test(cm[1])) continue;
      // The type is everything up to the first constraint keyword.
      const typePart = cm[2].split(
        /\s+(?:NOT\s+NULL|NULL|DEFAULT|COLLATE|COMMENT|PRIMARY|UNIQUE|AUTOINCREMENT|IDENTITY)\b/i,
      )[0];
      const { type, typeText } = parseColumnType(typePart);
      columns.push({ name: identifierName(cm[1]), type, typeText });
    }
    if (!columns.length) throw new Error(`table ${m[1]} has no columns`);
    tables.push({ name: identifierName(m[1]), columns });
  }
  return tables;
}

/** SQLite storage class agreed for each Snowflake type (see `warehouse.ts`). */
export function sqliteType(type: ColumnType): "TEXT" | "INTEGER" | "REAL" {
  switch (type.kind) {
    case "number":
      return type.scale === 0 ? "INTEGER" : "REAL";
    case "float":
      return "REAL";
    case "boolean":
      return "INTEGER";
    default:
      return "TEXT";
  }
}
