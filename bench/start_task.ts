/**
 * How `deno task start` runs liftline, read from `deno.json`, so that the benchmarks that start
 * the program measure it as users run it: the environment the task sets (`GLIBC_TUNABLES`) and
 * the V8 flags it passes (see "Memory" in the README).
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** The environment and runtime flags of a `deno run` task. */
export interface TaskRuntime {
  /** `NAME=value` assignments before the command. */
  readonly env: Readonly<Record<string, string>>;
  /** The command's `--v8-flags=…` arguments, as written. */
  readonly v8Flags: readonly string[];
}

/** Splits a task's command line (deno.json tasks use plain words here: no quotes). */
export function taskRuntime(command: string): TaskRuntime {
  const words = command.trim().split(/\s+/);
  const env: Record<string, string> = {};
  let i = 0;
  for (; i < words.length; i++) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(words[i]);
    if (!m) break;
    env[m[1]] = m[2];
  }
  const v8Flags = words.slice(i).filter((w) => w.startsWith("--v8-flags="));
  return { env, v8Flags };
}

/** `deno.json`'s tasks. */
export async function denoTasks(): Promise<Record<string, string>> {
  const text = await Deno.readTextFile(new URL("../deno.json", import.meta.url));
  return (JSON.parse(text) as { tasks: Record<string, string> }).tasks;
}

/** The `start` task's environment and V8 flags. */
export async function startRuntime(): Promise<TaskRuntime> {
  return taskRuntime((await denoTasks()).start);
}

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));

/**
 * `liftline <args>` as a child process, run as `runtime` says (its V8 flags, its environment
 * under `options.env`), with every permission.
 */
export function liftlineCommand(
  runtime: TaskRuntime,
  args: readonly string[],
  options: Omit<Deno.CommandOptions, "args"> = {},
): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    ...options,
    args: ["run", ...runtime.v8Flags, "--allow-all", MAIN, ...args],
    env: { ...runtime.env, RUST_BACKTRACE: "0", ...options.env },
  });
}
