/**
 * The page layout, as hono's `jsxRenderer`: a route answers with `c.render(body, props)` and this
 * module alone builds the rest (head, navigation, simulation clock, the live connection).
 *
 * Two answers per URL, by request:
 * - a plain request gets the whole document: head (our own CSS and script only), a header with
 *   the navigation and the clock, and `<main id="page">` with the page and its live connection;
 * - a request from htmx (a link that was clicked, or the back button: {@link isSwap}) gets
 *   only what the swap replaces: the `<title>`, `<main id="page">`, and the navigation as an
 *   `<hx-partial>` (its current entry changes). No head, and no clock read: the clock in the
 *   header stays, and the live stream keeps it current.
 *
 * Navigation needs no attribute on the links: `<body>` boosts every link below it
 * (`hx-boost:inherited`) into a swap of `#page` that pushes the URL, so every view stays a plain,
 * bookmarkable URL that works without JavaScript too. `#page` is also the history element, so
 * the back button swaps the same fragment in.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import type { Child, FC, PropsWithChildren } from "hono/jsx";
import { jsxRenderer } from "hono/jsx-renderer";
import { assetUrl } from "./assets.ts";
import { fmtUtc } from "./format.ts";
import type { ClockView } from "./dashboard.ts";

/**
 * htmx settings: no injected indicator stylesheet (the CSP allows only our own CSS), and morph
 * swaps leave `open` alone so a data table someone expanded stays open through live updates.
 */
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorCSS: false,
  morphIgnore: ["data-htmx-powered", "open"],
});

/**
 * What a boosted link does (inherited by every link of the page): swap `#page` in place and push
 * the URL (boosted links do); a boosted swap shows the new page from its top. A selector that
 * stays on its page overrides it with {@link KEEP_PLACE}.
 */
const BOOST = "target:#page swap:outerHTML";

/**
 * The boost of a selector's links (period, metric): the same swap, keeping the scroll position
 * (`show:none`), so the reader stays at the selector just clicked.
 */
export const KEEP_PLACE = "target:#page swap:'outerHTML show:none'";

/** Which navigation entry is current. */
export type Active = { page: "overview" } | { page: "pipeline" } | {
  page: "resort";
  resort: string;
};

/** The URL of a resort's page. */
export function resortUrl(name: string): string {
  return `/resorts/${encodeURIComponent(name)}`;
}

/** What the clock line shows. */
export type ClockLineData = Pick<ClockView, "worldTime" | "latestReportedHour">;

/** The simulation clock line (also pushed live into `#clock`). */
export const ClockLine: FC<{ clock: ClockLineData }> = ({ clock }) => (
  <>
    World time <b>{clock.worldTime ? fmtUtc(clock.worldTime) : "not started"}</b>
    {" · "}latest reported hour{" "}
    <b>{clock.latestReportedHour ? fmtUtc(clock.latestReportedHour) : "none yet"}</b>
  </>
);

/** What a route passes to `c.render` besides the page's body. */
export interface PageProps {
  title: string;
  /** The current navigation entry; none on error pages. */
  active?: Active;
  /** The page's live-update stream, or none. */
  liveUrl?: string;
  /** Resort names for the navigation, when the route read them anyway (else the layout does). */
  resorts?: readonly string[];
  /** The clock, when the route read it anyway (else the layout does, for whole pages only). */
  clock?: ClockLineData;
}

declare module "hono" {
  interface ContextRenderer {
    (content: string | Promise<string>, props: PageProps): Response | Promise<Response>;
  }
}

/** Where the layout reads what a route did not pass. */
export interface LayoutSource {
  resorts(): Promise<readonly string[]>;
  clock(): Promise<ClockLineData>;
}

/**
 * Whether htmx sent the request: a swap, whose answer is the fragment it replaces. htmx 4.0.1
 * marks a click with `HX-Request`; its back-button restore sends `HX-History-Restore-Request`
 * alone (it replaces the request's headers), and swaps the `#page` it finds in the answer.
 */
export function isSwap(c: Context): boolean {
  return c.req.header("HX-Request") === "true" ||
    c.req.header("HX-History-Restore-Request") === "true";
}

/**
 * The layout middleware: makes `c.render(body, props)` answer the whole document or, to htmx,
 * the swapped fragment. `Vary` on the two request headers keeps caches from mixing the two.
 */
export function layout(source: LayoutSource): MiddlewareHandler {
  const render = jsxRenderer(
    async ({ children, title, active, liveUrl, resorts, clock }, c) => {
      const names = resorts ?? await source.resorts();
      const page = <Page liveUrl={liveUrl}>{children}</Page>;
      if (isSwap(c)) {
        return (
          <>
            <title>{`${title} · liftline`}</title>
            {page}
            <hx-partial hx-target="#nav" hx-swap="outerHTML">
              <Nav active={active} resorts={names} />
            </hx-partial>
          </>
        );
      }
      return (
        <Document
          title={title}
          active={active}
          resorts={names}
          clock={clock ?? await source.clock()}
        >
          {page}
        </Document>
      );
    },
    (c) => ({ docType: isSwap(c) ? false : "<!doctype html>\n" }),
  );
  return async (c, next) => {
    c.header("Vary", "HX-Request, HX-History-Restore-Request", { append: true });
    await render(c, next);
  };
}

/** The part of every view that a swap replaces: the page and its live connection. */
const Page: FC<PropsWithChildren<{ liveUrl?: string }>> = ({ liveUrl, children }) => (
  <main id="page" hx-history-elt="" tabindex={-1}>
    {children}
    {liveUrl && <div hx-sse:connect={liveUrl} hidden></div>}
  </main>
);

/** A whole document around `#page`. */
const Document: FC<
  PropsWithChildren<
    { title: string; active?: Active; resorts: readonly string[]; clock: ClockLineData }
  >
> = ({ title, active, resorts, clock, children }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{`${title} · liftline`}</title>
      <meta name="htmx-config" content={HTMX_CONFIG} />
      <link rel="icon" href={assetUrl("favicon.svg")} type="image/svg+xml" />
      <link rel="stylesheet" href={assetUrl("app.css")} />
      <script src={assetUrl("htmx-sse.min.js")} defer></script>
    </head>
    <body hx-boost:inherited={BOOST}>
      <a class="skip" href="#page">Skip to the page</a>
      <header class="top">
        <a class="brand" href="/">liftline</a>
        <Nav active={active} resorts={resorts} />
        <p class="clock" id="clock" aria-live="off">
          <ClockLine clock={clock} />
        </p>
        <p class="connection" id="connection" role="status" hidden>
          Connection to liftline lost: the figures below are from before it. Reconnecting…
        </p>
      </header>
      {children}
    </body>
  </html>
);

const Nav: FC<{ active?: Active; resorts: readonly string[] }> = ({ active, resorts }) => {
  const items: { href: string; label: string; on: boolean }[] = [
    { href: "/", label: "Overview", on: active?.page === "overview" },
    ...resorts.map((r) => ({
      href: resortUrl(r),
      label: r,
      on: active?.page === "resort" && active.resort === r,
    })),
    { href: "/pipeline", label: "Pipeline", on: active?.page === "pipeline" },
  ];
  return (
    <nav class="nav" id="nav" aria-label="Pages">
      {items.map((i) => (
        // An id per link: htmx gives the focus back to it after the swap.
        <a id={`nav-${i.href}`} href={i.href} aria-current={i.on ? "page" : undefined}>
          {i.label}
        </a>
      ))}
    </nav>
  );
};

/** The live region of a page: replaced (morphed) in place by live updates. */
export const Live: FC<PropsWithChildren> = ({ children }) => (
  <div id="live">{children as Child}</div>
);

/** An SSE message body: the live region (morphed in place, keeping open details), and the clock. */
export function livePartials(live: string, clock: string): string {
  return `<hx-partial hx-target="#live" hx-swap="outerMorph">${live}</hx-partial>${clock}`;
}

/** The clock's partial, sent to every open page once a second. */
export function clockPartial(clock: string): string {
  return `<hx-partial hx-target="#clock" hx-swap="innerHTML">${clock}</hx-partial>`;
}
