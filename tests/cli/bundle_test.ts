/**
 * The single-file artefact: `deno bundle` output must carry sql/ and static/ (text imports) and
 * the resort facts, run the whole pipeline from a folder that holds nothing but itself, and serve
 * the dashboard (pages, charts, the embedded htmx) from that folder.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { childEnv } from "../helpers/child_env.ts";
import { runLiftline, spawnLiftline } from "../helpers/liftline_child.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

Deno.test("the deno bundle artefact runs the pipeline and serves the dashboard on its own", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bundle = `${dir}/liftline.js`;
    const built = await new Deno.Command(Deno.execPath(), {
      // `deno bundle` has no --cached-only; --quiet keeps its download lines off stderr.
      args: ["bundle", "--quiet", "--platform=deno", "-o", bundle, "main.ts"],
      cwd: ROOT,
      env: childEnv(),
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(built.code, 0, new TextDecoder().decode(built.stderr));

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
    const stat = await Deno.stat(`${work}/data/warehouse.db`);
    assert.ok(stat.size > 0);

    const served = spawnLiftline(["serve", "--port", "0"], { cwd: work, entry });
    try {
      const base = (await served.waitFor(/serving url=(http:\/\/\S+)/))[1];
      // Wait for the first report refresh, so that the pages draw charts, not placeholders.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const status = await (await fetch(`${base}/api/status`)).json();
        if (
          status.reports?.dynamicTables?.every((t: { dataTimestamp?: string }) => t.dataTimestamp)
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
