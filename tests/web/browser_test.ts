/**
 * The dashboard in a real browser: Debian's chromium, driven by playwright-core, against a real
 * `liftline run` (generator, streamer, embedded emulator and dashboard in one child process).
 *
 * It checks what a person at the browser relies on: every page loads with a clean console (no
 * errors, warnings, Content-Security-Policy violations or failed requests), the selectors and
 * the navigation swap the content and push a bookmarkable URL without reloading the page, the
 * back button brings the previous view back, live updates arrive over server-sent events and
 * leave the page's state alone (an expanded data table stays expanded), and every page fits a
 * 390 px wide phone as well as a 1280×800 laptop screen.
 *
 * It also writes screenshots of each page at both sizes to `test-artifacts/screenshots/` (or
 * `SCREENSHOT_DIR`), for CI to keep. `.ci/run` installs chromium (`apt-get install chromium`);
 * without it this test fails and says so (`CHROMIUM_PATH` points it at another build).
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { type LiftlineProcess, spawnLiftline } from "../helpers/liftline_child.ts";
import { cspViolations, launchChromium, RECORD_CSP_VIOLATIONS, watchProblems } from "./chromium.ts";

/**
 * The browser globals used by the functions that run in the page. This file is type-checked with
 * Deno's libraries, not the DOM's (adding the DOM library would change every file's types).
 */
interface PageElement {
  id: string;
  className: unknown;
  tagName: string;
  textContent: string | null;
  innerText: string;
  nextElementSibling: PageElement | null;
  parentElement: PageElement | null;
  getBoundingClientRect(): { right: number; top: number; height: number };
  scrollWidth: number;
  clientWidth: number;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
}
declare const document: {
  activeElement: { id: string; tagName: string; textContent: string | null } | null;
  documentElement: { scrollWidth: number; classList: { contains(name: string): boolean } };
  getElementById(id: string): PageElement | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
};
declare const window: {
  scrollY: number;
  innerWidth: number;
  __marker?: string;
  scrollBy(x: number, y: number): void;
  scrollTo(x: number, y: number): void;
};
declare function requestAnimationFrame(callback: () => void): number;
declare function getComputedStyle(element: PageElement): { lineHeight: string };

const SCREENSHOT_DIR = Deno.env.get("SCREENSHOT_DIR") ??
  fileURLToPath(new URL("../../test-artifacts/screenshots/", import.meta.url));

const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/**
 * A Saturday in the season, half an hour after the Colorado lifts open: at CHEETAH (16 world
 * minutes a second) rides flow at once and the whole ski day passes in about half a minute, so
 * the first report refresh already has rides and the next one (a minute later) has more.
 */
const START_TIME = "2026-12-05T15:30:00Z";

/** A resort that does not exist: its page is the one response that may be a 404. */
const NOT_A_RESORT = "/resorts/Nowhere%20Peak";

/** Generous bounds for two busy cores; every wait ends as soon as its event happens. */
const READY_MS = 120_000;
const EVENT_MS = 20_000;
/** The emulator refreshes the report chain once a minute (the tables' target lag). */
const REFRESH_MS = 100_000;

/** Starts `liftline run` on an ephemeral port and returns its dashboard URL. */
async function startRun(dir: string): Promise<{ run: LiftlineProcess; base: string }> {
  const run = spawnLiftline([
    "run",
    "--speed",
    "CHEETAH",
    "--start-time",
    START_TIME,
    "--seed",
    "browser",
    "--data-dir",
    dir,
    "--port",
    "0",
    // Rows commit quickly, so the first report refresh (a few seconds in) has rides.
    "--emulator-commit-delay-ms",
    "100",
  ], { cwd: dir });
  try {
    const m = await run.waitFor(/serving url=(http:\/\/\S+)/, READY_MS);
    return { run, base: m[1] };
  } catch (e) {
    await run.stop("SIGKILL");
    throw e;
  }
}

/** Waits until the pipeline is ready and the overview shows KPI numbers (rides are reported). */
async function waitForReportedRides(run: LiftlineProcess, base: string): Promise<void> {
  const deadline = Date.now() + READY_MS;
  let last = "";
  while (Date.now() < deadline) {
    if (!run.running()) throw new Error(`liftline run exited:\n${run.stderr()}`);
    try {
      const ready = await fetch(`${base}/readyz`);
      last = `readyz ${ready.status}: ${await ready.text()}`;
      if (ready.ok) {
        const html = await (await fetch(`${base}/`)).text();
        if (html.includes('class="kpi"')) return;
        last = "the overview shows no KPI tiles yet";
      }
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no rides reported within ${READY_MS} ms (${last}):\n${run.stderr()}`);
}

/** The deliberate 404 page is the one error response a visit may get. */
const ALLOWED = {
  errorResponse: (url: string, status: number) =>
    status === 404 && new URL(url).pathname === NOT_A_RESORT,
};

/** Marks the window; a full reload would lose the mark. */
async function markWindow(page: Page): Promise<void> {
  await page.evaluate(() => {
    window.__marker = "still here";
  });
}

async function windowMarked(page: Page): Promise<boolean> {
  return await page.evaluate(() => window.__marker === "still here");
}

/** Waits for the first live message: the clock line, which every page's stream sends. */
async function waitForLiveClock(page: Page): Promise<void> {
  const before = await page.locator("#clock").innerText();
  await page.waitForFunction(
    (text) => document.getElementById("clock")?.innerText !== text,
    before,
    { timeout: EVENT_MS },
  );
}

/** The labels of the navigation's current entries (one, or none). */
async function navCurrent(page: Page): Promise<string[]> {
  return await page.locator("nav#nav a[aria-current='page']").allInnerTexts();
}

/** The page's width beyond its viewport (sideways scrolling), in CSS pixels. */
async function overflowAt(page: Page, viewport: { width: number; height: number }) {
  await page.setViewportSize(viewport);
  // Layout settles on the next frame after a resize.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  return width - viewport.width;
}

/** The outermost elements that stick out of the viewport, to name them in a failure. */
async function overflowingElements(page: Page): Promise<string> {
  return await page.evaluate(() => {
    const width = window.innerWidth;
    const out: string[] = [];
    for (const el of document.querySelectorAll("body *")) {
      const right = el.getBoundingClientRect().right;
      const parentRight = el.parentElement?.getBoundingClientRect().right ?? 0;
      if (right > width && parentRight <= width) {
        const cls = typeof el.className === "string" && el.className ? `.${el.className}` : "";
        out.push(
          `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${cls} ` +
            `(right edge ${Math.round(right)} px, "${(el.textContent ?? "").slice(0, 40)}")`,
        );
      }
    }
    return out.slice(0, 5).join("; ");
  });
}

Deno.test({
  name: "browser: the dashboard in chromium (clean console, swaps, live updates, phone width)",
  // playwright-core keeps a connection to chromium with timers of its own; the browser is closed
  // and the child stopped in `finally`.
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    await Deno.mkdir(SCREENSHOT_DIR, { recursive: true });
    const dir = await Deno.makeTempDir({ prefix: "liftline-browser-" });
    let run: LiftlineProcess | undefined;
    let browser: Browser | undefined;
    try {
      const started = await startRun(dir);
      run = started.run;
      const base = started.base;
      await waitForReportedRides(run, base);

      browser = await launchChromium();
      // A fresh profile: no cache or history from any earlier run.
      const context = await browser.newContext({ viewport: LAPTOP });
      await context.addInitScript(RECORD_CSP_VIOLATIONS);
      context.setDefaultTimeout(EVENT_MS);

      // The overview's live region changes only when the reports refresh (once a minute), so
      // this tab opens first, expands a data table, and is checked last.
      const watcher = await context.newPage();
      const watcherProblems = watchProblems(watcher, ALLOWED);
      await watcher.goto(`${base}/`, { waitUntil: "load" });
      await waitForLiveClock(watcher);
      const kpiBefore = await watcher.locator(".kpis").evaluate((e) => e.textContent);
      await watcher.locator("#live details summary").first().click();
      assert.equal(await watcher.locator("#live details").first().getAttribute("open"), "");
      await markWindow(watcher);

      const page = await context.newPage();
      const problems = watchProblems(page, ALLOWED);

      await t.step("each page loads cleanly, fits both screens, and is photographed", async () => {
        const pages = [
          { path: "/", shot: "overview", heading: "Network overview" },
          { path: "/resorts/Vail", shot: "resort-vail", heading: "Vail" },
          { path: "/pipeline", shot: "pipeline", heading: "Ingest pipeline" },
          { path: "/resorts/Beaver%20Creek", heading: "Beaver Creek" },
        ];
        for (const p of pages) {
          const response = await page.goto(base + p.path, { waitUntil: "load" });
          assert.equal(response?.status(), 200, p.path);
          assert.equal(await page.locator("h1").innerText(), p.heading, p.path);
          await waitForLiveClock(page);
          for (const viewport of [LAPTOP, PHONE]) {
            const over = await overflowAt(page, viewport);
            assert.ok(
              over <= 0,
              `${p.path} is ${over} px wider than ${viewport.width} px: ${await overflowingElements(
                page,
              )}`,
            );
            if (p.shot) {
              const size = `${viewport.width}x${viewport.height}`;
              await page.screenshot({
                path: join(SCREENSHOT_DIR, `${p.shot}-${size}.png`),
                fullPage: true,
              });
              if (p.path === "/" && viewport === LAPTOP) {
                // What a person sees first, for the README (docs/dashboard.png).
                await page.screenshot({ path: join(SCREENSHOT_DIR, `${p.shot}-${size}-top.png`) });
              }
            }
          }
          // A reader on a phone who expands the data tables still scrolls only downwards.
          const opened = await page.evaluate(() => {
            const all = [...document.querySelectorAll("details")];
            for (const d of all) d.setAttribute("open", "");
            return all.length;
          });
          const over = await overflowAt(page, PHONE);
          assert.ok(
            over <= 0,
            `${p.path} with its ${opened} data tables open is ${over} px wider than ` +
              `${PHONE.width} px: ${await overflowingElements(page)}`,
          );
          await page.setViewportSize(LAPTOP);
          assert.deepEqual(await cspViolations(page), [], p.path);
        }

        const missing = await page.goto(base + NOT_A_RESORT, { waitUntil: "load" });
        assert.equal(missing?.status(), 404);
        // It links the real resorts.
        const links = await page.locator("main ul.links a").allInnerTexts();
        assert.deepEqual(
          links.toSorted(),
          ["Beaver Creek", "Breckenridge", "Heavenly", "Keystone", "Vail"],
        );
        for (const viewport of [PHONE, LAPTOP]) {
          assert.ok((await overflowAt(page, viewport)) <= 0, `404 page at ${viewport.width} px`);
        }
        assert.deepEqual(await cspViolations(page), []);
        assert.deepEqual(problems, []);
      });

      await t.step(
        "selectors and navigation swap the page, push the URL, and go back",
        async () => {
          await page.goto(`${base}/`, { waitUntil: "load" });
          // What the swaps fetch: htmx's requests for pages (not the live streams). A click sends
          // HX-Request; the back button's restore sends HX-History-Restore-Request alone.
          const swaps: { path: string; body: Promise<string> }[] = [];
          page.on("response", (r) => {
            const path = new URL(r.url()).pathname;
            const sent = r.request().headers();
            const byHtmx = sent["hx-request"] || sent["hx-history-restore-request"];
            if (byHtmx && !path.startsWith("/events/")) {
              swaps.push({ path, body: r.text() });
            }
          });
          const note = page.locator("section[aria-label='Network totals'] .note");
          assert.match(await note.innerText(), /^Today: /);
          await markWindow(page);

          const period = page.getByRole("group", { name: "Period" });
          await period.getByRole("link", { name: "Last 7 days" }).click();
          await page.waitForURL((u) =>
            u.pathname === "/" && u.searchParams.get("period") === "last7"
          );
          await note.filter({ hasText: /^Last 7 days: / }).waitFor();
          assert.equal(
            await period.getByRole("link", { name: "Last 7 days" }).getAttribute("aria-current"),
            "true",
          );
          assert.ok(await windowMarked(page), "choosing a period reloaded the page");

          const metric = page.getByRole("group", { name: "Compare by" });
          await metric.getByRole("link", { name: "Revenue" }).click();
          await page.waitForURL((u) =>
            u.searchParams.get("metric") === "revenue" && u.searchParams.get("period") === "last7"
          );
          await metric.locator("a[aria-current='true']", { hasText: "Revenue" }).waitFor();
          await note.filter({ hasText: /^Last 7 days: / }).waitFor();
          assert.ok(await windowMarked(page), "choosing a metric reloaded the page");

          await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Vail" })
            .click();
          await page.waitForURL((u) => u.pathname === "/resorts/Vail");
          await page.locator("h1", { hasText: "Vail" }).waitFor();
          // The focus moves to the new page's heading (a selector keeps it, below).
          await page.waitForFunction(() =>
            document.activeElement?.tagName === "H1" &&
            document.activeElement.textContent === "Vail"
          );
          assert.ok(await windowMarked(page), "following a resort link reloaded the page");
          // The title and the navigation's current entry follow (the swap sends both).
          assert.equal(await page.title(), "Vail · liftline");
          assert.deepEqual(await navCurrent(page), ["Vail"]);
          // The new page's live stream runs.
          await waitForLiveClock(page);

          await page.goBack();
          await page.waitForURL((u) =>
            u.pathname === "/" && u.searchParams.get("period") === "last7" &&
            u.searchParams.get("metric") === "revenue"
          );
          await page.locator("h1", { hasText: "Network overview" }).waitFor();
          await note.filter({ hasText: /^Last 7 days: / }).waitFor();
          await metric.locator("a[aria-current='true']", { hasText: "Revenue" }).waitFor();
          assert.equal(await page.title(), "Network overview · liftline");
          assert.deepEqual(await navCurrent(page), ["Overview"]);

          // Three clicks and the back button: each fetched only the fragment it swaps.
          assert.deepEqual(swaps.map((s) => s.path), ["/", "/", "/resorts/Vail", "/"]);
          for (const s of swaps) {
            const body = await s.body;
            assert.match(body, /^<title>[^<]+<\/title><main id="page"/, s.path);
            assert.doesNotMatch(body, /<head|id="clock"/, s.path);
          }
          // One document all along: a swap never nested a page in the page.
          assert.equal(await page.locator("main#page").count(), 1);
          assert.equal(await page.locator("header.top").count(), 1);

          assert.deepEqual(await cspViolations(page), []);
          assert.deepEqual(problems, []);
        },
      );

      await t.step("the pipeline page updates live over SSE and keeps its state", async () => {
        await page.goto(`${base}/pipeline`, { waitUntil: "load" });
        const worldClock = page.locator("#live dt:text-is('World clock') + dd");
        // The committed offset of RESORT_TICKET's first channel, in its panel's channel table.
        const offsetCell =
          "#live section[aria-label='RESORT_TICKET'] tbody tr:first-child td:nth-child(5)";
        const committed = page.locator(offsetCell);
        const before = {
          clock: await worldClock.innerText(),
          committed: await committed.innerText(),
        };
        await markWindow(page);
        // Scrolled down to the per-table panels, as a reader would be.
        await committed.scrollIntoViewIfNeeded();
        const scrollY = await page.evaluate(() => window.scrollY);
        // State a morph keeps and a replacement would drop: a property on the live region's node.
        await page.evaluate(() => {
          (document.getElementById("live") as PageElement & { __probe?: number }).__probe = 1;
        });

        await page.waitForFunction(
          (was) => {
            const dd = [...document.querySelectorAll("#live dt")]
              .find((dt) => dt.textContent === "World clock")?.nextElementSibling;
            return dd !== undefined && dd !== null && dd.textContent !== was;
          },
          before.clock,
          { timeout: EVENT_MS },
        );
        await page.waitForFunction(
          ([cell, was]) => {
            const td = document.querySelector(cell);
            return td !== null && td.textContent !== was;
          },
          [offsetCell, before.committed],
          { timeout: EVENT_MS },
        );
        assert.ok(await windowMarked(page), "the live update reloaded the page");
        assert.equal(
          await page.evaluate(() =>
            (document.getElementById("live") as PageElement & { __probe?: number }).__probe
          ),
          1,
          "the live region was replaced instead of morphed in place",
        );
        assert.equal(await page.evaluate(() => window.scrollY), scrollY, "scroll position");
        assert.deepEqual(await cspViolations(page), []);
        assert.deepEqual(problems, []);
      });

      await t.step("a report refresh reaches an open overview and keeps a table open", async () => {
        // New rides since the page opened: the KPI tiles change in place.
        await watcher.waitForFunction(
          (was) => document.querySelector(".kpis")?.textContent !== was,
          kpiBefore,
          { timeout: REFRESH_MS },
        );
        assert.equal(
          await watcher.locator("#live details").first().getAttribute("open"),
          "",
          "the expanded data table closed on a live update",
        );
        assert.ok(await windowMarked(watcher), "the live update reloaded the page");
        assert.deepEqual(await cspViolations(watcher), []);
        assert.deepEqual(watcherProblems, []);
      });

      await t.step("on a phone, the status table and the KPI figures fit their boxes", async () => {
        await page.setViewportSize(PHONE);
        for (const period of ["today", "last7", "mtd"]) {
          await page.goto(`${base}/?period=${period}`, { waitUntil: "load" });
          await waitForLiveClock(page);
          const table = page.locator("section.panel:has(h2:text-is('Resort status'))");
          const [scroll, client] = await table.evaluate((e) => [e.scrollWidth, e.clientWidth]);
          assert.ok(
            scroll <= client,
            `${period}: the status table is ${scroll - client} px too wide`,
          );
          for (const value of await page.locator(".kpi .value").all()) {
            const lines = await value.evaluate((e) =>
              Math.round(
                e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight),
              )
            );
            assert.equal(lines, 1, `${period}: ${await value.innerText()} on ${lines} lines`);
          }
        }
        await page.setViewportSize(LAPTOP);
      });

      await t.step(
        "a link to another page opens it at its top; a selector keeps the place",
        async () => {
          await page.setViewportSize(PHONE);
          await page.goto(`${base}/`, { waitUntil: "load" });
          await waitForLiveClock(page);
          const link = page.locator("#live table a[href^='/resorts/']").first();
          await link.scrollIntoViewIfNeeded();
          await page.evaluate(() => window.scrollBy(0, 200));
          assert.ok(await page.evaluate(() => window.scrollY) > 0, "scrolled down to the table");
          await link.click();
          await page.waitForFunction(() => location.pathname.startsWith("/resorts/"));
          const top = await page.locator("h1").evaluate((h) => h.getBoundingClientRect().top);
          assert.ok(top >= 0 && top < PHONE.height / 4, `the new page's heading is at ${top} px`);
          // The period selector stays where the reader is.
          await page.goto(`${base}/`, { waitUntil: "load" });
          await waitForLiveClock(page);
          await page.evaluate(() => window.scrollTo(0, 120));
          const before = await page.evaluate(() => window.scrollY);
          await page.locator(".choice a:not([aria-current])").first().click();
          await page.waitForFunction(() => location.search.includes("period="));
          assert.equal(await page.evaluate(() => window.scrollY), before, "the selector's place");
          // From the keyboard, the focus stays on the option chosen.
          await page.locator("#period-mtd").focus();
          await page.keyboard.press("Enter");
          await page.waitForFunction(() => location.search.includes("period=mtd"));
          await page.waitForFunction(() => document.activeElement?.id === "period-mtd");
          await page.setViewportSize(LAPTOP);
        },
      );

      await t.step("when the server stops, an open page says the connection is lost", async () => {
        await page.goto(`${base}/pipeline`, { waitUntil: "load" });
        await waitForLiveClock(page);
        assert.ok(await page.locator("#connection").isHidden(), "no note while connected");
        await run!.stop("SIGTERM", 15_000);
        await page.locator("#connection").waitFor({ state: "visible", timeout: EVENT_MS });
        assert.match(await page.locator("#connection").innerText(), /Connection to liftline lost/);
        assert.ok(
          await page.evaluate(() => document.documentElement.classList.contains("offline")),
        );
      });
    } finally {
      await browser?.close();
      await run?.stop("SIGTERM", 15_000);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
