/**
 * Account identifiers and hosts: the account as it must appear inside the key-pair JWT, the
 * control host's base URL, and the ingest host read from `GET /v2/streaming/hostname`.
 *
 * @module
 */

/**
 * The account as Snowflake wants it in JWT claims (spec §1.1, Snowflake's sample code): when the
 * identifier contains `.global`, keep the text before the first `-`; otherwise keep the text
 * before the first `.` (dropping region and cloud of a locator, or a `.snowflakecomputing.com`
 * suffix); then upper-case.
 */
export function jwtAccount(identifier: string): string {
  let account = identifier.trim();
  if (account.includes(".global")) {
    const dash = account.indexOf("-");
    if (dash > 0) account = account.slice(0, dash);
  } else {
    const dot = account.indexOf(".");
    if (dot > 0) account = account.slice(0, dot);
  }
  return account.toUpperCase();
}

/**
 * Base URL of the control host: `SNOWFLAKE_HOST` when set (with or without a scheme; https is
 * assumed), else `https://<account>.snowflakecomputing.com`. An account given with the domain
 * already is used as is.
 */
export function controlBaseUrl(account: string, host?: string): URL {
  if (host) {
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host : `https://${host}`;
    const url = new URL(withScheme);
    return new URL(url.origin);
  }
  const a = account.trim().toLowerCase();
  return new URL(
    `https://${a.endsWith(".snowflakecomputing.com") ? a : `${a}.snowflakecomputing.com`}`,
  );
}

/**
 * The ingest host from a hostname response: plain text (what the live service sends), a JSON
 * string, or `{"hostname": …}` (what the docs show). Trimmed, and every `_` replaced with `-`
 * (a documented known issue: the returned name may carry underscores that do not resolve).
 * Throws when the body holds no host.
 */
export function parseHostnameBody(body: string): string {
  let text = body.trim();
  if (text.startsWith("{") || text.startsWith('"')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`hostname response is not valid JSON: ${text.slice(0, 100)}`);
    }
    if (typeof parsed === "string") text = parsed;
    else if (parsed && typeof parsed === "object") {
      const h = (parsed as Record<string, unknown>).hostname;
      if (typeof h !== "string") throw new Error("hostname response has no hostname field");
      text = h;
    }
    text = text.trim();
  }
  if (text === "" || /[\s/]/.test(text)) {
    throw new Error(
      `hostname response holds no usable host: ${JSON.stringify(text.slice(0, 100))}`,
    );
  }
  return text.replaceAll("_", "-");
}

/** True when `hostname` (as in `URL.hostname`) names this machine's loopback interface. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || h.endsWith(".localhost") || h === "::1" || /^127\./.test(h);
}
