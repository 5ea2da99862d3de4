/**
 * One shared cache in front of the report queries, keyed by the report chain's version (the
 * dynamic tables' data timestamps). However many tabs are open, each distinct read runs once per
 * refresh: on a real account that is what keeps the dashboard from waking the warehouse per
 * viewer. Concurrent readers of the same key share one query (single flight).
 *
 * A read that fails keeps the last good value of its key, so a page can show the numbers it had
 * beside an inline error instead of an error page.
 *
 * @module
 */

/** A cached read: the value (the last good one when the query failed) and the failure, if any. */
export interface CachedRead<T> {
  /** The value, or undefined when no read of this key ever succeeded. */
  value: T | undefined;
  /** The failure of the latest attempt at this version, or null. */
  error: Error | null;
}

interface Entry {
  version: string;
  value?: unknown;
  error: Error | null;
  /** When the last failure happened (ms since epoch). */
  failedAt: number;
  pending?: Promise<void>;
}

/** Most keys kept; the least recently used go first. */
const MAX_ENTRIES = 256;

/** Options of {@link ReportCache}. */
export interface ReportCacheOptions {
  /** After a failure, how long the same version serves the error before trying again (5 s). */
  retryFailedMs?: number;
}

/** Versioned, single-flight report reads. */
export class ReportCache {
  readonly #entries = new Map<string, Entry>();
  readonly #retryFailedMs: number;
  #version = "";

  constructor(options: ReportCacheOptions = {}) {
    this.#retryFailedMs = options.retryFailedMs ?? 5000;
  }

  /** The report chain's version the cache serves. */
  get version(): string {
    return this.#version;
  }

  /** Moves to a new version; returns true when it differs from the current one. */
  setVersion(version: string): boolean {
    if (version === this.#version) return false;
    this.#version = version;
    return true;
  }

  /**
   * The value of `key` at the current version: cached, joined to a read in flight for this
   * version, or read now with `load`. A failed read is retried after `retryFailedMs`.
   */
  async read<T>(key: string, load: () => Promise<T>): Promise<CachedRead<T>> {
    for (;;) {
      const version = this.#version;
      let entry = this.#entries.get(key);
      if (entry) {
        // Keep recently used keys at the end of the map's order.
        this.#entries.delete(key);
        this.#entries.set(key, entry);
      }
      if (entry?.pending) {
        await entry.pending;
        if (entry.version !== this.#version) continue;
      } else if (
        !entry || entry.version !== version ||
        (entry.error !== null && Date.now() - entry.failedAt >= this.#retryFailedMs)
      ) {
        entry = this.#start(key, entry, version, load);
        await entry.pending;
      }
      return { value: entry.value as T | undefined, error: entry.error };
    }
  }

  #start<T>(key: string, previous: Entry | undefined, version: string, load: () => Promise<T>) {
    const e: Entry = { version, value: previous?.value, error: null, failedAt: 0 };
    this.#entries.set(key, e);
    this.#evict();
    e.pending = (async () => {
      try {
        e.value = await load();
      } catch (err) {
        e.error = err instanceof Error ? err : new Error(String(err));
        e.failedAt = Date.now();
      } finally {
        e.pending = undefined;
      }
    })();
    return e;
  }

  #evict(): void {
    while (this.#entries.size > MAX_ENTRIES) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }
}
