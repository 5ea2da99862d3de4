/**
 * Debian's chromium for the browser tests, driven by playwright-core (never `playwright
 * install`): launching it, and collecting everything that goes wrong on a page (console errors
 * and warnings, uncaught exceptions, Content-Security-Policy violations, failed requests and
 * error responses). `.ci/run` installs chromium; `CHROMIUM_PATH` points the tests at another
 * build.
 *
 * @module
 */
import { type Browser, chromium, type Page } from "playwright-core";

/** The chromium binary the browser tests drive. */
export const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

/** Fails with a way out when chromium is not installed. */
export async function requireChromium(): Promise<void> {
  try {
    await Deno.stat(CHROMIUM);
  } catch {
    throw new Error(
      `chromium is not installed at ${CHROMIUM}. This test drives Debian's chromium: install it ` +
        "with `apt-get install -y chromium` (as .ci/run does), or set CHROMIUM_PATH to a " +
        "chromium binary.",
    );
  }
}

/** A headless chromium with nothing of its own going on (no updates, sync or QUIC). */
export async function launchChromium(): Promise<Browser> {
  await requireChromium();
  return await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** What a page may do without it counting as a problem. */
export interface Allowed {
  /** An error response (status ≥ 400) that is the point of the visit (a 404 page). */
  errorResponse?: (url: string, status: number) => boolean;
}

/**
 * Everything that goes wrong on `page` from now on, as lines. Expected, and not counted: a live
 * stream cut by its page going away (a swap or a navigation closes it on purpose), and what
 * `allowed` allows.
 */
export function watchProblems(page: Page, allowed: Allowed = {}): string[] {
  const problems: string[] = [];
  const allowedResponse = (url: string, status: number) =>
    allowed.errorResponse?.(url, status) ?? false;
  page.on("console", (m) => {
    if (m.type() !== "error" && m.type() !== "warning") return;
    // Chromium logs a failed main document as a console error too.
    const status = Number(m.text().match(/status of (\d{3})/)?.[1]);
    if (status && allowedResponse(m.location().url, status)) return;
    problems.push(`console ${m.type()}: ${m.text()} at ${m.location().url}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => {
    const closedStream = new URL(r.url()).pathname.startsWith("/events/") &&
      r.failure()?.errorText === "net::ERR_ABORTED";
    if (!closedStream) problems.push(`request failed: ${r.url()}: ${r.failure()?.errorText}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400 && !allowedResponse(r.url(), r.status())) {
      problems.push(`response ${r.status()}: ${r.url()}`);
    }
  });
  return problems;
}

/** Records CSP violations in the page itself (before any of its scripts run): an init script. */
export const RECORD_CSP_VIOLATIONS = () => {
  const w = globalThis as unknown as { __csp?: string[] };
  const found: string[] = [];
  w.__csp = found;
  (globalThis as unknown as {
    document: {
      addEventListener(
        type: "securitypolicyviolation",
        listener: (e: { violatedDirective: string; blockedURI: string }) => void,
      ): void;
    };
  }).document.addEventListener("securitypolicyviolation", (e) => {
    found.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
  });
};

/** The CSP violations {@link RECORD_CSP_VIOLATIONS} saw on `page`. */
export async function cspViolations(page: Page): Promise<string[]> {
  return await page.evaluate(() =>
    (globalThis as unknown as { __csp?: string[] }).__csp ?? ["(the CSP recorder did not run)"]
  );
}
