/**
 * Recognises liftline's own setup statements (sql/*.sql rendered by `liftline setup`) so that
 * `setup --apply` works against the emulator: it already has every object, so each statement is
 * answered as Snowflake answers it for an existing object — but only these exact statements, and
 * only when they name this emulator's database, schema, user, pipes and trusted key.
 *
 * Each rendered statement becomes a pattern: its normalised text with the configurable names
 * turned into capture groups, so a client's warehouse or role name may differ from ours while
 * everything else must match word for word.
 *
 * @module
 */
import {
  normalizeSql,
  type ResortCapacityRow,
  type SetupNames,
  setupScript,
} from "../../../sql/render.ts";
import { SQL_ERRORS, SqlError } from "./result.ts";

/** The names the emulator plays. */
export interface EmulatorSqlNames {
  account: string;
  database: string;
  schema: string;
  user: string;
  pipes: { RESORT_TICKET: string; SEASON_PASS: string; LIFT_RIDE: string };
  /** Base64 body of the trusted public key. */
  publicKeyBody: string;
}

/** A recognised setup statement. */
export interface SetupMatch {
  /** e.g. `CREATE DYNAMIC TABLE DAILY_VISITS`. */
  label: string;
  /** Leading keywords, e.g. `CREATE`, `GRANT`, `ALTER`, `MERGE`, `USE`. */
  verb: string;
  /** The object type and name for CREATE statements, e.g. `DYNAMIC TABLE` and `DAILY_VISITS`. */
  objectType?: string;
  objectName?: string;
  /** `IF NOT EXISTS` or `OR REPLACE`. */
  mode?: "IF NOT EXISTS" | "OR REPLACE";
  /** Captured names by placeholder. */
  names: Record<string, string>;
}

const SENTINEL: Record<string, string> = {
  WAREHOUSE: "ZQXWAREHOUSEZQX",
  ROLE: "ZQXROLEZQX",
  DATABASE: "ZQXDATABASEZQX",
  SCHEMA: "ZQXSCHEMAZQX",
  USER: "ZQXUSERZQX",
  RESORT_TICKET_PIPE: "ZQXPIPERTZQX",
  SEASON_PASS_PIPE: "ZQXPIPESPZQX",
  LIFT_RIDE_PIPE: "ZQXPIPELRZQX",
  RSA_PUBLIC_KEY: "ZQXRSAKEYZQX",
};

interface Pattern {
  regex: RegExp;
  /** Placeholder name of each capture group, in order. */
  groups: string[];
  label: string;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Matches statements against liftline's setup script. */
export class SetupMatcher {
  readonly #patterns: Pattern[] = [];
  readonly #names: EmulatorSqlNames;

  constructor(names: EmulatorSqlNames, resorts: readonly ResortCapacityRow[]) {
    this.#names = names;
    const template: SetupNames = {
      warehouse: SENTINEL.WAREHOUSE,
      role: SENTINEL.ROLE,
      database: SENTINEL.DATABASE,
      schema: SENTINEL.SCHEMA,
      user: SENTINEL.USER,
      pipes: {
        RESORT_TICKET: SENTINEL.RESORT_TICKET_PIPE,
        SEASON_PASS: SENTINEL.SEASON_PASS_PIPE,
        LIFT_RIDE: SENTINEL.LIFT_RIDE_PIPE,
      },
      rsaPublicKey: SENTINEL.RSA_PUBLIC_KEY,
    };
    const bySentinel = new Map(Object.entries(SENTINEL).map(([k, v]) => [v, k]));
    const sentinelRe = new RegExp(Object.values(SENTINEL).join("|"), "g");
    for (const statement of setupScript(template, resorts)) {
      const text = normalizeSql(statement.sql);
      const groups: string[] = [];
      const source = escapeRegex(text).replace(sentinelRe, (s) => {
        const name = bySentinel.get(s)!;
        groups.push(name);
        return name === "RSA_PUBLIC_KEY" ? "([A-Za-z0-9+/=]+)" : '([A-Z_][A-Z0-9_$]*|"[^"]+")';
      });
      this.#patterns.push({ regex: new RegExp(`^${source}$`), groups, label: statement.label });
    }
  }

  /**
   * The setup statement `normalized` is (text from `normalizeSql`), undefined when it is none.
   * Throws {@link SqlError} when it is one but names objects this emulator does not have.
   */
  match(normalized: string): SetupMatch | undefined {
    for (const p of this.#patterns) {
      const m = p.regex.exec(normalized);
      if (!m) continue;
      const names: Record<string, string> = {};
      p.groups.forEach((g, i) => {
        const v = m[i + 1];
        if (names[g] !== undefined && names[g] !== v) {
          throw SQL_ERRORS.unsupported(`${g.toLowerCase()} is named both ${names[g]} and ${v}`);
        }
        names[g] = v;
      });
      this.#check(names);
      const label = p.label.replace(
        new RegExp(Object.values(SENTINEL).join("|"), "g"),
        (s) => names[Object.entries(SENTINEL).find(([, v]) => v === s)![0]] ?? s,
      );
      const create = normalized.match(
        /^CREATE (OR REPLACE )?((?:DYNAMIC )?TABLE|WAREHOUSE|ROLE|DATABASE|SCHEMA|USER|PIPE|VIEW|FUNCTION) (IF NOT EXISTS )?([^ (]+)/,
      );
      return {
        label,
        verb: normalized.split(" ")[0],
        objectType: create?.[2],
        objectName: create?.[4],
        mode: create?.[1] ? "OR REPLACE" : create?.[3] ? "IF NOT EXISTS" : undefined,
        names,
      };
    }
    return undefined;
  }

  #check(names: Record<string, string>): void {
    const n = this.#names;
    const want: Record<string, string> = {
      DATABASE: n.database,
      SCHEMA: n.schema,
      USER: n.user,
      RESORT_TICKET_PIPE: n.pipes.RESORT_TICKET,
      SEASON_PASS_PIPE: n.pipes.SEASON_PASS,
      LIFT_RIDE_PIPE: n.pipes.LIFT_RIDE,
    };
    for (const [k, expected] of Object.entries(want)) {
      const got = names[k];
      if (got !== undefined && got !== expected.toUpperCase()) {
        throw new SqlError(
          "002003",
          "02000",
          `liftline emulator: it plays ${k.toLowerCase().replaceAll("_", " ")} ${expected}, ` +
            `not ${got}; configure the same name to run setup here.`,
        );
      }
    }
    if (names.RSA_PUBLIC_KEY !== undefined && names.RSA_PUBLIC_KEY !== n.publicKeyBody) {
      throw new SqlError(
        "000002",
        "0A000",
        "liftline emulator: it trusts the public key in its data folder (rsa_key.pub) and cannot " +
          "register another one; use that key pair, or point the emulator at yours.",
      );
    }
  }
}
