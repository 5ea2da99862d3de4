/**
 * Why tests are skipped on this machine. Deno's own output says only "ignored"; a test module
 * that skips tests for a reason (`Deno.test({ ignore: … })`) records it here, and `.ci/run`
 * prints each skipped test's name with it (and counts them in its last line). It writes to the
 * file named by `LIFTLINE_SKIP_LOG`, one line per module: the module's path, a tab, the reason.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { relative } from "node:path";

/** The environment variable `.ci/run` sets to the file it reads. */
export const SKIP_LOG = "LIFTLINE_SKIP_LOG";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Records that the tests `module` skips here are skipped because of `reason`. `module` is the
 * test file's URL (`import.meta.url`) or path.
 */
export function recordSkip(module: string, reason: string): void {
  const log = Deno.env.get(SKIP_LOG);
  if (!log) return;
  const path = module.startsWith("file:") ? fileURLToPath(module) : module;
  const line = `./${relative(ROOT, path)}\t${reason.replace(/\s+/g, " ").trim()}\n`;
  Deno.writeTextFileSync(log, line, { append: true });
}

/**
 * The test module (a `*_test.ts` file) on the current call stack: for a helper that decides, for
 * whichever test module calls it, that its tests cannot run here.
 */
export function callingTestModule(): string | undefined {
  const stack = new Error().stack ?? "";
  for (const m of stack.matchAll(/(file:\/\/\/[^\s)]+?_test\.ts):\d+:\d+/g)) return m[1];
  return undefined;
}
