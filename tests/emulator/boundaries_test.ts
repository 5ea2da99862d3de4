/**
 * The emulator is a peer of Snowflake, not a part of liftline: it imports nothing from the
 * pipeline, the reports, the configuration, the web pages or the SQL under sql/, so that it
 * serves any client and any schema (issue 12, item 6).
 */
import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const EMULATOR = join(ROOT, "src/emulator");
const FORBIDDEN = ["src/reports", "src/generator", "src/config", "src/web", "src/streamer", "sql"];

function* sources(dir: string): Generator<string> {
  for (const e of Deno.readDirSync(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) yield* sources(path);
    else if (e.name.endsWith(".ts")) yield path;
  }
}

Deno.test("src/emulator imports nothing from the pipeline, the reports, config, web or sql/", () => {
  const found: string[] = [];
  for (const file of sources(EMULATOR)) {
    const text = Deno.readTextFileSync(file);
    for (const m of text.matchAll(/\b(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
      const target = relative(ROOT, resolve(dirname(file), m[1]));
      if (FORBIDDEN.some((f) => target === f || target.startsWith(`${f}/`))) {
        found.push(`${relative(ROOT, file)} → ${target}`);
      }
    }
  }
  assert.deepEqual(found, []);
});
