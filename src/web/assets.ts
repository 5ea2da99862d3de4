/**
 * The files the pages load, embedded into the program with text imports (so `deno compile` and
 * `deno bundle` outputs carry them) and served from our own origin under a URL that names their
 * content's hash, with a year-long immutable cache: a new build gets new URLs, never a stale file.
 *
 * htmx and its SSE extension come from the htmx.org npm package, exactly as published (served
 * together as one file, with static/connection.js and static/focus.js).
 *
 * @module
 */
import { createHash } from "node:crypto";
import htmxJs from "htmx.org/dist/htmx.min.js" with { type: "text" };
import sseJs from "htmx.org/dist/ext/hx-sse.min.js" with { type: "text" };
import connectionJs from "../../static/connection.js" with { type: "text" };
import focusJs from "../../static/focus.js" with { type: "text" };
import appCss from "../../static/app.css" with { type: "text" };
import favicon from "../../static/favicon.svg" with { type: "text" };

/** One served file. */
export interface Asset {
  readonly body: string;
  readonly contentType: string;
}

const FILES: Readonly<Record<string, Asset>> = {
  // One file, htmx first: htmx starts itself with a timer when it runs after the document was
  // parsed (as a deferred script does), and the SSE extension must be registered before then.
  // As two deferred files, a slow second download loses that race and the page never connects.
  // Our own few lines (static/connection.js, focus.js) ride along: one request, and no inline script
  // for the CSP to allow.
  "htmx-sse.min.js": {
    body: `${htmxJs}\n;\n${sseJs}\n;\n${connectionJs}\n;\n${focusJs}`,
    contentType: "text/javascript; charset=utf-8",
  },
  "app.css": { body: appCss, contentType: "text/css; charset=utf-8" },
  "favicon.svg": { body: favicon, contentType: "image/svg+xml" },
};

/** Hash of every asset's content: the version in their URLs. */
export const ASSET_VERSION: string = (() => {
  const h = createHash("sha256");
  for (const [name, a] of Object.entries(FILES)) h.update(name).update("\0").update(a.body);
  return h.digest("hex").slice(0, 12);
})();

/** The URL of an asset, e.g. `assetUrl("app.css")`. */
export function assetUrl(name: keyof typeof FILES & string): string {
  return `/static/${ASSET_VERSION}/${name}`;
}

/** The asset called `name` at `version`, or undefined (an old or unknown URL). */
export function findAsset(version: string, name: string): Asset | undefined {
  return version === ASSET_VERSION && Object.hasOwn(FILES, name) ? FILES[name] : undefined;
}

/** The favicon, also answered at `/favicon.ico` for browsers that ask there first. */
export const FAVICON: Asset = FILES["favicon.svg"];
