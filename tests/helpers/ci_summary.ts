/**
 * The end of `.ci/run`: reads what `deno test` printed (plain text, `NO_COLOR`) and the skip log
 * the test modules wrote (`skip.ts`), and prints each skipped test with its reason, then one line
 * `counts <passed> <failed> <skipped>` for the script to add to its own steps.
 *
 * Usage: `deno run --allow-read tests/helpers/ci_summary.ts <test output> [<skip log>]`. Exits 2
 * when the output has no summary line (the runner itself failed, e.g. a module did not load).
 *
 * @module
 */

/** A test (or step) Deno ignored, and why. */
export interface Skipped {
  /** `./tests/…_test.ts => name` (a step: `name > step`). */
  test: string;
  reason: string;
}

/** What one `deno test` run came to. */
export interface TestSummary {
  passed: number;
  failed: number;
  skipped: Skipped[];
}

const NO_REASON = "ignored by its own definition (no reason recorded: see tests/helpers/skip.ts)";

/** Reads `deno test` output; null when it has no summary line. */
export function summarize(output: string, skipLog = ""): TestSummary | null {
  const reasons = new Map<string, string>();
  for (const line of skipLog.split("\n")) {
    const tab = line.indexOf("\t");
    if (tab > 0) reasons.set(line.slice(0, tab), line.slice(tab + 1));
  }
  const lines = output.split(/\r?\n/);
  const summary = lines.findLast((l) => /^(ok|FAILED) \| \d+ passed/.test(l));
  if (summary === undefined) return null;
  const count = (what: string) => Number(summary.match(new RegExp(`\\| (\\d+) ${what}`))?.[1] ?? 0);

  const skipped: Skipped[] = [];
  let module = "";
  for (const line of lines) {
    // Without --parallel a module's tests follow this line; with it, each line names its module.
    const running = line.match(/^running \d+ tests? from (\S+)$/);
    if (running) module = running[1];
    const ignored = line.match(/^(.*) \.\.\. ignored \([^)]*\)$/);
    if (!ignored) continue;
    const named = ignored[1].match(/^(\.\/\S+) => (.*)$/);
    const [file, name] = named ? [named[1], named[2]] : [module, ignored[1].trim()];
    skipped.push({
      test: `${file} => ${name.replaceAll(" ... ", " > ")}`,
      reason: reasons.get(file) ?? NO_REASON,
    });
  }
  return { passed: count("passed"), failed: count("failed"), skipped };
}

if (import.meta.main) {
  const [outputFile, logFile] = Deno.args;
  const output = await Deno.readTextFile(outputFile);
  const log = logFile ? await Deno.readTextFile(logFile).catch(() => "") : "";
  const s = summarize(output, log);
  if (s === null) Deno.exit(2);
  for (const k of s.skipped) console.log(`skipped ${k.test}: ${k.reason}`);
  console.log(`counts ${s.passed} ${s.failed} ${s.skipped.length}`);
}
