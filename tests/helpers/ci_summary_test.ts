/**
 * `.ci/run`'s summary: skipped tests are named with the reason their module recorded, counted
 * with the passed and failed ones; a run without a summary line is not taken for a success.
 */
import assert from "node:assert/strict";
import { summarize } from "./ci_summary.ts";
import { callingTestModule, recordSkip, SKIP_LOG } from "./skip.ts";

const PARALLEL = `
------- pre-test output -------
skipping the full-disk queue tests: not running as root (uid 1000)
----- pre-test output end -----
./tests/queue/disk_full_test.ts => outbox on a full disk: the error names the cause ... ignored (0ms)
./tests/web/web_test.ts => /healthz answers ok ... ok (8ms)
./tests/web/pages_test.ts => pages ... a step ... ignored (0ms)
./tests/web/pages_test.ts => pages ... ok (3s)

ok | 286 passed (40 steps) | 0 failed | 1 ignored (1 step) (2m41s)
`;

Deno.test("ci summary: counts, and each skipped test with its module's reason", () => {
  const log = "./tests/queue/disk_full_test.ts\tno small filesystem to fill: not root\n";
  assert.deepEqual(summarize(PARALLEL, log), {
    passed: 286,
    failed: 0,
    skipped: [
      {
        test: "./tests/queue/disk_full_test.ts => outbox on a full disk: the error names the cause",
        reason: "no small filesystem to fill: not root",
      },
      {
        test: "./tests/web/pages_test.ts => pages > a step",
        reason: "ignored by its own definition (no reason recorded: see tests/helpers/skip.ts)",
      },
    ],
  });
});

Deno.test("ci summary: output without --parallel, failures, and no summary at all", () => {
  const serial = [
    "running 2 tests from ./tests/emulator/disk_full_test.ts",
    "emulator on an 8 MB filesystem: it fills ... ignored (0ms)",
    "something else ... FAILED (3ms)",
    "",
    "FAILED | 10 passed | 1 failed | 1 ignored (1s)",
  ].join("\n");
  const s = summarize(serial, "./tests/emulator/disk_full_test.ts\tnot root\n");
  assert.deepEqual(s, {
    passed: 10,
    failed: 1,
    skipped: [{
      test: "./tests/emulator/disk_full_test.ts => emulator on an 8 MB filesystem: it fills",
      reason: "not root",
    }],
  });
  assert.equal(summarize("error: Module not found"), null);
});

Deno.test("a skip is recorded for the calling test module, as .ci/run reads it", async () => {
  const log = await Deno.makeTempFile();
  const before = Deno.env.get(SKIP_LOG);
  Deno.env.set(SKIP_LOG, log);
  try {
    const module = callingTestModule();
    assert.equal(module, import.meta.url);
    recordSkip(module!, "a reason\nover two lines");
    assert.equal(
      await Deno.readTextFile(log),
      "./tests/helpers/ci_summary_test.ts\ta reason over two lines\n",
    );
  } finally {
    if (before === undefined) Deno.env.delete(SKIP_LOG);
    else Deno.env.set(SKIP_LOG, before);
    await Deno.remove(log);
  }
});
