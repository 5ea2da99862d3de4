/**
 * The page shell: head (our own CSS and scripts only), navigation, the simulation clock, and the
 * element that holds the page's live connection. Navigation and selectors are plain links that
 * htmx upgrades into swaps of `#page` which push the URL, so every view is a bookmarkable URL and
 * works without JavaScript too.
 *
 * @module
 */
import type { Child, FC, PropsWithChildren } from "hono/jsx";
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

/** Which navigation entry is current. */
export type Active = { page: "overview" } | { page: "pipeline" } | {
  page: "resort";
  resort: string;
};

/** The URL of a resort's page. */
export function resortUrl(name: string): string {
  return `/resorts/${encodeURIComponent(name)}`;
}

/** A link that htmx turns into a swap of `#page` with a pushed URL. */
export const SwapLink: FC<PropsWithChildren<{ href: string; current?: "page" | "true" }>> = (
  { href, current, children },
) => (
  <a
    href={href}
    hx-get={href}
    hx-target="#page"
    hx-select="#page"
    hx-swap="outerHTML"
    hx-push-url="true"
    aria-current={current}
  >
    {children}
  </a>
);

/** The simulation clock line (also pushed live into `#clock`). */
export const ClockLine: FC<{ clock: Pick<ClockView, "worldTime" | "latestReportedHour"> }> = (
  { clock },
) => (
  <>
    World time <b>{clock.worldTime ? fmtUtc(clock.worldTime) : "not started"}</b>
    {" · "}latest reported hour{" "}
    <b>{clock.latestReportedHour ? fmtUtc(clock.latestReportedHour) : "none yet"}</b>
  </>
);

/** Everything the shell needs. */
export interface ShellProps {
  title: string;
  active: Active | null;
  /** Resort names for the navigation. */
  resorts: readonly string[];
  clock: Pick<ClockView, "worldTime" | "latestReportedHour">;
  /** The page's live-update stream, or none. */
  liveUrl?: string;
}

/** A whole page. */
export const Shell: FC<PropsWithChildren<ShellProps>> = (props) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{`${props.title} · liftline`}</title>
      <meta name="htmx-config" content={HTMX_CONFIG} />
      <link rel="icon" href={assetUrl("favicon.svg")} type="image/svg+xml" />
      <link rel="stylesheet" href={assetUrl("app.css")} />
      <script src={assetUrl("htmx-sse.min.js")} defer></script>
    </head>
    <body>
      <div id="page">
        <header class="top">
          <a class="brand" href="/">liftline</a>
          <Nav active={props.active} resorts={props.resorts} />
          <p class="clock" id="clock" aria-live="off">
            <ClockLine clock={props.clock} />
          </p>
        </header>
        <main>{props.children}</main>
        {props.liveUrl && <div hx-sse:connect={props.liveUrl} hidden></div>}
      </div>
    </body>
  </html>
);

const Nav: FC<{ active: Active | null; resorts: readonly string[] }> = ({ active, resorts }) => {
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
    <nav class="nav" aria-label="Pages">
      {items.map((i) => (
        <SwapLink href={i.href} current={i.on ? "page" : undefined}>{i.label}</SwapLink>
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
