/**
 * The process's own HTTP surface: health, readiness, Prometheus metrics and the status JSON.
 * It reads the status store and the metric registry; it knows nothing of the roles' internals.
 *
 * @module
 */
import { Hono } from "hono";
import type { Metrics } from "../status/metrics.ts";
import type { StatusStore } from "../status/store.ts";

/** What the web app reads. */
export interface WebDeps {
  metrics: Metrics;
  status: StatusStore;
  /**
   * Checks that need I/O at request time (e.g. "is the queue writable"); each returns a reason
   * when not ready, or undefined.
   */
  readinessChecks?: (() => string | undefined | Promise<string | undefined>)[];
}

/** Builds the hono app for `/healthz`, `/readyz`, `/metrics`, `/api/status`. */
export function createWebApp(deps: WebDeps): Hono {
  const app = new Hono();

  app.get("/healthz", (c) => c.json({ status: "ok" }));

  app.get("/readyz", async (c) => {
    const reasons = [...deps.status.notReadyReasons()];
    for (const check of deps.readinessChecks ?? []) {
      try {
        const reason = await check();
        if (reason) reasons.push(reason);
      } catch (e) {
        reasons.push(`readiness check failed: ${(e as Error).message}`);
      }
    }
    if (reasons.length) return c.json({ status: "not ready", reasons }, 503);
    return c.json({ status: "ready", reasons: [] });
  });

  app.get("/metrics", async (c) => {
    const body = await deps.metrics.render();
    return c.body(body, 200, { "Content-Type": deps.metrics.contentType });
  });

  app.get("/api/status", (c) => c.json(deps.status.snapshot()));

  app.get("/", (c) =>
    c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>liftline</title></head>` +
        `<body><h1>liftline</h1><ul>` +
        `<li><a href="/api/status">/api/status</a> pipeline status (JSON)</li>` +
        `<li><a href="/metrics">/metrics</a> Prometheus metrics</li>` +
        `<li><a href="/healthz">/healthz</a> liveness, <a href="/readyz">/readyz</a> readiness</li>` +
        `</ul></body></html>`,
    ));

  app.notFound((c) => c.json({ error: "not found", path: c.req.path }, 404));
  app.onError((err, c) => c.json({ error: err.message }, 500));
  return app;
}
