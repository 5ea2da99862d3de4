/**
 * The single-file artefact: `deno bundle` output must carry sql/ and static/ (text imports) and
 * the resort facts, and run the whole pipeline from a folder that holds nothing but itself.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

Deno.test("the deno bundle artefact runs the pipeline on its own", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bundle = `${dir}/liftline.js`;
    const built = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "--platform=deno", "-o", bundle, "main.ts"],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(built.code, 0, new TextDecoder().decode(built.stderr));

    // Run it from an empty folder, so nothing can be read from the source tree.
    const work = `${dir}/work`;
    await Deno.mkdir(work);
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        "--node-modules-dir=none",
        bundle,
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
      ],
      cwd: work,
      env: { RUST_BACKTRACE: "0", NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const stat = await Deno.stat(`${work}/data/warehouse.db`);
    assert.ok(stat.size > 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
