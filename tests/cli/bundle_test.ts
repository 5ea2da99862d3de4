/**
 * The single-file artefact: `deno bundle` output must carry sql/ and static/ (text imports) and
 * the resort facts, run the whole pipeline from a folder that holds nothing but itself, and serve
 * the dashboard (pages, charts, the embedded htmx) from that folder.
 *
 * Two packages cannot be bundled: DuckDB (a Node-API addon) and the SQL parser (WebAssembly that
 * its package loads from beside itself). They are imported by full `npm:` specifiers, which the
 * `bundle` task keeps external and the artefact resolves at run time.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { WAREHOUSE_FILE } from "../../src/emulator/mod.ts";
import { childEnv } from "../helpers/child_env.ts";
import { runLiftline, spawnLiftline } from "../helpers/liftline_child.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** deno.json: its import map and its `bundle` task. */
const DENO_JSON = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)) as {
  imports: Record<string, string>;
  tasks: Record<string, string>;
};

/** The modules that import a package by its full `npm:` specifier, kept out of the bundle. */
const EXTERNAL_IMPORTERS = ["src/emulator/warehouse/duckdb.ts", "src/emulator/sql/parser.ts"];

/** The `--external` specifiers of the `bundle` task, in order. */
function bundleExternals(): string[] {
  return [...DENO_JSON.tasks.bundle.matchAll(/--external[= ](\S+)/g)].map((m) => m[1]);
}

Deno.test("the npm: specifiers imported at run time are the versions of deno.json, kept external by the bundle task", async () => {
  const imported: string[] = [];
  for (const file of EXTERNAL_IMPORTERS) {
    const text = await Deno.readTextFile(`${ROOT}${file}`);
    const found = [...text.matchAll(/import\(\s*"(npm:[^"]+)"\s*\)/g)].map((m) => m[1]);
    assert.equal(found.length, 1, `${file} imports one package by its npm: specifier`);
    imported.push(found[0]);
  }
  for (const specifier of imported) {
    const name = /^npm:(@?[^@]+)@/.exec(specifier)![1];
    assert.equal(specifier, DENO_JSON.imports[name], `${name}: deno.json's version`);
  }
  assert.deepEqual(bundleExternals().sort(), [...imported].sort(), "the bundle task's --external");
});

Deno.test("the deno bundle artefact runs the pipeline and serves the dashboard on its own", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bundle = `${dir}/liftline.js`;
    const built = await new Deno.Command(Deno.execPath(), {
      // The bundle task's flags; `deno bundle` has no --cached-only; --quiet keeps its download
      // lines off stderr.
      args: [
        "bundle",
        "--quiet",
        "--platform=deno",
        ...bundleExternals().flatMap((e) => ["--external", e]),
        "-o",
        bundle,
        "main.ts",
      ],
      cwd: ROOT,
      env: childEnv(),
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(built.code, 0, new TextDecoder().decode(built.stderr));
    // The artefact resolves its external packages without deno.lock, so it needs their and their
    // dependencies' registry entries, which `deno install --frozen` does not cache (it reads the
    // versions from the lock). A user's first run fetches them; here they are fetched once,
    // outside the project, so that the run below can be --cached-only in an empty DENO_DIR too.
    const cached = await new Deno.Command(Deno.execPath(), {
      args: ["cache", "--quiet", "--no-config", "--node-modules-dir=none", ...bundleExternals()],
      cwd: dir,
      env: childEnv(),
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(cached.code, 0, new TextDecoder().decode(cached.stderr));

    // Run it from an empty folder, so nothing can be read from the source tree.
    const work = `${dir}/work`;
    await Deno.mkdir(work);
    const entry = { path: bundle, denoFlags: ["--node-modules-dir=none"] };
    const out = await runLiftline([
      "run",
      "--drain",
      "--speed",
      "MAX",
      "--seed",
      "bundle",
      "--start-time",
      "2026-11-27T14:00:00Z",
      "--until",
      "2026-11-27T18:00:00Z",
      "--port",
      "0",
      "--emulator-commit-delay-ms",
      "20",
      "--quiet",
    ], { cwd: work, entry });
    assert.equal(out.code, 0, out.stderr);
    const filledAt = Date.now();
    const stat = await Deno.stat(`${work}/data/${WAREHOUSE_FILE}`);
    assert.ok(stat.size > 0);

    const served = spawnLiftline(["serve", "--port", "0"], { cwd: work, entry });
    try {
      const base = (await served.waitFor(/serving url=(http:\/\/\S+)/))[1];
      // Wait for a report refresh after the rides came (the one at creation saw none), so that
      // the pages draw charts, not placeholders. It is due within the one-minute target lag.
      const deadline = Date.now() + 90_000;
      for (;;) {
        const status = await (await fetch(`${base}/api/status`)).json();
        if (
          status.reports?.dynamicTables?.every((t: { dataTimestamp?: string }) =>
            t.dataTimestamp && Date.parse(t.dataTimestamp) >= filledAt
          )
        ) break;
        assert.ok(Date.now() < deadline, `no report refresh: ${JSON.stringify(status.reports)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const page = await fetch(`${base}/resorts/Vail`);
      const html = await page.text();
      assert.equal(page.status, 200, html.slice(0, 300));
      assert.match(html, /<svg[\s>]/, "the resort page draws its charts (echarts in the bundle)");
      assert.doesNotMatch(html, /role="alert"/, "no read error");
      for (const src of html.matchAll(/(?:src|href)="(\/static\/[^"]+)"/g)) {
        const asset = await fetch(`${base}${src[1]}`);
        const body = await asset.text();
        assert.equal(asset.status, 200, src[1]);
        assert.ok(body.length > 100, `${src[1]} is served whole`);
        if (src[1].endsWith(".js")) assert.match(body, /htmx/, "the embedded htmx");
      }
    } finally {
      const exit = await served.stop("SIGTERM");
      assert.equal(exit.code, 0, served.stderr());
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
