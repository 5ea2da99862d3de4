import type { Config } from "../config/load.ts";

/** Runs a role command (wired once the roles exist). */
export function runRole(
  command: string,
  _config: Config,
  _switches: ReadonlySet<string>,
): Promise<number> {
  return Promise.reject(new Error(`${command}: not wired yet`));
}
