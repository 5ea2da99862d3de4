/**
 * The command line: parses it and hands over to the command (see `main.ts`, which loads this
 * module only on the main thread).
 *
 * @module
 */
import { ConfigError, loadConfig, parseArgs } from "../config/load.ts";
import { commandHelp, COMMANDS, findCommand, programHelp } from "./commands.ts";
import { runCommand } from "./dispatch.ts";

/** Runs liftline with `argv` and returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const allSwitches = [...new Set(COMMANDS.flatMap((c) => c.switches))];
    const args = parseArgs(argv, allSwitches);
    if (args.command === "help") {
      console.log(programHelp());
      return 0;
    }
    if (args.command === undefined && args.switches.has("help")) {
      console.log(programHelp());
      return 0;
    }
    const spec = findCommand(args.command ?? "run");
    if (!spec) {
      throw new ConfigError(args.command!, "is not a liftline command (see liftline --help)");
    }
    if (args.switches.has("help")) {
      console.log(commandHelp(spec));
      return 0;
    }
    for (const s of args.switches) {
      if (!spec.switches.includes(s)) {
        throw new ConfigError(
          `--${s}`,
          `is not a flag of '${spec.name}' (see liftline ${spec.name} --help)`,
        );
      }
    }
    const config = loadConfig(args.settings);
    return await runCommand(spec.name, config, args.switches);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`liftline: ${e.message}`);
      return 2;
    }
    console.error(`liftline: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
