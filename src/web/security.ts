/**
 * Response headers every answer carries: a Content-Security-Policy that allows only our own
 * scripts, styles and connections (no inline script or style, no framing, no plugins), and the
 * usual hardening headers, through hono's secure-headers middleware.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";

/** The policy, directive by directive (also what the browser test holds the pages to). */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** The middleware. */
export function securityHeaders(): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    referrerPolicy: "no-referrer",
    xFrameOptions: "DENY",
    // Served over plain HTTP on a loopback or private address: HSTS would mean nothing here.
    strictTransportSecurity: false,
  });
}
