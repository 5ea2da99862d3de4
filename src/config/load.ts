/**
 * Reads settings from flags, the environment and `.env` (flags win, then the environment, then
 * `.env`), validates them with the one schema and derives what the roles need.
 *
 * @module
 */
import { FaultSpecError, parseFaults } from "../emulator/faults.ts";
import { parseEnv } from "node:util";
import { join, resolve } from "node:path";
import {
  configSchema,
  type RawConfig,
  SECRET_SETTINGS,
  SETTING_NAMES,
  type Speed,
} from "./schema.ts";
import { ConfigError } from "./error.ts";

export { ConfigError } from "./error.ts";

export { type TableName, TABLES } from "./tables.ts";
import type { TableName } from "./tables.ts";

/** Which Snowflake the program talks to. */
export type Target = "local" | "snowflake";

/** Validated settings plus the values derived from them. */
export interface Config extends RawConfig {
  /** `local` (embedded emulator) or `snowflake` (a real account). */
  readonly target: Target;
  /** Absolute data folder. */
  readonly dataDir: string;
  /** Pipe name per raw table. */
  readonly pipes: Readonly<Record<TableName, string>>;
  /** Speed as parsed. */
  readonly SPEED: Speed;
}

/** Flags that are switches (no value), per command; they are not settings. */
export interface ParsedArgs {
  /** The command, or undefined when none was given. */
  command?: string;
  /** Settings given as flags, by setting name. */
  settings: Record<string, string>;
  /** Switches such as `--help`, `--drain`, `--apply`. */
  switches: Set<string>;
}

const FLAG_TO_SETTING = new Map(
  SETTING_NAMES.map((name) => [name.toLowerCase().replaceAll("_", "-"), name as string]),
);

/**
 * Splits argv into a command, setting flags (`--speed MAX`, `--speed=MAX`) and switches.
 * `allowedSwitches` lists switches the command accepts; anything else is a usage error.
 */
export function parseArgs(
  argv: readonly string[],
  allowedSwitches: readonly string[] = [],
): ParsedArgs {
  const settings: Record<string, string> = {};
  const switches = new Set<string>();
  let command: string | undefined;
  const known = new Set(["help", "quiet", ...allowedSwitches]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h") {
      switches.add("help");
      continue;
    }
    if (!arg.startsWith("--")) {
      if (command === undefined && !arg.startsWith("-")) {
        command = arg;
        continue;
      }
      throw new ConfigError(arg, "is not a flag or command this program knows");
    }
    const eq = arg.indexOf("=");
    const name = (eq === -1 ? arg.slice(2) : arg.slice(2, eq)).toLowerCase();
    const setting = FLAG_TO_SETTING.get(name);
    if (setting && !(name === "quiet" && eq === -1)) {
      let value: string | undefined;
      if (eq !== -1) value = arg.slice(eq + 1);
      else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) value = argv[++i];
      if (value === undefined) throw new ConfigError(`--${name}`, "needs a value");
      settings[setting] = value;
      continue;
    }
    if (known.has(name)) {
      if (eq !== -1) throw new ConfigError(`--${name}`, "takes no value");
      if (name === "quiet") settings.QUIET = "true";
      else switches.add(name);
      continue;
    }
    throw new ConfigError(`--${name}`, "is not a flag this command knows (see --help)");
  }
  return { command, settings, switches };
}

/** Reads `.env` from the working folder; a missing file is no error. */
export function readDotEnv(path = ".env"): Record<string, string | undefined> {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return {};
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) return {};
    throw new ConfigError(path, `cannot be read as a settings file: ${(e as Error).message}`);
  }
  return { ...parseEnv(text) };
}

/** Environment variables that matter to liftline, without touching any other. */
export function readEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of SETTING_NAMES) {
    try {
      const v = Deno.env.get(name);
      if (v !== undefined) out[name] = v;
    } catch {
      // Without env permission the environment simply contributes nothing.
    }
  }
  return out;
}

/**
 * Validates merged settings. Sources are applied lowest first: `.env`, then the environment,
 * then flags. Throws {@link ConfigError} naming the first bad variable.
 */
export function buildConfig(...sources: Record<string, string | undefined>[]): Config {
  const merged: Record<string, string | undefined> = {};
  for (const source of sources) {
    for (const [k, v] of Object.entries(source)) if (v !== undefined) merged[k] = v;
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? "configuration");
    // Never echo a secret, and never echo raw input in general: the message names the rule.
    throw new ConfigError(name, SECRET_SETTINGS.has(name) ? "is invalid" : issue.message);
  }
  const raw = parsed.data;
  const target: Target = raw.TARGET ?? (raw.SNOWFLAKE_ACCOUNT ? "snowflake" : "local");
  if (target === "snowflake" && !raw.SNOWFLAKE_ACCOUNT) {
    throw new ConfigError("SNOWFLAKE_ACCOUNT", "is required when TARGET is snowflake");
  }
  if (raw.PRIVATE_KEY && raw.PRIVATE_KEY_FILE) {
    throw new ConfigError("PRIVATE_KEY_FILE", "cannot be combined with PRIVATE_KEY; set only one");
  }
  if (raw.PRIVATE_KEY && !/-----BEGIN (RSA |ENCRYPTED )?PRIVATE KEY-----/.test(raw.PRIVATE_KEY)) {
    throw new ConfigError(
      "PRIVATE_KEY",
      "must be PEM text starting with -----BEGIN PRIVATE KEY-----",
    );
  }
  if (raw.EMULATOR_FAULTS) {
    // Checked here, before anything starts, as every other setting is.
    try {
      parseFaults(raw.EMULATOR_FAULTS);
    } catch (e) {
      if (e instanceof FaultSpecError) throw new ConfigError(e.variable, e.problem);
      throw e;
    }
  }
  if (raw.START_TIME && raw.UNTIL && raw.UNTIL.getTime() <= raw.START_TIME.getTime()) {
    throw new ConfigError("UNTIL", "must be later than START_TIME");
  }
  return {
    ...raw,
    target,
    dataDir: resolve(raw.DATA_DIR),
    pipes: {
      RESORT_TICKET: raw.RESORT_TICKET_PIPE_NAME,
      SEASON_PASS: raw.SEASON_PASS_PIPE_NAME,
      LIFT_RIDE: raw.LIFT_RIDE_PIPE_NAME,
    },
  };
}

/** Loads the configuration for a command line: `.env`, environment, then flags. */
export function loadConfig(flags: Record<string, string>): Config {
  const config = buildConfig(readDotEnv(), readEnv(), flags);
  checkDataDirAccess(config.dataDir);
  return config;
}

/**
 * DATA_DIR must be a folder this process may read and write. `deno task start` grants ./data
 * only; without this check a folder elsewhere failed later with Deno's advice to add a flag,
 * which a task cannot take.
 */
function checkDataDirAccess(dir: string): void {
  for (const name of ["read", "write"] as const) {
    if (Deno.permissions.querySync({ name, path: dir }).state === "granted") continue;
    throw new ConfigError(
      "DATA_DIR",
      `${dir} is outside the folders liftline may ${name} here (deno task start and dev ` +
        `allow ./data): choose a folder under ./data, or run main.ts with ` +
        `--allow-read=${dir} --allow-write=${dir}`,
    );
  }
}

/** Path of a file inside the data folder. */
export function dataPath(config: Pick<Config, "dataDir">, name: string): string {
  return join(config.dataDir, name);
}

/**
 * The PEM private key to sign with: `PRIVATE_KEY`, else `PRIVATE_KEY_FILE`, else (local target
 * only) the data folder's `rsa_key.p8`. Returns undefined when none is configured.
 */
export async function readPrivateKey(config: Config): Promise<string | undefined> {
  if (config.PRIVATE_KEY) return config.PRIVATE_KEY;
  const file = config.PRIVATE_KEY_FILE ??
    (config.target === "local" ? dataPath(config, "rsa_key.p8") : undefined);
  if (!file) return undefined;
  try {
    const pem = await Deno.readTextFile(file);
    if (!/-----BEGIN (RSA |ENCRYPTED )?PRIVATE KEY-----/.test(pem)) {
      throw new ConfigError("PRIVATE_KEY_FILE", "does not hold a PEM private key");
    }
    return pem;
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    if (e instanceof Deno.errors.NotFound && !config.PRIVATE_KEY_FILE) return undefined;
    throw new ConfigError("PRIVATE_KEY_FILE", `cannot be read (${(e as Error).name})`);
  }
}
