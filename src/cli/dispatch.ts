/**
 * Runs a parsed command with its configuration. Each command's wiring lives in its own module;
 * this only picks one.
 *
 * @module
 */
import type { Config } from "../config/load.ts";
import { ConfigError } from "../config/load.ts";
import { formatKeygen, keygen } from "./keygen.ts";
import { keyPairToken } from "./jwt.ts";
import { runRole } from "./roles.ts";

/** Runs `command` and returns its exit code. */
export async function runCommand(
  command: string,
  config: Config,
  switches: ReadonlySet<string>,
): Promise<number> {
  switch (command) {
    case "keygen": {
      try {
        console.log(formatKeygen(await keygen(config, switches.has("force"))));
        return 0;
      } catch (e) {
        if (e instanceof Deno.errors.AlreadyExists) {
          throw new ConfigError(
            "DATA_DIR",
            `already holds a key pair (${e.message}); pass --force to replace it`,
          );
        }
        throw e;
      }
    }
    case "jwt":
      console.log(await keyPairToken(config));
      return 0;
    default:
      return await runRole(command, config, switches);
  }
}
