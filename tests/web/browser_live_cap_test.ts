/**
 * A page refused a live stream recovers on its own, in a real browser (Debian's chromium, driven
 * by playwright-core) running htmx 4 and its SSE extension as served.
 *
 * The dashboard allows one live stream here. The first tab holds it; the second tab's page opens
 * before any data, its stream is refused ("retry later"), and its extension keeps trying. Data
 * arrives while the second tab is still refused, so only its live stream can bring it. Once the
 * first tab closes, the second tab's next try connects and the page fills in, without a reload
 * and without a console error. (Before the fix, a refused first connect was a plain 503, which
 * the extension never retries: the page stayed empty for good.)
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { simulate } from "../reports/fixtures.ts";
import { cspViolations, launchChromium, RECORD_CSP_VIOLATIONS, watchProblems } from "./chromium.ts";
import { dashboardFixture, serve } from "./dashboard_fixture.ts";
import { eventually } from "./sse.ts";

/** How long a refused client waits before it tries again (htmx adds ±30%). */
const BUSY_RETRY_MS = 300;
const EVENT_MS = 20_000;

Deno.test({
  name: "browser: over the live-stream cap a page retries, and fills in once a place frees up",
  // playwright-core keeps a connection to chromium with timers of its own; the browser is closed
  // and the server stopped in `finally`.
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const f = await dashboardFixture({ live: { maxSubscribers: 1, busyRetryMs: BUSY_RETRY_MS } });
    const server = serve(f.fetch);
    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await context.addInitScript(RECORD_CSP_VIOLATIONS);
      context.setDefaultTimeout(EVENT_MS);

      // The first tab takes the one place.
      const first = await context.newPage();
      const firstProblems = watchProblems(first);
      await first.goto(`${server.url}/pipeline`, { waitUntil: "load" });
      await eventually(() => f.live.subscribers === 1, "the first tab's stream", EVENT_MS);

      // The second tab: no data yet, and no place for its stream. It is told to retry, and does.
      const second = await context.newPage();
      const problems = watchProblems(second);
      await second.goto(`${server.url}/`, { waitUntil: "load" });
      const live = second.locator("#live");
      assert.match(await live.innerText(), /Waiting for the generator's first rows/);
      await eventually(() => f.live.refused >= 3, "the second tab retrying", EVENT_MS);
      assert.equal(f.live.subscribers, 1);

      // Data arrives; the second tab, still refused, cannot hear of it.
      f.load(simulate(2, { seed: "browser-cap", ticketsPerDay: 60 }));
      await f.refresh();
      assert.equal(await second.locator(".kpis").count(), 0, "filled in without a stream");

      // The first tab closes: the second connects on its next try and gets the current view.
      await first.close();
      await second.locator("#live .kpis .kpi").first().waitFor({ timeout: EVENT_MS });
      await eventually(() => f.live.subscribers === 1, "the second tab's stream", EVENT_MS);
      assert.doesNotMatch(await live.innerText(), /Waiting for the generator's first rows/);

      assert.deepEqual(await cspViolations(second), []);
      assert.deepEqual(problems, []);
      assert.deepEqual(firstProblems, []);
    } finally {
      await browser?.close();
      f.live.close();
      await server.close();
      await f.close();
    }
  },
});
