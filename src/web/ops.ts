/**
 * The operator's endpoints: liveness, readiness (with reasons), Prometheus metrics and the status
 * snapshot as JSON. They read the status store and the metric registry only.
 *
 * @module
 */
import type { Hono } from "hono";
import type { Metrics } from "../status/metrics.ts";
import type { StatusStore } from "../status/store.ts";

/** What the operator's endpoints read. */
export interface OpsDeps {
  metrics: Metrics;
  status: StatusStore;
  /**
   * Checks that need I/O at request time (e.g. "is the queue writable"); each returns a reason
   * when not ready, or undefined.
   */
  readinessChecks?: (() => string | undefined | Promise<string | undefined>)[];
}

/** Adds `/healthz`, `/readyz`, `/metrics` and `/api/status` to `app`. */
export function registerOps(app: Hono, deps: OpsDeps): void {
  app.get("/healthz", (c) => c.json({ status: "ok" }));

  app.get("/readyz", async (c) => {
    // A set: a role and a check may report one cause in the same words (a full disk).
    const reasons = new Set(deps.status.notReadyReasons());
    for (const check of deps.readinessChecks ?? []) {
      try {
        const reason = await check();
        if (reason) reasons.add(reason);
      } catch (e) {
        reasons.add(`readiness check failed: ${(e as Error).message}`);
      }
    }
    if (reasons.size) return c.json({ status: "not ready", reasons: [...reasons] }, 503);
    return c.json({ status: "ready", reasons: [] });
  });

  app.get("/metrics", async (c) => {
    const body = await deps.metrics.render();
    return c.body(body, 200, { "Content-Type": deps.metrics.contentType });
  });

  app.get("/api/status", (c) => c.json(deps.status.snapshot()));
}
