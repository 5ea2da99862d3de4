/**
 * How a test starts a `deno run` child (liftline itself or a test fixture): which environment it
 * gets and which runtime flags.
 *
 * The environment is the test runner's own, so the child uses the same Deno toolchain setup:
 * `DENO_DIR`, `HOME`, `XDG_CACHE_HOME`, `PATH`, proxy variables (`HTTP_PROXY`, `HTTPS_PROXY`,
 * `NO_PROXY`, in either case), certificate variables (`DENO_CERT`, `SSL_CERT_FILE`,
 * `SSL_CERT_DIR`, `NODE_EXTRA_CA_CERTS`) and anything else a CI machine relies on. Only liftline's
 * own settings are left out, so that each test sets exactly the configuration it means.
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { SETTING_NAMES } from "../../src/config/schema.ts";

/** Variables that configure liftline (every setting, plus the debug switch). */
export const LIFTLINE_VARIABLES: ReadonlySet<string> = new Set<string>([
  ...SETTING_NAMES,
  "LIFTLINE_DEBUG",
]);

/**
 * Toolchain variables holding one path. A relative one is made absolute against the test
 * runner's folder, because children often run in a temp folder where it would mean another place
 * (an empty `DENO_DIR` there, say).
 */
const PATH_VARIABLES = [
  "DENO_DIR",
  "XDG_CACHE_HOME",
  "DENO_CERT",
  "SSL_CERT_FILE",
  "NODE_EXTRA_CA_CERTS",
] as const;

/** Set in every child: plain text output, no backtraces, no update notice, no prompts. */
const CHILD_DEFAULTS: Readonly<Record<string, string>> = {
  RUST_BACKTRACE: "0",
  NO_COLOR: "1",
  DENO_NO_UPDATE_CHECK: "1",
  DENO_NO_PROMPT: "1",
};

/**
 * The environment for a child: `from` (default: this process's environment) without liftline's
 * settings, with {@link CHILD_DEFAULTS}, then `extra` on top. Pass it with `clearEnv: true` so the
 * child gets exactly this.
 */
export function childEnv(
  extra: Record<string, string> = {},
  from: Record<string, string> = Deno.env.toObject(),
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(from)) {
    if (!LIFTLINE_VARIABLES.has(name)) env[name] = value;
  }
  for (const name of PATH_VARIABLES) {
    const value = env[name];
    if (value && !isAbsolute(value)) env[name] = resolve(value);
  }
  return { ...env, ...CHILD_DEFAULTS, ...extra };
}

/**
 * `deno run` and its flags for every child.
 *
 * `--cached-only`: the dependencies are installed before the tests run (`.ci/run` runs
 * `deno install --frozen`; a plain `deno test` installs `node_modules/` when it loads the tests),
 * so a child never needs the network. Without it, a child whose `DENO_DIR` lacks the npm
 * registry's metadata fetches it again on every start and prints `Download …` lines on stderr,
 * which the assertions about liftline's own stderr would then see. We chose this over filtering
 * those lines out: their wording is the runtime's, not ours, and may change with any Deno release,
 * while `--cached-only` fails loudly if a dependency were really missing.
 */
export const DENO_RUN: readonly string[] = ["run", "--cached-only", "--allow-all"];
