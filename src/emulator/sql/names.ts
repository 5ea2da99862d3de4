/**
 * Resolving a partial object name (`T`, `S.T`, `D.S.T`) against the session's current database and
 * schema, as Snowflake does.
 *
 * @module
 */
import { SQL_ERRORS } from "./errors.ts";

/** A fully qualified object name. */
export interface FullName {
  readonly database: string;
  readonly schema: string;
  readonly name: string;
}

/** Where unqualified names resolve. */
export interface NameContext {
  readonly database: string | null;
  readonly schema: string | null;
}

/** Qualifies `parts` with the session's database and schema. */
export function qualify(parts: readonly string[], ctx: NameContext): FullName {
  if (parts.length === 3) return { database: parts[0], schema: parts[1], name: parts[2] };
  if (parts.length === 2) {
    if (!ctx.database) throw noCurrent("database", parts.join("."));
    return { database: ctx.database, schema: parts[0], name: parts[1] };
  }
  if (parts.length === 1) {
    if (!ctx.database) throw noCurrent("database", parts[0]);
    if (!ctx.schema) throw noCurrent("schema", parts[0]);
    return { database: ctx.database, schema: ctx.schema, name: parts[0] };
  }
  throw SQL_ERRORS.syntax(`invalid object name '${parts.join(".")}'.`);
}

function noCurrent(what: string, name: string) {
  return SQL_ERRORS.doesNotExist(
    `${name}' (Cannot perform operation. This session does not have a current ${what}. Call 'USE ${what.toUpperCase()}', or use a qualified name.)`,
  );
}

/** `D.S.N` as Snowflake prints a qualified name. */
export function fullText(n: FullName): string {
  return `${n.database}.${n.schema}.${n.name}`;
}
